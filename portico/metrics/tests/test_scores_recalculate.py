""" "Update Clients' scores": every customer that is not inactive, set-based (one INSERT of the
history per chunk, whatever its size), inactive customers skipped, the same scores as one by
one, progress in the background, and one summary audit row."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portico.audit.models import AuditAction, AuditEvent
from portico.core.errors import PorticoError
from portico.customers.models import Customer, CustomerStatus
from portico.jobs.kinds import KINDS
from portico.jobs.models import Job
from portico.metrics import bulk
from portico.metrics.actions import scores_recalculate_start
from portico.metrics.models import MetricKind, ScoreEntry
from portico.metrics.scoring import breakdown_for, entry_rows, specs_for
from portico.metrics.tests.factories import customer_make, manual_value, metric_make, staff, work_job
from testing.world import run_tasks

pytestmark = pytest.mark.django_db


def _catalog_and_customers(world, n=6):
    manual = metric_make(world, name="Relationship", weight="2", scale_max="10")
    metric_make(world, name="Jobs", kind=MetricKind.JOBS, weight="1", scale_max="3")
    customers = []
    for i in range(n):
        c = customer_make(world, status=CustomerStatus.PARTIAL if i % 2 else CustomerStatus.ACTIVE)
        manual_value(c, manual, str(i))
        for _ in range(i % 4):
            work_job(c)
        customers.append(c)
    return customers


def test_every_customer_but_the_inactive_in_one_statement(org_a, org_b):
    customers = _catalog_and_customers(org_a)
    inactive = customer_make(org_a, status=CustomerStatus.INACTIVE)
    elsewhere = customer_make(org_b)
    with CaptureQueriesContext(connection) as ctx:
        job = scores_recalculate_start(org=org_a.org, actor=staff(org_a))
    inserts = [q for q in ctx.captured_queries if "INSERT INTO metrics_scoreentry" in q["sql"].replace('"', "")]
    assert len(inserts) == 1
    assert (job.state, job.total, job.processed, job.count("scored")) == ("done", 6, 6, 6)
    assert set(ScoreEntry.objects.values_list("customer_id", flat=True)) == {c.pk for c in customers}
    assert ScoreEntry.objects.filter(job=job).count() == 6
    for pk in (inactive.pk, elsewhere.pk):
        assert Customer.objects.get(pk=pk).score is None
    specs = specs_for(org_a.org)
    for c in customers:
        c.refresh_from_db()
        python, _rows = breakdown_for(c, specs, now=c.scored_at)
        assert c.score == python
    assert Customer.objects.get(pk=customers[3].pk).score == Decimal("53.33")  # (2 × 0.3 + 1 × 1) / 3
    event = AuditEvent.objects.get(action=AuditAction.SCORES_RECALCULATED)
    assert event.detail["scored"] == 6 and event.detail["job"] == job.pk


def test_a_jobs_history_rows_keep_the_raw_values_and_show_every_metric(org_a):
    customers = _catalog_and_customers(org_a)
    job = scores_recalculate_start(org=org_a.org, actor=staff(org_a))
    specs = specs_for(org_a.org)
    entry = ScoreEntry.objects.select_related("job").get(job=job, customer=customers[3])
    assert entry.breakdown == [3, 3]  # the raw values only: the job keeps the metrics
    c = Customer.objects.get(pk=customers[3].pk)
    score, rows = breakdown_for(c, specs, now=c.scored_at)
    assert entry_rows(entry) == rows and entry.score == score
    assert [(r["name"], r["normalized"]) for r in rows] == [("Relationship", 0.3), ("Jobs", 1.0)]


def test_refused_without_a_metric(org_a):
    customer_make(org_a)
    with pytest.raises(PorticoError):
        scores_recalculate_start(org=org_a.org, actor=staff(org_a))
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_large_runs_go_to_the_worker_with_progress(org_a, monkeypatch, client):
    monkeypatch.setitem(KINDS, bulk.KIND, dataclasses.replace(bulk.KIND_SCORES, inline_limit=3, chunk_size=2))
    customers = _catalog_and_customers(org_a, n=7)
    customer_make(org_a, status=CustomerStatus.INACTIVE)
    client.force_login(org_a.admin)
    response = client.post(reverse("scores_recalculate", args=["alpha"]))
    assert response["Location"] == reverse("metric_list", args=["alpha"])
    job = Job.objects.get()
    assert (job.state, job.total) == ("queued", 7)
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in page and "<progress" in page
    run_tasks()
    job.refresh_from_db()
    assert (job.state, job.processed, job.count("scored"), job.percent) == ("done", 7, 7, 100)
    assert ScoreEntry.objects.filter(job=job).count() == 7
    assert all(c.score is not None for c in Customer.objects.filter(pk__in=[c.pk for c in customers]))
    partial = client.get(reverse("job_detail", args=["alpha", job.pk]), HTTP_HX_REQUEST="true")
    assert partial["HX-Refresh"] == "true"
    assert "7 customers scored" in client.get(response["Location"]).content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.SCORES_RECALCULATED, detail__job=job.pk).count() == 1


def test_refused_while_another_update_is_running(org_a):
    metric_make(org_a)
    customer_make(org_a)
    Job.objects.create(org=org_a.org, kind=bulk.KIND, state="running", total=1)
    with pytest.raises(PorticoError) as refused:
        scores_recalculate_start(org=org_a.org, actor=staff(org_a))
    assert refused.value.code == "job_running"
    assert Job.objects.count() == 1 and not ScoreEntry.objects.exists()
