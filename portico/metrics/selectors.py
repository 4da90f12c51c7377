"""Reads of the metrics catalog and of customers' scores, inside the organization (another
organization's ids are a 404)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from portico.customers.models import Customer
from portico.jobs.models import Job
from portico.metrics.bulk import KIND
from portico.metrics.models import ManualValue, Metric, MetricKind, ScoreEntry
from portico.orgs.models import Organization

HISTORY = 20  # the newest calculations shown on a customer


def metric_list(*, org: Organization) -> list[Metric]:
    """The catalog in its order, each metric with ``share``: its weight as a percentage of the
    weights of the metrics in use (None for one not in use). One query."""
    metrics = list(Metric.objects.filter(org=org).order_by("position", "id"))
    total = sum((m.weight for m in metrics if m.active), Decimal(0))
    for m in metrics:
        m.share = (  # type: ignore[attr-defined]
            (100 * m.weight / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if m.active and total else None
        )
    return metrics


def metric_get(*, org: Organization, metric_id: int) -> Metric:
    return get_object_or_404(Metric.objects.select_related("org"), org=org, pk=metric_id)


def score_history(*, customer: Customer, limit: int = HISTORY) -> QuerySet[ScoreEntry]:
    """The newest calculations first (index score_entry_customer)."""
    # With its job: a job's rows keep only the raw values, the job its metrics (scoring.entry_rows).
    return ScoreEntry.objects.filter(customer=customer).select_related("job").order_by("-computed_at", "-id")[:limit]


def manual_values(*, customer: Customer) -> list[dict[str, Any]]:
    """Each manual metric in use with the customer's value (None: not entered). Two queries."""
    metrics = list(
        Metric.objects.filter(org_id=customer.org_id, kind=MetricKind.MANUAL, active=True).order_by("position", "id")
    )
    values = dict(ManualValue.objects.filter(customer=customer, metric__in=metrics).values_list("metric_id", "value"))
    return [{"metric": m, "value": values.get(m.pk)} for m in metrics]


def scores_job_latest(*, org: Organization) -> Job | None:
    """The newest "Update Clients' scores" job (its progress on the catalog page)."""
    return Job.objects.filter(org=org, kind=KIND).order_by("-created_at", "-id").first()
