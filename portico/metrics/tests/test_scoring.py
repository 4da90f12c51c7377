"""The score: a hand-computed example to the decimal, Python and SQL agree on the same customers,
half-up rounding, and what each kind reads (cancelled jobs, expired documents, requests not due)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from portico.customers.models import Customer, CustomerStatus
from portico.metrics.actions import customer_score_update
from portico.metrics.models import MetricKind, ScoreEntry
from portico.metrics.scoring import breakdown_for, scoreable, scores_write_sql, specs_for
from portico.metrics.tests.factories import (
    client_request,
    customer_make,
    document,
    manual_value,
    metric_make,
    payment_method,
    staff,
    work_job,
)
from portico.work.models import JobState as WorkJobState

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)


def _catalog(world):
    return {
        "manual": metric_make(world, name="Relationship", kind=MetricKind.MANUAL, weight="3", scale_max="10"),
        "tenure": metric_make(world, name="Tenure", kind=MetricKind.TENURE, weight="2", scale_max="24"),
        "jobs": metric_make(world, name="Jobs", kind=MetricKind.JOBS, weight="1.5", scale_max="4"),
        "card": metric_make(world, name="Card on file", kind=MetricKind.PAYMENT_METHOD, weight="1"),
        "requests": metric_make(
            world, name="On time", kind=MetricKind.REQUESTS_ON_TIME, weight="2", scale_max="1", hours_to_answer=24
        ),
        "docs": metric_make(world, name="Documents", kind=MetricKind.VALID_DOCUMENTS, weight="0.7", scale_max="3"),
    }


def _the_example(world):
    """Hand-computed (docs/scores.md):
    Relationship 7.5 / 10 = 0.75 × 3; Tenure 13 months (2025-04-20 → 2026-06-15) / 24 = 0.5417 × 2;
    Jobs 3 (a 4th is cancelled) / 4 = 0.75 × 1.5; Card on file 1 × 1; On time 1 of 3 due
    (2 h: in time; 30 h: late; unanswered for 3 days: late; 1 hour old: not due) = 0.3333 × 2;
    Documents 3 valid (none, tomorrow, today; yesterday's expired) / 3 = 1 × 0.7.
    Σ = 2.25 + 1.0834 + 1.125 + 1 + 0.6666 + 0.7 = 6.825; Σ weights = 10.2;
    score = 100 × 6.825 / 10.2 = 66.9117… → 66.91."""
    metrics = _catalog(world)
    customer = customer_make(world, created_at=dt.datetime(2025, 4, 20, 9, 0, tzinfo=dt.UTC))
    manual_value(customer, metrics["manual"], "7.5")
    for state in (WorkJobState.NEW, WorkJobState.IN_PROGRESS, WorkJobState.COMPLETED, WorkJobState.CANCELLED):
        work_job(customer, state=state)
    payment_method(customer)
    payment_method(customer, state="removed")
    client_request(customer, world.admin, created_at=NOW - dt.timedelta(days=5), answered_after=dt.timedelta(hours=2))
    client_request(customer, world.admin, created_at=NOW - dt.timedelta(days=4), answered_after=dt.timedelta(hours=30))
    client_request(customer, world.admin, created_at=NOW - dt.timedelta(days=3))
    client_request(customer, world.admin, created_at=NOW - dt.timedelta(hours=1))
    today = NOW.date()
    for expires in (None, today + dt.timedelta(days=1), today, today - dt.timedelta(days=1)):
        document(customer, expires_on=expires)
    return customer, metrics


EXPECTED = {
    "Relationship": (7.5, 0.75),
    "Tenure": (13, 0.5417),
    "Jobs": (3, 0.75),
    "Card on file": (1, 1),
    "On time": (0.3333, 0.3333),
    "Documents": (3, 1),
}


def test_the_hand_computed_example_to_the_decimal(org_a):
    customer, _ = _the_example(org_a)
    with time_machine.travel(NOW, tick=False):
        entry = customer_score_update(customer=customer, actor=staff(org_a))
    assert entry.score == Decimal("66.91")
    customer.refresh_from_db()
    assert customer.score == Decimal("66.91") and customer.scored_at == NOW
    assert {row["name"]: (row["raw"], row["normalized"]) for row in entry.breakdown} == EXPECTED
    assert [row["weight"] for row in entry.breakdown] == [3, 2, 1.5, 1, 2, 0.7]


def test_the_sql_gives_the_hand_computed_example_too(org_a):
    customer, _ = _the_example(org_a)
    scored = scores_write_sql(scoreable(org_a.org), specs_for(org_a.org), now=NOW, job_id=None)
    assert scored == 1
    entry = ScoreEntry.objects.get(customer=customer)
    assert entry.score == Decimal("66.91")
    assert {row["name"]: (row["raw"], row["normalized"]) for row in entry.breakdown} == EXPECTED
    customer.refresh_from_db()
    assert customer.score == Decimal("66.91") and customer.scored_at == NOW


def _varied(world, metrics, n=12):
    customers = []
    for i in range(n):
        c = customer_make(world, created_at=NOW - dt.timedelta(days=37 * i + 3))
        if i % 2:
            manual_value(c, metrics["manual"], str(Decimal(i) * Decimal("0.83")))
        for _ in range(i % 5):
            work_job(c)
        if i % 3 == 0:
            payment_method(c)
        for k in range(i % 4):
            client_request(
                c,
                world.admin,
                created_at=NOW - dt.timedelta(hours=20 * k + 5),
                answered_after=dt.timedelta(hours=7 * k + i) if (i + k) % 3 else None,
            )
        for k in range(i % 3):
            document(c, expires_on=NOW.date() + dt.timedelta(days=(i - 6) * (k + 1)))
        customers.append(c)
    return customers


def test_python_and_sql_agree_on_the_same_customers(org_a):
    metrics = _catalog(org_a)
    customers = _varied(org_a, metrics)
    specs = specs_for(org_a.org)
    python = {}
    for c in customers:
        score, rows = breakdown_for(c, specs, now=NOW)
        python[c.pk] = (score, rows)
    scores_write_sql(scoreable(org_a.org), specs, now=NOW, job_id=None)
    sql = {e.customer_id: (e.score, e.breakdown) for e in ScoreEntry.objects.all()}
    assert sql == python
    assert len({score for score, _ in python.values()}) > 6  # varied enough to mean something


def test_half_up_rounding_both_ways(org_a):
    tiny = metric_make(org_a, name="Tiny", weight="1", scale_max="10000")
    metric_make(org_a, name="Nothing", weight="1")
    customer = customer_make(org_a)
    manual_value(customer, tiny, "1")  # 0.0001 × 1 / 2 × 100 = 0.005 → 0.01
    score, _rows = breakdown_for(customer, specs_for(org_a.org), now=NOW)
    assert score == Decimal("0.01")
    scores_write_sql(scoreable(org_a.org), specs_for(org_a.org), now=NOW, job_id=None)
    assert ScoreEntry.objects.get().score == Decimal("0.01")


def test_no_requests_due_counts_as_all_in_time_and_no_manual_value_as_zero(org_a):
    metric_make(org_a, name="On time", kind=MetricKind.REQUESTS_ON_TIME, scale_max="1")
    metric_make(org_a, name="Manual", weight="1")
    customer = customer_make(org_a)
    client_request(customer, org_a.admin, created_at=timezone.now())  # not due yet
    score, rows = breakdown_for(customer, specs_for(org_a.org), now=timezone.now())
    assert score == Decimal("50.00")
    assert [(r["raw"], r["normalized"]) for r in rows] == [(None, 1), (None, 0)]


def test_inactive_customers_are_not_scoreable(org_a):
    active = customer_make(org_a)
    partial = customer_make(org_a, status=CustomerStatus.PARTIAL)
    customer_make(org_a, status=CustomerStatus.INACTIVE)
    assert set(scoreable(org_a.org)) == {active, partial}
    assert Customer.objects.count() == 3
