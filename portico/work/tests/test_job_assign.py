"""Assigning a job: only to active staff of its organization who manage jobs; audited; the
assignee is notified (not when they assign it to themselves); nobody unassigns."""

from __future__ import annotations

import pytest

from portico.audit.models import AuditAction, AuditEvent
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.notifications.models import EventKind, Notification
from portico.orgs.actions import membership_add
from portico.work.actions import job_assign
from portico.work.models import Job
from portico.work.selectors import job_assignable
from portico.work.tests.factories import job_make, staff
from testing.world import user_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def navigator(org_a):
    user = user_create("nav@alpha.test", name="Nora Navigator")
    membership_add(org=org_a.org, user=user, role=org_a.roles["Navigator"], actor=Actor.system())
    return user


def test_assign_notifies_the_assignee_and_is_audited(org_a, navigator):
    job = job_make(org_a)
    job_assign(job=job, actor=staff(org_a), assignee=navigator)
    assert Job.objects.get(pk=job.pk).assignee == navigator
    row = AuditEvent.objects.get(action=AuditAction.JOB_ASSIGNED, target_id=str(job.pk))
    assert row.detail["assignee"] == navigator.pk and row.detail["assignee_name"] == "Nora Navigator"
    note = Notification.objects.get(recipient=navigator, kind=EventKind.JOB_ASSIGNED)
    assert job.label in note.title and note.url.endswith(f"/work/{job.pk}/")
    # The same again: nothing changes, nobody is told twice.
    job_assign(job=job, actor=staff(org_a), assignee=navigator)
    assert AuditEvent.objects.filter(action=AuditAction.JOB_ASSIGNED).count() == 1
    assert Notification.objects.filter(kind=EventKind.JOB_ASSIGNED).count() == 1
    job_assign(job=job, actor=staff(org_a), assignee=None)
    assert Job.objects.get(pk=job.pk).assignee is None


def test_assigning_yourself_tells_nobody(org_a):
    job = job_make(org_a)
    job_assign(job=job, actor=staff(org_a), assignee=org_a.admin)
    assert Job.objects.get(pk=job.pk).assignee == org_a.admin
    assert not Notification.objects.filter(kind=EventKind.JOB_ASSIGNED).exists()


def test_only_staff_who_manage_jobs(org_a, org_b, navigator):
    job = job_make(org_a)
    assert {pk for pk, _name in job_assignable(org=org_a.org)} == {org_a.admin.pk, navigator.pk}
    for outsider in (org_a.readonly, org_b.admin):  # read-only role; another organization's admin
        with pytest.raises(PorticoError) as refused:
            job_assign(job=job, actor=staff(org_a), assignee=outsider)
        assert refused.value.code == "invalid"
    assert Job.objects.get(pk=job.pk).assignee is None
    assert not AuditEvent.objects.filter(action=AuditAction.JOB_ASSIGNED).exists()
