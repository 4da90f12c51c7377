"""Reads of background jobs, inside the organization."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from portico.jobs.models import Job
from portico.orgs.models import Organization


def job_get(*, org: Organization, job_id: int) -> Job:
    return get_object_or_404(Job.objects.select_related("org"), org=org, pk=job_id)


def job_list(*, org: Organization, kind: str, limit: int = 5, **params: object) -> QuerySet[Job]:
    """The newest jobs of ``kind`` (``params``: exact values of the job's params, e.g. group=3)."""
    qs = Job.objects.filter(org=org, kind=kind)
    for name, value in params.items():
        qs = qs.filter(**{f"params__{name}": value})
    return qs.order_by("-created_at", "-id")[:limit]
