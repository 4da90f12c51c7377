"""/api/v1/jobs: jobs as JSON (``jobs.manage``; an API key or a session, ``?org=``).

List (filters, keyset cursor), read, change state (``{"action": "schedule" | "unschedule" | "start" |
"complete" | "cancel"}``; a move the job's state does not allow is the one error shape, a 409
``invalid_transition``), assign. Another organization's ids are a 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Schema
from pydantic import ConfigDict

from portico.accounts.models import User
from portico.orgs.api_shared import ID_MAX, ORG_PARAM_HELP, InvalidInput, api_caller, api_router
from portico.orgs.permissions import Permission
from portico.work import actions, selectors
from portico.work.models import JOB_MACHINE, Job, JobState

router = api_router(tags=["work"])


class JobListQuery(Schema):
    org: str | None = Field(None, description=ORG_PARAM_HELP)
    state: JobState | None = None
    assignee: int | None = Field(None, ge=1, le=ID_MAX, description="A staff member's user id.")
    client: int | None = Field(None, ge=1, le=ID_MAX, description="A client record's id.")
    cursor: str = Field("", description="next_cursor of the previous page.")


class JobOut(Schema):
    id: int
    number: int
    label: str
    title: str
    state: str
    origin: str
    client: int
    client_name: str
    assignee: int | None
    scheduled_for: dt.datetime | None
    total: Decimal | None = Field(description="In ``currency``; null when the job has no total.")
    currency: str
    created_at: dt.datetime


class JobDetailOut(JobOut):
    scope: str
    estimate: int | None
    agreement: int | None
    payment_method: int | None
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    cancel_reason: str
    allowed_actions: list[str] = Field(description="The moves the job's state allows now.")


class JobPageOut(Schema):
    items: list[JobOut]
    next_cursor: str | None


class MoveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    action: Literal["schedule", "unschedule", "start", "complete", "cancel"]
    scheduled_for: dt.datetime | None = Field(
        None, description="With schedule: the date and time, with its UTC offset (ISO 8601)."
    )
    reason: str = Field("", max_length=actions.MAX_REASON, description="With cancel: why (required).")


class AssignIn(Schema):
    model_config = ConfigDict(extra="forbid")

    assignee: int | None = Field(
        ..., ge=1, le=ID_MAX, description="A staff member who manages jobs (user id); null: nobody."
    )


def _out(job: Job) -> JobOut:
    return JobOut(
        id=job.pk,
        number=job.number,
        label=job.label,
        title=job.title,
        state=job.state,
        origin=job.origin,
        client=job.client_id,
        client_name=job.client.name,
        assignee=job.assignee_id,
        scheduled_for=job.scheduled_for,
        total=job.total,
        currency=job.currency,
        created_at=job.created_at,
    )


def _detail_out(job: Job) -> JobDetailOut:
    return JobDetailOut(
        **_out(job).model_dump(),
        scope=job.scope,
        estimate=job.estimate_id,
        agreement=job.agreement_id,
        payment_method=job.payment_method_id,
        started_at=job.started_at,
        completed_at=job.completed_at,
        cancelled_at=job.cancelled_at,
        cancel_reason=job.cancel_reason,
        allowed_actions=JOB_MACHINE.allowed_actions(job.state),
    )


@router.get("/jobs", response=JobPageOut, summary="List jobs")
def job_list(request: HttpRequest, query: Query[JobListQuery]) -> JobPageOut:
    """Newest first, 25 a page, by keyset (as the staff list)."""
    caller = api_caller(request, query.org, Permission.JOBS_MANAGE)
    page = selectors.job_page(
        org=caller.ctx.org,
        filters=selectors.JobFilters(state=query.state or "", assignee=query.assignee, client=query.client),
        cursor=query.cursor,
    )
    return JobPageOut(items=[_out(j) for j in page.rows], next_cursor=page.next_cursor)


@router.get("/jobs/{job_id}", response=JobDetailOut, summary="A job with its links")
def job_detail(request: HttpRequest, job_id: int, org: str | None = None) -> JobDetailOut:
    caller = api_caller(request, org, Permission.JOBS_MANAGE)
    return _detail_out(selectors.job_get(org=caller.ctx.org, job_id=job_id))


@router.post("/jobs/{job_id}/state", response=JobDetailOut, summary="Change a job's state")
def job_move(request: HttpRequest, job_id: int, payload: MoveIn, org: str | None = None) -> JobDetailOut:
    """schedule (with ``scheduled_for``; a scheduled job moves to the new time), unschedule, start,
    complete, cancel (with ``reason``)."""
    caller = api_caller(request, org, Permission.JOBS_MANAGE)
    job = selectors.job_get(org=caller.ctx.org, job_id=job_id)
    if payload.action == "schedule":
        when = payload.scheduled_for
        if when is None or timezone.is_naive(when):
            raise InvalidInput(
                "Give scheduled_for with its UTC offset.", code="invalid", extra={"field": "scheduled_for"}
            )
        actions.job_schedule(job=job, actor=caller.actor, scheduled_for=when)
    elif payload.action == "cancel":
        actions.job_cancel(job=job, actor=caller.actor, reason=payload.reason)
    else:
        actions.MOVES[payload.action](job=job, actor=caller.actor)
    return _detail_out(selectors.job_get(org=caller.ctx.org, job_id=job_id))


@router.post("/jobs/{job_id}/assign", response=JobDetailOut, summary="Assign a job to a staff member")
def job_assign(request: HttpRequest, job_id: int, payload: AssignIn, org: str | None = None) -> JobDetailOut:
    caller = api_caller(request, org, Permission.JOBS_MANAGE)
    job = selectors.job_get(org=caller.ctx.org, job_id=job_id)
    assignee = None
    if payload.assignee is not None:
        if payload.assignee not in dict(selectors.job_assignable(org=caller.ctx.org)):
            raise InvalidInput(
                "Choose a staff member of this organization who manages jobs.",
                code="invalid",
                extra={"field": "assignee"},
            )
        assignee = User.objects.get(pk=payload.assignee)
    actions.job_assign(job=job, actor=caller.actor, assignee=assignee)
    return _detail_out(selectors.job_get(org=caller.ctx.org, job_id=job_id))
