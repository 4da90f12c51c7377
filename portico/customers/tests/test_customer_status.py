"""Deactivate (PAIN/ACTV → INAC, at once) and activate (→ ACTV if complete, else PAIN); audited
through CUSTOMER_MACHINE; no notifications."""

from __future__ import annotations

import pytest

from portico.audit.models import AuditAction, AuditEvent
from portico.core.errors import InvalidTransition
from portico.customers.actions import customer_activate, customer_deactivate
from portico.customers.models import Customer, CustomerStatus
from portico.customers.tests.factories import customer_complete, customer_make, staff
from portico.notifications.models import Notification
from portico.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_deactivate_then_activate_a_complete_customer_goes_back_to_active(org_a):
    customer = customer_complete(org_a)
    customer_deactivate(customer=customer, actor=staff(org_a))
    assert Customer.objects.get(pk=customer.pk).status == CustomerStatus.INACTIVE
    customer_activate(customer=customer, actor=staff(org_a))
    assert Customer.objects.get(pk=customer.pk).status == CustomerStatus.ACTIVE
    moves = [
        (e.from_state, e.to_state)
        for e in AuditEvent.objects.filter(action=AuditAction.CUSTOMER_STATUS_CHANGED).order_by("id")
    ]
    assert moves[-2:] == [("ACTV", "INAC"), ("INAC", "ACTV")]
    assert Notification.objects.count() == 0 and OutboxMessage.objects.count() == 0


def test_an_incomplete_customer_is_activated_back_to_partial(org_a):
    customer = customer_make(org_a)
    customer_deactivate(customer=customer, actor=staff(org_a))
    customer_activate(customer=customer, actor=staff(org_a))
    assert Customer.objects.get(pk=customer.pk).status == CustomerStatus.PARTIAL


def test_moves_the_table_does_not_allow_are_refused(org_a):
    customer = customer_make(org_a)
    with pytest.raises(InvalidTransition):
        customer_activate(customer=customer, actor=staff(org_a))
    customer_deactivate(customer=customer, actor=staff(org_a))
    with pytest.raises(InvalidTransition):
        customer_deactivate(customer=customer, actor=staff(org_a))
