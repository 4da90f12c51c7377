"""Creating, changing and deleting metrics: the rules (name unique per organization in any case,
weight > 0, kind, full marks > 0, hours), and the audit rows."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portico.audit.models import AuditAction, AuditEvent
from portico.core.errors import PorticoError
from portico.metrics.actions import metric_create, metric_delete, metric_update, metric_values_set
from portico.metrics.models import ManualValue, Metric, MetricKind
from portico.metrics.tests.factories import customer_make, metric_make, staff

pytestmark = pytest.mark.django_db


def test_create_with_its_audit_row_at_the_end_of_the_catalog(org_a):
    first = metric_make(org_a, name="Relationship", weight="3")
    second = metric_create(
        org=org_a.org, actor=staff(org_a), name="Tenure", kind=MetricKind.TENURE, weight="1.5", scale_max="24"
    )
    assert second.position > first.position
    assert (second.weight, second.scale_max, second.kind) == (Decimal("1.50"), Decimal("24.00"), "tenure")
    event = AuditEvent.objects.filter(action=AuditAction.METRIC_CREATED).latest("id")
    assert event.target_id == str(second.pk) and event.detail["weight"] == "1.50"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "X", "weight": "0"}, "weight"),
        ({"name": "X", "weight": "-1"}, "weight"),
        ({"name": "X", "weight": "abc"}, "weight"),
        ({"name": "X", "kind": "astrology"}, "kind"),
        ({"name": "X", "scale_max": "0"}, "scale_max"),
        ({"name": "X", "kind": MetricKind.REQUESTS_ON_TIME, "hours_to_answer": 0}, "hours_to_answer"),
    ],
)
def test_invalid_fields_are_refused_and_nothing_is_saved(org_a, fields, field):
    with pytest.raises(PorticoError) as refused:
        metric_create(org=org_a.org, actor=staff(org_a), **fields)
    assert refused.value.extra["field"] == field
    assert not Metric.objects.exists()


def test_the_name_is_unique_per_organization_in_any_case(org_a, org_b):
    metric_make(org_a, name="Relationship")
    with pytest.raises(PorticoError) as refused:
        metric_make(org_a, name="RELATIONSHIP")
    assert refused.value.code == "duplicate"
    metric_make(org_b, name="Relationship")  # another organization may
    assert Metric.objects.count() == 2


def test_a_payment_method_scores_full_marks_at_one(org_a):
    metric = metric_make(org_a, kind=MetricKind.PAYMENT_METHOD, scale_max="50")
    assert metric.scale_max == Decimal("1.00")


def test_update_records_what_changed(org_a):
    metric = metric_make(org_a, name="Jobs", kind=MetricKind.JOBS, weight="1", scale_max="10")
    metric_update(metric=metric, actor=staff(org_a), weight="2", name="Jobs done")
    metric.refresh_from_db()
    assert (metric.name, metric.weight, metric.scale_max) == ("Jobs done", Decimal("2.00"), Decimal("10.00"))
    event = AuditEvent.objects.filter(action=AuditAction.METRIC_CHANGED).latest("id")
    assert event.detail == {"name": ["Jobs", "Jobs done"], "weight": ["1.00", "2.00"]}


def test_update_to_another_metrics_name_is_refused(org_a):
    metric_make(org_a, name="Tenure")
    other = metric_make(org_a, name="Jobs")
    with pytest.raises(PorticoError):
        metric_update(metric=other, actor=staff(org_a), name="tenure")
    other.refresh_from_db()
    assert other.name == "Jobs"


def test_delete_takes_its_manual_values_and_is_audited(org_a):
    metric = metric_make(org_a)
    metric_values_set(customer=customer_make(org_a), actor=staff(org_a), values={metric.pk: "3"})
    metric_delete(metric=metric, actor=staff(org_a))
    assert not Metric.objects.exists() and not ManualValue.objects.exists()
    event = AuditEvent.objects.filter(action=AuditAction.METRIC_DELETED).latest("id")
    assert event.detail["manual_values"] == 1
