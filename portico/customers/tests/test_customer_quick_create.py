"""customer_quick_create: a company client record and its customer row (PAIN) in one go; the tax
id checked; one customer per tax id in an organization (with a link to it); SAT 69-B screening
warns or blocks per the organization's policy; no notification, every step audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portico.audit.models import AuditAction, AuditEvent
from portico.clients.models import Client, ClientKind
from portico.core.errors import PorticoError
from portico.customers.actions import customer_quick_create
from portico.customers.models import Customer, CustomerSettings, CustomerStatus, ScreeningAction
from portico.customers.tests.factories import company_rfc, customer_make, sat69b_entry, staff
from portico.notifications.models import Notification
from portico.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


def _create(world, tax_id, **kw):
    return customer_quick_create(
        org=world.org,
        actor=staff(world),
        legal_name="Aceros del Norte S.A. de C.V.",
        trade_name="Aceros",
        tax_id=tax_id,
        **kw,
    )


def test_creates_a_company_record_and_a_partial_customer(org_a):
    tax_id = company_rfc()
    created = _create(org_a, tax_id.lower())
    customer = Customer.objects.select_related("client").get(pk=created.customer.pk)
    assert customer.status == CustomerStatus.PARTIAL
    assert customer.org_id == org_a.org.pk
    client = customer.client
    assert (client.kind, client.name, client.trade_name, client.tax_id) == (
        ClientKind.COMPANY,
        "Aceros del Norte S.A. de C.V.",
        "Aceros",
        tax_id,
    )
    assert client.case_number  # the clients app numbered it
    assert not created.screening.listed
    assert customer.sat69b_situation == "" and customer.sat69b_checked_at is not None
    event = AuditEvent.objects.get(action=AuditAction.CUSTOMER_CREATED, target_id=str(customer.pk))
    assert event.to_state == "PAIN" and event.detail["screening"]["listed"] is False


def test_sends_no_notification_and_no_message(org_a):
    customer_make(org_a)
    assert Notification.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def test_the_same_tax_id_twice_is_refused_with_a_link_to_the_customer(org_a):
    tax_id = company_rfc()
    first = _create(org_a, tax_id).customer
    with pytest.raises(PorticoError) as refused:
        _create(org_a, tax_id.lower())
    assert refused.value.code == "duplicate_tax_id"
    assert refused.value.extra["customer_id"] == first.pk
    assert refused.value.extra["url"] == f"/o/{org_a.org.slug}/customers/{first.pk}/"
    assert Customer.objects.filter(org=org_a.org).count() == 1
    assert Client.objects.filter(org=org_a.org, tax_id=tax_id).count() == 1


def test_the_duplicate_look_up_names_the_client_records_organization(org_a):
    """The (org_id, tax_id) index on clients_client (customers/0002) is only a range when the look-up
    names the client record's organization, not just the customer's: without it PostgreSQL read the
    whole index for the tax id (~130 ms on a million records)."""
    tax_id = company_rfc()
    with CaptureQueriesContext(connection) as captured:
        _create(org_a, tax_id)
    look_up = next(
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith('SELECT "customers_customer"') and '"clients_client"."tax_id"' in q["sql"]
    )
    where = look_up.split("WHERE", 1)[1]
    assert '"clients_client"."org_id"' in where and '"customers_customer"."org_id"' in where


def test_the_same_tax_id_in_another_organization_is_fine(org_a, org_b):
    tax_id = company_rfc()
    _create(org_a, tax_id)
    assert _create(org_b, tax_id).customer.org_id == org_b.org.pk


def test_generic_rfcs_may_repeat(org_a):
    _create(org_a, "XAXX010101000")
    _create(org_a, "XAXX010101000")
    assert Customer.objects.filter(client__tax_id="XAXX010101000").count() == 2


@pytest.mark.parametrize("missing", ["legal_name", "trade_name", "tax_id"])
def test_the_three_fields_are_required(org_a, missing):
    values = {"legal_name": "Legal", "trade_name": "Trade", "tax_id": company_rfc()}
    values[missing] = "  "
    with pytest.raises(PorticoError) as refused:
        customer_quick_create(org=org_a.org, actor=staff(org_a), **values)
    assert refused.value.extra["field"] == missing
    assert not Customer.objects.exists()


@pytest.mark.parametrize("situation", ["presunto", "desvirtuado", "sentencia_favorable"])
def test_a_listed_rfc_is_created_with_the_screening_to_show(org_a, situation):
    tax_id = company_rfc()
    sat69b_entry(tax_id, situation, desvirtuado_published_on=dt.date(2024, 9, 1))
    created = _create(org_a, tax_id)
    assert created.screening.listed and created.screening.action == ScreeningAction.WARN
    assert [label for label, _when in created.screening.entry.publications()] == ["Presunto", "Desvirtuado"]
    customer = Customer.objects.get(pk=created.customer.pk)
    assert customer.sat69b_situation == situation
    detail = AuditEvent.objects.get(action=AuditAction.CUSTOMER_CREATED).detail["screening"]
    assert detail["situation"] == situation and detail["publications"][0]["date"] == "2024-03-15"


def test_definitivo_blocks_by_default_and_nothing_is_created(org_a):
    tax_id = company_rfc()
    sat69b_entry(tax_id, "definitivo", definitivo_published_on=dt.date(2025, 1, 10))
    with pytest.raises(PorticoError) as refused:
        _create(org_a, tax_id)
    assert refused.value.code == "screening_blocked"
    assert refused.value.extra["situation"] == "definitivo"
    assert refused.value.extra["publications"][-1] == {"label": "Definitivo", "date": "2025-01-10"}
    assert not Customer.objects.exists() and not Client.objects.filter(tax_id=tax_id).exists()


def test_the_organizations_policy_decides_warn_or_block(org_a, org_b):
    tax_id = company_rfc()
    sat69b_entry(tax_id, "presunto")
    CustomerSettings.objects.create(
        org=org_a.org, on_presunto=ScreeningAction.BLOCK, on_definitivo=ScreeningAction.WARN
    )
    with pytest.raises(PorticoError):
        _create(org_a, tax_id)
    assert _create(org_b, tax_id).screening.action == ScreeningAction.WARN  # org_b keeps the default


def test_an_ein_is_never_screened(org_a):
    created = _create(org_a, "04-2103594")
    assert created.customer.client.tax_id == "042103594"
    assert not created.screening.listed and created.customer.sat69b_checked_at is None
