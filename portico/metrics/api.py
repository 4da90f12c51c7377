"""/api/v1: the metrics catalog and customers' scores (an API key or a session, ``?org=``).

GET /metrics (customers.view); GET /customers/{customer_id}/score (customers.view): the score (null
until computed) and the newest calculations with their breakdown; POST /customers/{customer_id}/score
(customers.manage): "Update score", refused for an inactive customer (400 ``customer_inactive``,
nothing changes); POST /scores/recalculate (metrics.manage): "Update Clients' scores", the job and
its progress; GET /scores/recalculate/{job_id}: the progress. Another organization's ids are a 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Schema, Status

from portico.customers.selectors import customer_get
from portico.jobs.models import Job
from portico.metrics import actions, selectors
from portico.metrics.bulk import KIND
from portico.metrics.models import Metric, ScoreEntry
from portico.metrics.scoring import entry_rows
from portico.orgs.api_shared import api_caller, api_router
from portico.orgs.permissions import Permission

router = api_router(tags=["metrics"])


class MetricOut(Schema):
    id: int
    name: str
    kind: str
    weight: Decimal
    share: Decimal | None = Field(description="The weight as a percentage of the metrics in use; null when not in use.")
    scale_max: Decimal = Field(description="Full marks at: the raw value that scores 1.")
    hours_to_answer: int
    active: bool


class BreakdownOut(Schema):
    id: int
    name: str
    kind: str
    weight: float
    raw: float | None
    normalized: float


class ScoreEntryOut(Schema):
    score: Decimal
    computed_at: dt.datetime
    job: int | None = Field(description="The bulk job that computed it; null for one customer's update.")
    breakdown: list[BreakdownOut]


class ScoreOut(Schema):
    customer: int
    status: str
    score: Decimal | None = Field(description="Null until a calculation has run (shown as “–”).")
    scored_at: dt.datetime | None
    history: list[ScoreEntryOut] = Field(description="The newest calculations first (at most 20).")


class JobOut(Schema):
    id: int
    state: str
    total: int
    processed: int
    percent: int
    scored: int
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


def _metric_out(m: Metric) -> MetricOut:
    return MetricOut(
        id=m.pk,
        name=m.name,
        kind=m.kind,
        weight=m.weight,
        share=getattr(m, "share", None),
        scale_max=m.scale_max,
        hours_to_answer=m.hours_to_answer,
        active=m.active,
    )


def _entry_out(e: ScoreEntry) -> ScoreEntryOut:
    return ScoreEntryOut(
        score=e.score, computed_at=e.computed_at, job=e.job_id, breakdown=[BreakdownOut(**row) for row in entry_rows(e)]
    )


def _score_out(customer: Any) -> ScoreOut:
    return ScoreOut(
        customer=customer.pk,
        status=customer.status,
        score=customer.score,
        scored_at=customer.scored_at,
        history=[_entry_out(e) for e in selectors.score_history(customer=customer)],
    )


def _job_out(job: Job) -> JobOut:
    return JobOut(
        id=job.pk,
        state=job.state,
        total=job.total,
        processed=job.processed,
        percent=job.percent,
        scored=job.count("scored"),
        error=job.error,
        created_at=job.created_at,
        finished_at=job.finished_at,
    )


@router.get("/metrics", response=list[MetricOut], summary="The metrics catalog")
def metric_list(request: HttpRequest, org: str | None = None) -> list[MetricOut]:
    caller = api_caller(request, org, Permission.CUSTOMERS_VIEW)
    return [_metric_out(m) for m in selectors.metric_list(org=caller.ctx.org)]


@router.get("/customers/{customer_id}/score", response=ScoreOut, summary="A customer's score and history")
def customer_score(request: HttpRequest, customer_id: int, org: str | None = None) -> ScoreOut:
    caller = api_caller(request, org, Permission.CUSTOMERS_VIEW)
    return _score_out(customer_get(org=caller.ctx.org, customer_id=customer_id))


@router.post("/customers/{customer_id}/score", response=ScoreOut, summary="Update one customer's score")
def customer_score_update(request: HttpRequest, customer_id: int, org: str | None = None) -> ScoreOut:
    """Refused for an inactive customer (``customer_inactive``) and when no metric is in use (``no_metrics``)."""
    caller = api_caller(request, org, Permission.CUSTOMERS_MANAGE)
    customer = customer_get(org=caller.ctx.org, customer_id=customer_id)
    actions.customer_score_update(customer=customer, actor=caller.actor)
    customer.refresh_from_db()
    return _score_out(customer)


@router.post("/scores/recalculate", response={202: JobOut}, summary="Update every customer's score")
def scores_recalculate(request: HttpRequest, org: str | None = None) -> Status:
    """Starts the job (small organizations are done at once); poll GET /scores/recalculate/{job_id}."""
    caller = api_caller(request, org, Permission.METRICS_MANAGE)
    job = actions.scores_recalculate_start(org=caller.ctx.org, actor=caller.actor)
    return Status(202, _job_out(job))


@router.get("/scores/recalculate/{job_id}", response=JobOut, summary="The progress of a score update")
def scores_recalculate_progress(request: HttpRequest, job_id: int, org: str | None = None) -> JobOut:
    caller = api_caller(request, org, Permission.METRICS_MANAGE)
    return _job_out(get_object_or_404(Job, org=caller.ctx.org, kind=KIND, pk=job_id))
