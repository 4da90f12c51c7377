"""A job made by hand for a client (origin staff, the organization's currency), and changing its
title and scope: audited, refused for another organization's client, a blank title, or a closed job."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portico.audit.models import AuditAction, AuditEvent
from portico.core.errors import PorticoError
from portico.work.actions import job_cancel, job_create, job_update
from portico.work.models import Job, JobOrigin, JobState
from portico.work.tests.factories import job_make, staff
from testing.world import client_make

pytestmark = pytest.mark.django_db


def test_create_by_hand(org_a):
    client = client_make(org_a, "Hand Made", email="hand@example.test")
    job = job_create(org=org_a.org, client=client, actor=staff(org_a), title="  Paint the fence ", total=Decimal("300"))
    assert (job.origin, job.state, job.title, job.number) == (JobOrigin.STAFF, JobState.NEW, "Paint the fence", 1)
    assert (job.total, job.currency, job.created_by) == (Decimal("300"), org_a.org.currency, org_a.admin)
    row = AuditEvent.objects.get(action=AuditAction.JOB_CREATED)
    assert (row.target_type, row.target_id, row.detail["origin"]) == ("work.job", str(job.pk), "staff")


def test_create_refusals(org_a, org_b):
    other = client_make(org_b, "Other Org", email="other@example.test")
    with pytest.raises(PorticoError):
        job_create(org=org_a.org, client=other, actor=staff(org_a), title="Nope")
    mine = client_make(org_a, "Mine Client", email="mine@example.test")
    with pytest.raises(PorticoError) as blank:
        job_create(org=org_a.org, client=mine, actor=staff(org_a), title="   ")
    assert blank.value.extra == {"field": "title"}
    assert not Job.objects.exists()


def test_update_title_and_scope(org_a):
    job = job_make(org_a)
    job_update(job=job, actor=staff(org_a), title="Fit the deck and rails", scope="Rails too")
    stored = Job.objects.get(pk=job.pk)
    assert (stored.title, stored.scope) == ("Fit the deck and rails", "Rails too")
    row = AuditEvent.objects.get(action=AuditAction.JOB_CHANGED)
    assert sorted(row.detail["changed"]) == ["scope", "title"]
    job_update(job=job, actor=staff(org_a), title="Fit the deck and rails", scope="Rails too")
    assert AuditEvent.objects.filter(action=AuditAction.JOB_CHANGED).count() == 1  # nothing changed
    job_cancel(job=job, actor=staff(org_a), reason="Called off")
    with pytest.raises(PorticoError) as closed:
        job_update(job=job, actor=staff(org_a), title="Again", scope="")
    assert closed.value.code == "closed"
