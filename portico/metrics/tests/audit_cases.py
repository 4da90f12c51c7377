"""The metrics app's cases for audit/tests/test_every_action_is_audited.py (action -> case(world, settings))."""

from __future__ import annotations

from collections.abc import Callable

from portico.audit.models import AuditAction
from portico.metrics.actions import (
    customer_score_update,
    metric_delete,
    metric_update,
    metric_values_set,
    scores_recalculate_start,
)
from portico.metrics.tests.factories import customer_make, metric_make, staff
from testing.world import World


def _scored(w: World) -> None:
    metric_make(w)
    customer_score_update(customer=customer_make(w), actor=staff(w))


def _recalculated(w: World) -> None:
    metric_make(w)
    customer_make(w)
    scores_recalculate_start(org=w.org, actor=staff(w))  # small: done in the call, summary row written


AUDIT_CASES: dict[str, Callable[..., object]] = {
    AuditAction.METRIC_CREATED: lambda w, s: metric_make(w),
    AuditAction.METRIC_CHANGED: lambda w, s: metric_update(metric=metric_make(w), actor=staff(w), weight="2.5"),
    AuditAction.METRIC_DELETED: lambda w, s: metric_delete(metric=metric_make(w), actor=staff(w)),
    AuditAction.METRIC_VALUE_SET: lambda w, s: metric_values_set(
        customer=customer_make(w), actor=staff(w), values={metric_make(w).pk: "4"}
    ),
    AuditAction.CUSTOMER_SCORED: lambda w, s: _scored(w),
    AuditAction.SCORES_RECALCULATED: lambda w, s: _recalculated(w),
}
