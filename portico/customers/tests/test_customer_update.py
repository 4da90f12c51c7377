"""customer_update: commercial and fiscal data; PAIN → ACTV when the record is complete and not
before; ACTV → PAIN when a required field is emptied; the tax id never changes; an inactive
customer is refused with the database unchanged; audited, no notifications."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portico.audit.models import AuditAction, AuditEvent
from portico.core.errors import PorticoError
from portico.customers.actions import (
    customer_address_add,
    customer_contact_link,
    customer_deactivate,
    customer_update,
)
from portico.customers.models import Customer, CustomerStatus
from portico.customers.records import customer_missing_fields
from portico.customers.tests.factories import customer_complete, customer_make, person_make, staff
from portico.notifications.models import Notification
from portico.outbox.models import OutboxMessage
from testing.world import user_create

pytestmark = pytest.mark.django_db

FISCAL = {"regimen_fiscal": "601", "uso_cfdi": "G03", "fiscal_postal_code": "06600"}
COMMERCIAL = {"industry": "Steel", "payment_terms": "net30"}


def _missing(customer):
    return [m.field for m in customer_missing_fields(Customer.objects.select_related("client").get(pk=customer.pk))]


def test_a_new_customer_misses_everything_but_the_quick_create_fields(org_a):
    customer = customer_make(org_a)
    assert _missing(customer) == [
        "industry",
        "payment_terms",
        "sales_owner",
        "regimen_fiscal",
        "uso_cfdi",
        "fiscal_postal_code",
        "addresses",
        "contacts",
    ]


def test_pain_becomes_actv_on_the_save_that_completes_it_and_not_before(org_a):
    customer = customer_make(org_a)
    actor = staff(org_a)
    saved = customer_update(customer=customer, actor=actor, sales_owner=org_a.admin, **COMMERCIAL)
    assert saved.customer.status == CustomerStatus.PARTIAL
    assert [m.field for m in saved.missing] == [
        "regimen_fiscal",
        "uso_cfdi",
        "fiscal_postal_code",
        "addresses",
        "contacts",
    ]
    customer_address_add(customer=customer, actor=actor, line1="Calle 1", state="NL", postal_code="64000", country="MX")
    customer_contact_link(customer=customer, actor=actor, contact=person_make(org_a), role="billing")
    assert Customer.objects.get(pk=customer.pk).status == CustomerStatus.PARTIAL
    saved = customer_update(customer=customer, actor=actor, **FISCAL)
    assert saved.missing == [] and saved.customer.status == CustomerStatus.ACTIVE
    assert Customer.objects.get(pk=customer.pk).status == CustomerStatus.ACTIVE
    move = AuditEvent.objects.filter(action=AuditAction.CUSTOMER_STATUS_CHANGED).get()
    assert (move.from_state, move.to_state) == ("PAIN", "ACTV")


def test_an_ein_customer_needs_no_mexican_fiscal_data(org_a):
    customer = customer_make(org_a, tax_id="04-2103594")
    assert "regimen_fiscal" not in _missing(customer)


def test_emptying_a_required_field_puts_an_active_customer_back_to_partial(org_a):
    customer = customer_complete(org_a)
    assert customer.status == CustomerStatus.ACTIVE
    saved = customer_update(customer=customer, actor=staff(org_a), industry="")
    assert saved.customer.status == CustomerStatus.PARTIAL and [m.field for m in saved.missing] == ["industry"]


def test_changes_are_audited_with_the_changed_fields_and_notify_nobody(org_a):
    customer = customer_make(org_a)
    customer_update(
        customer=customer, actor=staff(org_a), industry="Steel", credit_limit="50000", legal_name="Nuevo Nombre SA"
    )
    event = AuditEvent.objects.filter(action=AuditAction.CUSTOMER_CHANGED).get()
    assert event.detail["changed"] == ["credit_limit", "industry", "legal_name"]
    assert event.detail["changes"]["credit_limit"] == {"from": None, "to": "50000.00"}
    customer.refresh_from_db()
    assert customer.client.name == "Nuevo Nombre SA" and customer.credit_limit == Decimal("50000.00")
    assert Notification.objects.count() == 0 and OutboxMessage.objects.count() == 0


def test_the_tax_id_cannot_change(org_a):
    customer = customer_make(org_a)
    with pytest.raises(PorticoError) as refused:
        customer_update(customer=customer, actor=staff(org_a), tax_id="XAXX010101000")
    assert "cannot change" in str(refused.value.message)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"payment_terms": "net7"}, "payment_terms"),
        ({"regimen_fiscal": "999"}, "regimen_fiscal"),
        ({"uso_cfdi": "Z99"}, "uso_cfdi"),
        ({"fiscal_postal_code": "0660"}, "fiscal_postal_code"),
        ({"website": "not a site"}, "website"),
        ({"credit_limit": "-1"}, "credit_limit"),
        ({"currency": "XYZ"}, "currency"),
        ({"legal_name": ""}, "legal_name"),
    ],
)
def test_invalid_values_are_refused_and_nothing_changes(org_a, fields, field):
    customer = customer_make(org_a)
    with pytest.raises(PorticoError) as refused:
        customer_update(customer=customer, actor=staff(org_a), industry="Steel", **fields)
    assert refused.value.extra["errors"][0]["field"] == field
    assert Customer.objects.get(pk=customer.pk).industry == ""


def test_the_sales_owner_must_be_staff_of_the_organization(org_a, org_b):
    customer = customer_make(org_a)
    stranger = user_create("stranger@example.test")
    for user in (stranger, org_b.admin):
        with pytest.raises(PorticoError):
            customer_update(customer=customer, actor=staff(org_a), sales_owner=user)
    customer_update(customer=customer, actor=staff(org_a), sales_owner=org_a.readonly)
    assert Customer.objects.get(pk=customer.pk).sales_owner_id == org_a.readonly.pk


def test_an_inactive_customer_is_refused_and_unchanged(org_a):
    customer = customer_make(org_a)
    customer_deactivate(customer=customer, actor=staff(org_a))
    before = Customer.objects.get(pk=customer.pk)
    with pytest.raises(PorticoError) as refused:
        customer_update(customer=customer, actor=staff(org_a), industry="Steel")
    assert refused.value.code == "customer_inactive"
    assert "Reactivate the customer first" in str(refused.value.message)
    after = Customer.objects.get(pk=customer.pk)
    assert (after.industry, after.status, after.updated_at) == (before.industry, "INAC", before.updated_at)
    assert not AuditEvent.objects.filter(action=AuditAction.CUSTOMER_CHANGED).exists()
