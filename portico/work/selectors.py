"""Reads of jobs: the staff list (keyset pages, filters), one job with its links, its history from
the audit log, and the staff a job can be assigned to. Organization-scoped: another
organization's job is a 404."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from portico.audit.models import AuditEvent
from portico.audit.selectors import audit_timeline
from portico.clients.models import Client
from portico.core.keyset import Page, keyset_page
from portico.orgs.models import Membership, MembershipStatus, Organization
from portico.orgs.permissions import Permission
from portico.work.models import Job, JobOrigin

PAGE_SIZE = 25
HISTORY_LIMIT = 200


@dataclass
class JobFilters:
    state: str = ""
    assignee: int | None = None
    client: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.state or self.assignee or self.client)


def jobs_of(*, org: Organization) -> QuerySet[Job]:
    """The organization's jobs on live client records."""
    return Job.objects.filter(org=org, client__deleted_at=None)


def job_page(*, org: Organization, filters: JobFilters, cursor: str = "", page_size: int = PAGE_SIZE) -> Page[Job]:
    """One page of the list, newest first, by keyset (created_at, id): one query (the client and the
    assignee joined), whatever the page."""
    qs = jobs_of(org=org)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.assignee:
        qs = qs.filter(assignee_id=filters.assignee)
    if filters.client:
        qs = qs.filter(client_id=filters.client)
    qs = qs.select_related("client", "assignee")
    return keyset_page(qs, order=("-created_at", "-id"), cursor=cursor, page_size=page_size)


def job_get(*, org: Organization, job_id: int) -> Job:
    """One of the organization's jobs with its client, assignee and links; another's id is a 404."""
    return get_object_or_404(
        jobs_of(org=org).select_related("org", "client", "assignee", "estimate", "agreement", "payment_method"),
        pk=job_id,
    )


def job_history(*, job: Job) -> list[AuditEvent]:
    """The job's audit rows, newest first (created, assigned, each move, each change)."""
    return audit_timeline(org=job.org_id, target=job, limit=HISTORY_LIMIT)


def job_assignable(*, org: Organization) -> list[tuple[int, str]]:
    """(user id, name) of the organization's active staff whose role manages jobs (one query)."""
    rows = (
        Membership.objects.filter(org=org, status=MembershipStatus.ACTIVE)
        .select_related("user", "role")
        .order_by("user__full_name", "user__email")
    )
    return [(m.user_id, m.user.display_name) for m in rows if Permission.JOBS_MANAGE in m.role.permission_set]


def onboarding_job_of(*, client: Client) -> Job | None:
    """The job made when the client's onboarding completed, if any."""
    return Job.objects.filter(client=client, origin=JobOrigin.ONBOARDING).first()
