"""Load the demo organization (idempotent): Northwind Community Services."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from portico.accounts.actions import account_create
from portico.accounts.models import User
from portico.agreements.actions import agreement_template_create
from portico.bookings.actions import availability_window_add, booking_settings_save
from portico.clients.actions import (
    client_assign_navigator,
    client_create,
    client_set_groups,
    client_set_warnings,
    client_status_change,
    group_create,
    warning_create,
)
from portico.core.actors import Actor
from portico.customers.actions import (
    customer_address_add,
    customer_contact_link,
    customer_deactivate,
    customer_quick_create,
    customer_update,
)
from portico.estimates.actions import LineInput, estimate_create
from portico.invitations.actions import invitation_send
from portico.leads.actions import lead_settings_save, lead_submit
from portico.leads.models import LeadSource
from portico.orgs.actions import membership_add, org_create, org_settings_update
from portico.orgs.models import Organization, Role
from portico.portal.actions import portal_settings_save
from portico.sat69b.actions import sat69b_import
from portico.sat69b.selectors import sat69b_latest_import
from portico.web.demo import (
    DEMO_AGREEMENT,
    DEMO_CLIENTS,
    DEMO_CUSTOMERS,
    DEMO_LEADS,
    DEMO_ORG,
    DEMO_PASSWORD,
    DEMO_USERS,
)

SAMPLE_69B = Path(__file__).resolve().parents[3] / "sat69b" / "fixtures" / "69b_sample.csv"


class Command(BaseCommand):
    help = "Create the demo organization and its logins (does nothing if it exists)."

    def handle(self, *args: object, **options: object) -> None:
        self._load()
        if sat69b_latest_import() is None:
            # The SAT 69-B list: the small sample in the SAT's layout (a real installation imports the SAT's file).
            imported = sat69b_import(data=SAMPLE_69B.read_bytes(), source=SAMPLE_69B.name, actor=Actor.system())
            self.stdout.write(f"imported the sample SAT 69-B list ({imported.row_count} taxpayers)")

    @transaction.atomic
    def _load(self) -> None:
        name, slug = DEMO_ORG
        if Organization.objects.filter(slug=slug).exists():
            self.stdout.write("demo organization already loaded")
            return
        actor = Actor.system()
        users = {}
        for email, full_name, role in DEMO_USERS:
            user = account_create(
                actor=actor,
                email=email,
                full_name=full_name,
                password=DEMO_PASSWORD,
                email_verified=True,
                operator=role is None,
            )
            users[email] = (user, role)
        org = org_create(name=name, slug=slug, actor=actor)
        for user, role_name in users.values():
            if role_name is not None:
                membership_add(org=org, user=user, role=Role.objects.get(org=org, name=role_name), actor=actor)
        org_settings_update(org=org, actor=actor, case_number_pattern="NW-{year}-{seq:05}")
        org.refresh_from_db()
        portal_settings_save(
            org=org,
            actor=actor,
            portal_name="Northwind Client Portal",
            sender_name="Northwind Community Services",
            reply_to="help@northwind.example",
            services="Housing support\nYouth programme\nBenefits advice\nLegal clinic",
        )
        org.refresh_from_db()
        self._clients(org, actor, navigator=users["nina@northwind.example"][0])
        self._onboarding(org, actor, navigator=users["nina@northwind.example"][0])
        self._customers(org, actor, owner=users["sam@northwind.example"][0])
        self.stdout.write(f"loaded demo organization {name}")

    def _clients(self, org: Organization, actor: Actor, navigator: User) -> None:
        """A few client records, through the same actions staff use."""
        types = list(org.client_types.all())
        youth = group_create(org=org, actor=actor, name="Youth programme")
        housing = group_create(org=org, actor=actor, name="Housing support")
        safety = warning_create(org=org, actor=actor, label="Safety plan", colour="#b3261e", icon="shield")
        allergy = warning_create(org=org, actor=actor, label="Allergy", colour="#9a5b00", icon="heart")
        for i, (person, email, phone) in enumerate(DEMO_CLIENTS):
            client = client_create(
                org=org,
                actor=actor,
                name=person,
                email=email,
                phone=phone,
                client_type=types[i % len(types)],
                language="es" if i % 2 else "en",
                create_profile=i % 3 == 0,
            )
            if i % 2 == 0:
                client_set_groups(client=client, actor=actor, groups=[youth] if i % 4 == 0 else [housing])
            if i % 5 == 0:
                client_set_warnings(client=client, actor=actor, warnings=[safety] if i % 10 == 0 else [allergy])
            if i % 3 == 1:
                client_assign_navigator(client=client, actor=actor, navigator=navigator)
            if i == 4:
                client_status_change(action="archive", client=client, actor=actor)
            if i in (1, 7):  # two invitations already on their way
                invitation_send(client=client, actor=actor, channel="email" if i == 1 else "sms")

    def _onboarding(self, org: Organization, actor: Actor, navigator: User) -> None:
        """Seed 003: website leads (Nina hears of new ones), Nina's bookable hours, a draft estimate
        on the first lead, ready to follow to conversion and approval, and the service agreement
        sent by itself once a client approves an estimate."""
        agreement_template_create(
            org=org,
            actor=actor,
            name="Service agreement",
            title="Service agreement",
            body=DEMO_AGREEMENT,
            is_default=True,
        )
        lead_settings_save(org=org, actor=actor, navigators=[navigator], public_forms=True, thank_you="")
        booking_settings_save(org=org, actor=actor, enabled=True, slot_minutes=30, min_notice_hours=2, horizon_days=21)
        for weekday in range(5):  # Monday to Friday, 09:00-13:00 and 14:00-17:00
            availability_window_add(
                org=org, user=navigator, actor=actor, weekday=weekday, start=dt.time(9), end=dt.time(13)
            )
            availability_window_add(
                org=org, user=navigator, actor=actor, weekday=weekday, start=dt.time(14), end=dt.time(17)
            )
        leads = [
            lead_submit(
                org=org,
                actor=actor,
                source=source,
                name=name,
                email=email,
                phone=phone,
                message=message,
                service=service,
                utm={"utm_source": "newsletter"} if source == LeadSource.CONTACT_FORM else {},
            )
            for name, email, phone, service, message, source in DEMO_LEADS
        ]
        estimate_create(
            org=org,
            actor=actor,
            lead=leads[0],
            scope="Benefits review and three advice sessions",
            lines=[
                LineInput(description="Benefits review", quantity=Decimal(1), unit_price=Decimal("120.00")),
                LineInput(
                    description="Advice session", quantity=Decimal(3), unit="session", unit_price=Decimal("45.00")
                ),
            ],
        )

    def _customers(self, org: Organization, actor: Actor, owner: User) -> None:
        """Seed 002: three company customers, one partial (PAIN), one complete (ACTV), one inactive."""
        for legal_name, trade_name, tax_id, state in DEMO_CUSTOMERS:
            customer = customer_quick_create(
                org=org, actor=actor, legal_name=legal_name, trade_name=trade_name, tax_id=tax_id
            ).customer
            if state == "partial":
                customer_update(customer=customer, actor=actor, industry="Construction", sales_owner=owner)
                continue
            customer_update(
                customer=customer,
                actor=actor,
                industry="Logistics" if state == "complete" else "Food",
                website="https://example.org",
                payment_terms="net30",
                credit_limit=Decimal("250000.00"),
                sales_owner=owner,
                regimen_fiscal="601",
                uso_cfdi="G03",
                fiscal_postal_code="64000",
            )
            customer_address_add(
                customer=customer,
                actor=actor,
                kind="fiscal",
                line1="Av. Constitución 400",
                line2="Col. Centro",
                city="Monterrey",
                state="Nuevo León",
                postal_code="64000",
                country="MX",
            )
            contact = client_create(
                org=org,
                actor=actor,
                name=f"Compras {trade_name}",
                email=f"compras.{tax_id.lower()}@example.org",
            )
            customer_contact_link(customer=customer, actor=actor, contact=contact, role="purchasing")
            if state == "inactive":
                customer_deactivate(customer=customer, actor=actor)
