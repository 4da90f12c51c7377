"""Load the demo organization (idempotent): Northwind Community Services."""

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction

from portico.accounts.models import User
from portico.core.actors import Actor
from portico.demo import DEMO_ORG, DEMO_PASSWORD, DEMO_USERS
from portico.orgs.actions import membership_add, org_create
from portico.orgs.models import Organization, Role


class Command(BaseCommand):
    help = "Create the demo organization and its logins (does nothing if it exists)."

    @transaction.atomic
    def handle(self, *args: object, **options: object) -> None:
        name, slug = DEMO_ORG
        if Organization.objects.filter(slug=slug).exists():
            self.stdout.write("demo organization already loaded")
            return
        users = {}
        for email, full_name, role in DEMO_USERS:
            user = User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name, is_operator=role is None)
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            users[email] = (user, role)
        actor = Actor.system()
        org = org_create(name=name, slug=slug, actor=actor)
        for user, role_name in users.values():
            if role_name is not None:
                membership_add(org=org, user=user, role=Role.objects.get(org=org, name=role_name), actor=actor)
        self.stdout.write(f"loaded demo organization {name}")
