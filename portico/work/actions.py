"""Every change to jobs: the job made when a client's onboarding completes (exactly once), a job
made by hand, editing its title and scope, assigning it to a staff member, and its moves
(schedule, unschedule, start, complete, cancel) through JOB_MACHINE. Each is an ``@action`` with
its audit row on the job, so the job's page shows its history from the audit log."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portico.accounts.models import User
from portico.agreements.models import Agreement, AgreementState
from portico.audit.actions import audit_record
from portico.audit.decorators import action
from portico.audit.models import AuditAction
from portico.clients.models import Client
from portico.core.actors import Actor
from portico.core.counters import counter_advance, counter_lock, counter_next
from portico.core.errors import PorticoError
from portico.estimates.models import Estimate, EstimateState
from portico.estimates.totals import money_text
from portico.notifications.actions import Event, notify_navigators, notify_user
from portico.notifications.models import EventKind
from portico.orgs.models import Organization
from portico.payments.models import PaymentMethod, PaymentMethodState
from portico.work.models import JOB_MACHINE, Job, JobCounter, JobOrigin, JobState
from portico.work.selectors import job_assignable

MAX_TITLE = 200
MAX_SCOPE = 10_000
MAX_REASON = 500


def _detail(job: Job, **more: Any) -> dict[str, Any]:
    return {"job": job.pk, "number": job.number, "client": job.client_id, **more}


def _url(job: Job, org_slug: str) -> str:
    return reverse("work_job_detail", args=[org_slug, job.pk])


def _title_check(title: str) -> str:
    title = title.strip()
    if not title:
        raise PorticoError(_("Give the job a title."), code="invalid", extra={"field": "title"})
    return title[:MAX_TITLE]


# --- made when onboarding completes ---


def _signed_agreement(client: Client) -> Agreement | None:
    """The client's signed agreement (the newest; a voided one no longer counts)."""
    return (
        Agreement.objects.filter(client=client, state=AgreementState.SIGNED)
        .order_by("-signed_at", "-pk")
        .select_related("estimate")
        .first()
    )


def _approved_estimate(client: Client, agreement: Agreement | None) -> Estimate | None:
    """The estimate the agreement names, if it is approved; else the client's latest approved one."""
    if agreement is not None and agreement.estimate is not None and agreement.estimate.state == EstimateState.APPROVED:
        return agreement.estimate
    return Estimate.objects.filter(client=client, state=EstimateState.APPROVED).order_by("-decided_at", "-pk").first()


@action
def job_create_for_onboarding(*, client: Client, actor: Actor) -> Job:
    """The job of a client whose onboarding just completed (``journey_refresh`` calls it with the
    journey row locked): scope and total from the approved estimate, links to the signed agreement
    and the active payment method. Exactly once per client: a second call (a journey completed
    again, or a race the journey lock did not cover) returns the job already made, and the partial
    unique constraint ``work_job_one_per_onboarding`` refuses a second row whatever happens."""
    org = client.org
    agreement = _signed_agreement(client)
    estimate = _approved_estimate(client, agreement)
    payment_method = PaymentMethod.objects.filter(client=client, state=PaymentMethodState.ACTIVE).first()
    with translation.override(org.language):
        if estimate is not None:
            title = _("Job for %(client)s: estimate #%(number)s") % {"client": client.name, "number": estimate.number}
        else:
            title = client.name
    # Another creator of this client's job (a race the journey lock did not cover) finishes while
    # this one waits for the counter; read again after taking it, so nothing is written twice.
    counter = counter_lock(JobCounter, org_id=org.pk)
    existing = Job.objects.filter(client=client, origin=JobOrigin.ONBOARDING).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():  # a savepoint: the constraint's refusal leaves the caller's transaction usable
            job = Job.objects.create(
                org=org,
                client=client,
                number=counter_advance(counter),
                origin=JobOrigin.ONBOARDING,
                title=title[:MAX_TITLE],
                scope=estimate.scope if estimate is not None else "",
                total=estimate.total if estimate is not None else None,
                currency=estimate.currency if estimate is not None else "",
                estimate=estimate,
                agreement=agreement,
                payment_method=payment_method,
                created_by=actor.user,
            )
    except IntegrityError:
        return Job.objects.get(client=client, origin=JobOrigin.ONBOARDING)
    audit_record(
        org=org,
        actor=actor,
        action=AuditAction.JOB_CREATED,
        target=job,
        target_label=f"{job.label} {client.name}"[:200],
        to_state=job.state,
        detail=_detail(
            job,
            origin=job.origin,
            estimate=job.estimate_id,
            agreement=job.agreement_id,
            payment_method=job.payment_method_id,
            total=str(job.total) if job.total is not None else None,
        ),
    )
    # One notification for the moment: the journey leaves out its own "completed onboarding" one
    # when a job was made (see journey.actions._completed), so this one says both.
    with translation.override(org.language):
        total = f" ({money_text(job.total, job.currency)})" if job.total is not None and job.currency else ""
        notify_navigators(
            client=client,
            event=Event(
                kind=EventKind.JOB_CREATED,
                key=f"job-created:{job.pk}",
                title=(
                    _("%(client)s completed onboarding: job %(label)s was created%(total)s")
                    % {"client": client.name, "label": job.label, "total": total}
                )[:200],
                url=_url(job, org.slug),
            ),
        )
    return job


