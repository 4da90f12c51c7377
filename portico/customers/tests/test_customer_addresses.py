"""Addresses: country as an ISO code, the postal code checked for MX (5 digits) and US (ZIP);
add, change, remove, each audited and each re-deciding the status."""

from __future__ import annotations

import pytest

from portico.audit.models import AuditAction, AuditEvent
from portico.core.errors import PorticoError
from portico.customers.actions import customer_address_add, customer_address_remove, customer_address_update
from portico.customers.models import CustomerAddress, CustomerStatus
from portico.customers.tests.factories import customer_complete, customer_make, staff

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("country", "postal_code"),
    [("MX", "06600"), ("mx", "64000"), ("US", "94105"), ("US", "94105-1234"), ("CA", "K1A 0B1")],
)
def test_valid_addresses(org_a, country, postal_code):
    customer = customer_make(org_a)
    customer_address_add(
        customer=customer, actor=staff(org_a), line1="Street 1", state="State", postal_code=postal_code, country=country
    )
    address = CustomerAddress.objects.get(customer=customer)
    assert address.country == country.upper()
    assert AuditEvent.objects.get(action=AuditAction.CUSTOMER_ADDRESS_CHANGED).detail["change"] == "added"


@pytest.mark.parametrize(
    ("country", "postal_code", "field"),
    [
        ("MX", "6600", "postal_code"),
        ("MX", "ABCDE", "postal_code"),
        ("US", "9410", "postal_code"),
        ("ZZ", "1", "country"),
        ("Mexico", "06600", "country"),
    ],
)
def test_invalid_addresses_are_refused(org_a, country, postal_code, field):
    customer = customer_make(org_a)
    with pytest.raises(PorticoError) as refused:
        customer_address_add(
            customer=customer,
            actor=staff(org_a),
            line1="Street 1",
            state="State",
            postal_code=postal_code,
            country=country,
        )
    assert refused.value.extra["field"] == field
    assert not CustomerAddress.objects.exists()


def test_the_state_is_required(org_a):
    with pytest.raises(PorticoError):
        customer_address_add(
            customer=customer_make(org_a),
            actor=staff(org_a),
            line1="Street",
            state="",
            postal_code="06600",
            country="MX",
        )


def test_change_and_remove_the_last_address_makes_it_partial(org_a):
    customer = customer_complete(org_a)
    address = CustomerAddress.objects.get(customer=customer)
    customer_address_update(address=address, actor=staff(org_a), city="Monterrey", postal_code="64000")
    address.refresh_from_db()
    assert (address.city, address.postal_code) == ("Monterrey", "64000")
    saved = customer_address_remove(address=address, actor=staff(org_a))
    assert saved.customer.status == CustomerStatus.PARTIAL and [m.field for m in saved.missing] == ["addresses"]
    assert [
        e.detail["change"]
        for e in AuditEvent.objects.filter(action=AuditAction.CUSTOMER_ADDRESS_CHANGED).order_by("id")
    ][-2:] == [
        "changed",
        "removed",
    ]
