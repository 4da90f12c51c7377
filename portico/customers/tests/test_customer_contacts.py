"""Contacts: a person's client record of the same organization, linked with a role; unlinking;
each audited; the last contact gone makes an active customer partial again."""

from __future__ import annotations

import pytest

from portico.audit.models import AuditAction, AuditEvent
from portico.clients.models import ClientKind
from portico.core.errors import PorticoError
from portico.customers.actions import customer_contact_link, customer_contact_unlink
from portico.customers.models import CustomerContact, CustomerStatus
from portico.customers.tests.factories import customer_complete, customer_make, person_make, staff
from testing.world import client_make

pytestmark = pytest.mark.django_db


def test_link_and_unlink(org_a):
    customer = customer_complete(org_a)
    link = CustomerContact.objects.get(customer=customer)
    added = AuditEvent.objects.get(action=AuditAction.CUSTOMER_CONTACT_ADDED)
    assert added.detail["contact"] == link.contact_id and added.detail["role"] == "primary"
    saved = customer_contact_unlink(link=link, actor=staff(org_a))
    assert saved.customer.status == CustomerStatus.PARTIAL
    assert not CustomerContact.objects.exists()
    assert AuditEvent.objects.get(action=AuditAction.CUSTOMER_CONTACT_REMOVED).detail["contact"] == link.contact_id


def test_a_person_of_another_organization_is_refused(org_a, org_b):
    with pytest.raises(PorticoError):
        customer_contact_link(
            customer=customer_make(org_a), actor=staff(org_a), contact=person_make(org_b), role="primary"
        )
    assert not CustomerContact.objects.exists()


def test_a_company_record_is_not_a_contact(org_a):
    company = client_make(org_a, "Otra Empresa", kind=ClientKind.COMPANY, email="otra@example.test")
    with pytest.raises(PorticoError):
        customer_contact_link(customer=customer_make(org_a), actor=staff(org_a), contact=company, role="primary")


def test_the_same_person_twice_and_an_unknown_role_are_refused(org_a):
    customer, person = customer_make(org_a), person_make(org_a)
    customer_contact_link(customer=customer, actor=staff(org_a), contact=person, role="billing")
    with pytest.raises(PorticoError):
        customer_contact_link(customer=customer, actor=staff(org_a), contact=person, role="legal")
    with pytest.raises(PorticoError):
        customer_contact_link(customer=customer, actor=staff(org_a), contact=person_make(org_a), role="boss")
    assert CustomerContact.objects.count() == 1