# --- by hand ---


@action
def job_create(
    *,
    org: Organization,
    client: Client,
    actor: Actor,
    title: str,
    scope: str = "",
    total: Decimal | None = None,
    scheduled_for: dt.datetime | None = None,
) -> Job:
    """A job staff make for a client (in the organization's currency)."""
    if client.org_id != org.pk:
        raise PorticoError(_("That client is not in this organization."), code="invalid")
    if total is not None and total < 0:
        raise PorticoError(_("The total cannot be negative."), code="invalid", extra={"field": "total"})
    job = Job.objects.create(
        org=org,
        client=client,
        number=counter_next(JobCounter, org_id=org.pk),
        origin=JobOrigin.STAFF,
        title=_title_check(title),
        scope=scope.strip()[:MAX_SCOPE],
        total=total,
        currency=org.currency if total is not None else "",
        created_by=actor.user,
    )
    audit_record(
        org=org,
        actor=actor,
        action=AuditAction.JOB_CREATED,
        target=job,
        to_state=job.state,
        detail=_detail(job, origin=job.origin, total=str(total) if total is not None else None),
    )
    if scheduled_for is not None:
        job_schedule(job=job, actor=actor, scheduled_for=scheduled_for)
    return job


def _locked(job: Job) -> Job:
    """The job row again, locked until the transaction ends (a double tap waits here)."""
    fresh = Job.objects.select_for_update(of=("self",)).select_related("org", "client").get(pk=job.pk)
    for name in ("state", "title", "scope", "assignee_id", "scheduled_for", "cancel_reason"):
        setattr(job, name, getattr(fresh, name))
    return fresh


def _copy_back(job: Job, fresh: Job) -> Job:
    for name in (
        "state",
        "title",
        "scope",
        "assignee_id",
        "scheduled_for",
        "started_at",
        "completed_at",
        "cancelled_at",
        "cancel_reason",
    ):
        setattr(job, name, getattr(fresh, name))
    return fresh


@action
def job_update(*, job: Job, actor: Actor, title: str, scope: str) -> Job:
    """Change a job's title and scope (not once it is completed or cancelled)."""
    fresh = _locked(job)
    if fresh.state in (JobState.COMPLETED, JobState.CANCELLED):
        raise PorticoError(
            _("This job is %(state)s: it can no longer be changed.")
            % {"state": JOB_MACHINE.label(fresh.state).lower()},
            code="closed",
        )
    title, scope = _title_check(title), scope.strip()[:MAX_SCOPE]
    changed = [name for name, value in (("title", title), ("scope", scope)) if getattr(fresh, name) != value]
    if not changed:
        return fresh
    Job.objects.filter(pk=fresh.pk).update(title=title, scope=scope)
    fresh.title, fresh.scope = title, scope
    audit_record(
        org=fresh.org_id,
        actor=actor,
        action=AuditAction.JOB_CHANGED,
        target=fresh,
        detail=_detail(fresh, changed=changed),
    )
    return _copy_back(job, fresh)


