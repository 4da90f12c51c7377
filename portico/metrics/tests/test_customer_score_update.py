""" "Update score" on one customer: "–" (None) until it runs; then the score, the history row with
its breakdown and the audit row. Refused for an inactive customer and with no metric in use —
the database unchanged. Activating does not invent a score."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portico.audit.models import AuditAction, AuditEvent
from portico.core.errors import PorticoError
from portico.customers.models import Customer, CustomerStatus
from portico.metrics.actions import customer_score_update, metric_update
from portico.metrics.models import ScoreEntry
from portico.metrics.tests.factories import customer_make, manual_value, metric_make, staff

pytestmark = pytest.mark.django_db


def test_no_score_until_the_first_calculation_then_the_number(org_a):
    metric = metric_make(org_a, scale_max="8")
    customer = customer_make(org_a)
    manual_value(customer, metric, "6")
    assert customer.score is None and customer.scored_at is None
    entry = customer_score_update(customer=customer, actor=staff(org_a))
    customer.refresh_from_db()
    assert customer.score == entry.score == Decimal("75.00") and customer.scored_at == entry.computed_at
    assert entry.job is None and entry.breakdown[0]["normalized"] == 0.75
    event = AuditEvent.objects.get(action=AuditAction.CUSTOMER_SCORED)
    assert event.detail == {"score": "75.00", "previous": None, "entry": entry.pk}


def test_each_update_adds_to_the_history(org_a):
    metric = metric_make(org_a, scale_max="10")
    customer = customer_make(org_a)
    manual_value(customer, metric, "5")
    customer_score_update(customer=customer, actor=staff(org_a))
    metric_update(metric=metric, actor=staff(org_a), scale_max="20")
    customer_score_update(customer=customer, actor=staff(org_a))
    assert list(ScoreEntry.objects.order_by("id").values_list("score", flat=True)) == [
        Decimal("50.00"),
        Decimal("25.00"),
    ]
    customer.refresh_from_db()
    assert customer.score == Decimal("25.00")


def test_refused_for_an_inactive_customer_with_the_database_unchanged(org_a):
    metric_make(org_a)
    customer = customer_make(org_a, status=CustomerStatus.INACTIVE)
    with pytest.raises(PorticoError) as refused:
        customer_score_update(customer=customer, actor=staff(org_a))
    assert "Reactivate the customer first" in str(refused.value.message)
    assert not ScoreEntry.objects.exists()
    assert Customer.objects.get(pk=customer.pk).score is None
    assert not AuditEvent.objects.filter(action=AuditAction.CUSTOMER_SCORED).exists()


def test_activating_does_not_invent_a_score(org_a):
    customer = customer_make(org_a, status=CustomerStatus.INACTIVE)
    Customer.objects.filter(pk=customer.pk).update(status=CustomerStatus.ACTIVE)
    assert Customer.objects.get(pk=customer.pk).score is None


def test_refused_without_a_metric_in_use(org_a):
    metric = metric_make(org_a)
    metric_update(metric=metric, actor=staff(org_a), active=False)
    with pytest.raises(PorticoError) as refused:
        customer_score_update(customer=customer_make(org_a), actor=staff(org_a))
    assert refused.value.code == "no_metrics"
    assert not ScoreEntry.objects.exists()
