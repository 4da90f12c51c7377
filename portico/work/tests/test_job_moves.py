"""A job's moves go through JOB_MACHINE: new → scheduled (a date and time; moving it to another
time keeps it scheduled) → in progress → completed, or cancelled with a reason before completion.
A move its state does not allow is refused with the one error type and changes nothing; each
move is audited on the job."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from portico.audit.models import AuditAction, AuditEvent
from portico.core.errors import InvalidTransition, PorticoError
from portico.work.actions import job_cancel, job_complete, job_schedule, job_start, job_unschedule
from portico.work.models import Job, JobState
from portico.work.tests.factories import job_make, staff

pytestmark = pytest.mark.django_db


def _moves(job):
    return list(
        AuditEvent.objects.filter(action=AuditAction.JOB_STATE_CHANGED, target_id=str(job.pk))
        .order_by("pk")
        .values_list("from_state", "to_state")
    )


def test_schedule_start_complete(org_a):
    job = job_make(org_a)
    when = timezone.now() + dt.timedelta(days=3)
    job_schedule(job=job, actor=staff(org_a), scheduled_for=when)
    assert (job.state, job.scheduled_for) == (JobState.SCHEDULED, when)
    later = when + dt.timedelta(hours=2)
    job_schedule(job=job, actor=staff(org_a), scheduled_for=later)  # moved: still scheduled
    assert Job.objects.get(pk=job.pk).scheduled_for == later
    assert AuditEvent.objects.filter(action=AuditAction.JOB_CHANGED, target_id=str(job.pk)).count() == 1
    job_start(job=job, actor=staff(org_a))
    job_complete(job=job, actor=staff(org_a))
    stored = Job.objects.get(pk=job.pk)
    assert stored.state == JobState.COMPLETED and stored.started_at and stored.completed_at
    assert _moves(job) == [("new", "scheduled"), ("scheduled", "in_progress"), ("in_progress", "completed")]


def test_unschedule_clears_the_date(org_a):
    job = job_make(org_a)
    job_schedule(job=job, actor=staff(org_a), scheduled_for=timezone.now())
    job_unschedule(job=job, actor=staff(org_a))
    stored = Job.objects.get(pk=job.pk)
    assert (stored.state, stored.scheduled_for) == (JobState.NEW, None)


def test_refused_moves_change_nothing(org_a):
    job = job_make(org_a)
    with pytest.raises(InvalidTransition) as refused:
        job_complete(job=job, actor=staff(org_a))
    assert refused.value.code == "invalid_transition"
    assert "Cannot complete: the job is new." in str(refused.value.message)
    with pytest.raises(InvalidTransition):
        job_unschedule(job=job, actor=staff(org_a))
    job_start(job=job, actor=staff(org_a))
    job_complete(job=job, actor=staff(org_a))
    with pytest.raises(InvalidTransition):
        job_cancel(job=job, actor=staff(org_a), reason="Too late")
    with pytest.raises(InvalidTransition):
        job_schedule(job=job, actor=staff(org_a), scheduled_for=timezone.now())
    assert Job.objects.get(pk=job.pk).state == JobState.COMPLETED
    assert len(_moves(job)) == 2


def test_a_schedule_needs_an_aware_time(org_a):
    job = job_make(org_a)
    with pytest.raises(PorticoError) as refused:
        job_schedule(job=job, actor=staff(org_a), scheduled_for=dt.datetime(2030, 1, 1, 9))
    assert refused.value.code == "invalid"
    assert Job.objects.get(pk=job.pk).state == JobState.NEW


def test_cancel_needs_a_reason_and_keeps_it(org_a):
    job = job_make(org_a)
    with pytest.raises(PorticoError) as refused:
        job_cancel(job=job, actor=staff(org_a), reason="  ")
    assert refused.value.code == "invalid"
    assert Job.objects.get(pk=job.pk).state == JobState.NEW
    job_cancel(job=job, actor=staff(org_a), reason="The client moved away")
    stored = Job.objects.get(pk=job.pk)
    assert (stored.state, stored.cancel_reason) == (JobState.CANCELLED, "The client moved away")
    assert stored.cancelled_at is not None
    row = AuditEvent.objects.get(action=AuditAction.JOB_STATE_CHANGED, target_id=str(job.pk))
    assert row.detail["reason"] == "The client moved away"