@action
def job_assign(*, job: Job, actor: Actor, assignee: User | None) -> Job:
    """Give the job to a staff member of its organization who manages jobs (None: nobody). The
    new assignee is told (not when they assigned it to themselves)."""
    fresh = _locked(job)
    if assignee is not None and assignee.pk not in dict(job_assignable(org=fresh.org)):
        raise PorticoError(
            _("Choose a staff member of this organization who manages jobs."),
            code="invalid",
            extra={"field": "assignee"},
        )
    new_id = assignee.pk if assignee is not None else None
    if fresh.assignee_id == new_id:
        return fresh
    before = fresh.assignee_id
    Job.objects.filter(pk=fresh.pk).update(assignee_id=new_id)
    fresh.assignee_id = new_id
    record = audit_record(
        org=fresh.org_id,
        actor=actor,
        action=AuditAction.JOB_ASSIGNED,
        target=fresh,
        detail=_detail(
            fresh, assignee=new_id, assignee_name=assignee.display_name if assignee else "", previous=before
        ),
    )
    if assignee is not None and (actor.user is None or actor.user.pk != assignee.pk):
        with translation.override(assignee.language or fresh.org.language):
            notify_user(
                org=fresh.org,
                user=assignee,
                client=fresh.client,
                event=Event(
                    kind=EventKind.JOB_ASSIGNED,
                    key=f"job-assigned:{record.pk}",
                    title=(
                        _("Job %(label)s for %(client)s was assigned to you")
                        % {"label": fresh.label, "client": fresh.client.name}
                    )[:200],
                    body=fresh.title[:300],
                    url=_url(fresh, fresh.org.slug),
                ),
            )
    return _copy_back(job, fresh)


# --- moves ---


@action
def job_schedule(*, job: Job, actor: Actor, scheduled_for: dt.datetime) -> Job:
    """New → scheduled for a date and time; a scheduled job moved to another time stays scheduled."""
    if scheduled_for is None or timezone.is_naive(scheduled_for):
        raise PorticoError(_("Give the date and time of the job."), code="invalid", extra={"field": "scheduled_for"})
    fresh = _locked(job)
    if fresh.state == JobState.SCHEDULED:
        if fresh.scheduled_for != scheduled_for:
            Job.objects.filter(pk=fresh.pk).update(scheduled_for=scheduled_for)
            audit_record(
                org=fresh.org_id,
                actor=actor,
                action=AuditAction.JOB_CHANGED,
                target=fresh,
                detail=_detail(fresh, changed=["scheduled_for"], scheduled_for=scheduled_for.isoformat()),
            )
            fresh.scheduled_for = scheduled_for
        return _copy_back(job, fresh)
    JOB_MACHINE.apply(
        fresh,
        "schedule",
        actor=actor,
        updates={"scheduled_for": scheduled_for},
        detail=_detail(fresh, scheduled_for=scheduled_for.isoformat()),
    )
    fresh.scheduled_for = scheduled_for
    return _copy_back(job, fresh)


def _move(job: Job, move: str, actor: Actor, updates: dict[str, Any], **detail: Any) -> Job:
    """One move through JOB_MACHINE on the locked row, its ``updates`` written with it."""
    fresh = _locked(job)
    JOB_MACHINE.apply(fresh, move, actor=actor, updates=updates, detail=_detail(fresh, **detail))
    for name, value in updates.items():
        setattr(fresh, name, value)
    return _copy_back(job, fresh)


@action
def job_unschedule(*, job: Job, actor: Actor) -> Job:
    """Scheduled → new: the date is cleared."""
    return _move(job, "unschedule", actor, {"scheduled_for": None})


@action
def job_start(*, job: Job, actor: Actor) -> Job:
    return _move(job, "start", actor, {"started_at": timezone.now()})


@action
def job_complete(*, job: Job, actor: Actor) -> Job:
    return _move(job, "complete", actor, {"completed_at": timezone.now()})


@action
def job_cancel(*, job: Job, actor: Actor, reason: str) -> Job:
    """Cancel a job that is not completed, with a reason (shown on its page and in its history)."""
    reason = reason.strip()[:MAX_REASON]
    if not reason:
        raise PorticoError(_("Say why the job is cancelled."), code="invalid", extra={"field": "reason"})
    return _move(job, "cancel", actor, {"cancelled_at": timezone.now(), "cancel_reason": reason}, reason=reason)


# The moves by name, for the page's buttons and the API's ``{"action": ...}``.
MOVES = {
    "schedule": job_schedule,
    "unschedule": job_unschedule,
    "start": job_start,
    "complete": job_complete,
    "cancel": job_cancel,
}
