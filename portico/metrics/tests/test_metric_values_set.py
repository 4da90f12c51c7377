"""Manual values: 0..full marks, only manual metrics of the customer's organization, cleared by
an empty value, refused for an inactive customer (nothing changes), audited."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portico.audit.models import AuditAction, AuditEvent
from portico.core.errors import PorticoError
from portico.customers.models import CustomerStatus
from portico.metrics.actions import metric_values_set
from portico.metrics.models import ManualValue, MetricKind
from portico.metrics.tests.factories import customer_make, metric_make, staff

pytestmark = pytest.mark.django_db


def test_set_change_and_clear(org_a):
    metric = metric_make(org_a, scale_max="10")
    customer = customer_make(org_a)
    metric_values_set(customer=customer, actor=staff(org_a), values={metric.pk: "7.5"})
    metric_values_set(customer=customer, actor=staff(org_a), values={metric.pk: "8"})
    assert ManualValue.objects.get().value == Decimal("8.00")
    metric_values_set(customer=customer, actor=staff(org_a), values={metric.pk: ""})
    assert not ManualValue.objects.exists()
    details = [e.detail for e in AuditEvent.objects.filter(action=AuditAction.METRIC_VALUE_SET).order_by("id")]
    assert details == [
        {"values": {metric.name: "7.50"}},
        {"values": {metric.name: "8.00"}},
        {"values": {metric.name: None}},
    ]


@pytest.mark.parametrize("value", ["-1", "10.01", "lots"])
def test_out_of_the_scale_is_refused(org_a, value):
    metric = metric_make(org_a, scale_max="10")
    with pytest.raises(PorticoError):
        metric_values_set(customer=customer_make(org_a), actor=staff(org_a), values={metric.pk: value})
    assert not ManualValue.objects.exists()


def test_only_manual_metrics_of_the_same_organization(org_a, org_b):
    computed = metric_make(org_a, kind=MetricKind.TENURE)
    elsewhere = metric_make(org_b)
    customer = customer_make(org_a)
    for metric in (computed, elsewhere):
        with pytest.raises(PorticoError):
            metric_values_set(customer=customer, actor=staff(org_a), values={metric.pk: "1"})
    assert not ManualValue.objects.exists()


def test_refused_for_an_inactive_customer(org_a):
    metric = metric_make(org_a)
    customer = customer_make(org_a, status=CustomerStatus.INACTIVE)
    with pytest.raises(PorticoError) as refused:
        metric_values_set(customer=customer, actor=staff(org_a), values={metric.pk: "1"})
    assert refused.value.code == "customer_inactive" and "Reactivate the customer first" in str(refused.value.message)
    assert not ManualValue.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.METRIC_VALUE_SET).exists()
