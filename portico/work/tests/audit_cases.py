"""The work app's cases for audit/tests/test_every_action_is_audited.py (action -> case(world, settings))."""

from __future__ import annotations

from collections.abc import Callable

from portico.audit.models import AuditAction
from portico.work.actions import job_assign, job_start, job_update
from portico.work.tests.factories import job_make, staff
from testing.world import World


def _changed(w: World) -> None:
    job_update(job=job_make(w), actor=staff(w), title="Another title", scope="More")


AUDIT_CASES: dict[str, Callable[..., object]] = {
    # A job by hand (the onboarding job writes the same row: test_job_create_for_onboarding).
    AuditAction.JOB_CREATED: lambda w, s: job_make(w),
    AuditAction.JOB_CHANGED: lambda w, s: _changed(w),
    # Every move of JOB_MACHINE writes this row (test_job_moves).
    AuditAction.JOB_STATE_CHANGED: lambda w, s: job_start(job=job_make(w), actor=staff(w)),
    AuditAction.JOB_ASSIGNED: lambda w, s: job_assign(job=job_make(w), actor=staff(w), assignee=w.admin),
}
