"""The jobs pages (jobs.manage): the list with its filters and empty state in a fixed number of
queries, a job's page (links, moves its state allows, schedule in the organization's time zone,
assignment, cancel with a reason, history), a job by hand from a client record, and editing.
Another organization's job is a 404 on every route."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from portico.audit.models import AuditAction, AuditEvent
from portico.core.middleware import REFUSAL_HEADER
from portico.orgs.models import Organization
from portico.work.actions import job_assign, job_start
from portico.work.models import Job, JobOrigin, JobState
from portico.work.tests.factories import job_make, staff
from testing.world import client_make

pytestmark = pytest.mark.django_db


def _url(name, world, job=None, **kwargs):
    args = [world.org.slug] + ([job.pk] if job is not None else [])
    return reverse(name, args=args, **kwargs)


def test_the_list_filters_and_keeps_its_query_count(client, org_a, django_assert_num_queries):
    client.force_login(org_a.admin)
    first = job_make(org_a, title="First")
    job_make(org_a, title="Second")
    started = job_make(org_a, title="Third")
    job_start(job=started, actor=staff(org_a))
    job_assign(job=first, actor=staff(org_a), assignee=org_a.admin)
    url = _url("work_job_list", org_a)
    client.get(url)
    # session, user, membership (role and organization joined), assignable staff, the page
    with django_assert_num_queries(5):
        html = client.get(url).content.decode()
    assert html.count('id="job-') == 3
    for n in range(4):
        job_make(org_a, title=f"More {n}")
    with django_assert_num_queries(5):  # more rows, the same queries
        client.get(url)
    in_progress = client.get(url, {"state": "in_progress"}).content.decode()
    assert f'id="job-{started.pk}"' in in_progress and f'id="job-{first.pk}"' not in in_progress
    mine = client.get(url, {"mine": "1"}).content.decode()
    assert f'id="job-{first.pk}"' in mine and mine.count('id="job-') == 1
    by_assignee = client.get(url, {"assignee": org_a.admin.pk}).content.decode()
    assert by_assignee.count('id="job-') == 1
    nothing = client.get(url, {"state": "cancelled"}).content.decode()
    assert "No job matches these filters." in nothing


def test_the_empty_list_says_how_jobs_come(client, org_a):
    client.force_login(org_a.admin)
    html = client.get(_url("work_job_list", org_a)).content.decode()
    assert 'id="jobs-empty"' in html and "completes onboarding" in html
    assert f'href="{_url("work_job_list", org_a)}"' in html  # the "Jobs" link of the sub-navigation


def test_the_list_pages_by_keyset(client, org_a):
    client.force_login(org_a.admin)
    for n in range(27):
        job_make(org_a, title=f"Job {n}")
    first = client.get(_url("work_job_list", org_a)).context["page"]
    assert len(first.rows) == 25 and first.next_cursor
    rest = client.get(_url("work_job_list", org_a), {"cursor": first.next_cursor}).context["page"]
    assert len(rest.rows) == 2 and rest.next_cursor is None
    assert not {j.pk for j in first.rows} & {j.pk for j in rest.rows}


def test_the_job_page_offers_the_moves_its_state_allows(client, org_a):
    client.force_login(org_a.admin)
    job = job_make(org_a, scope="Deck boards")
    html = client.get(_url("work_job_detail", org_a, job)).content.decode()
    assert 'id="job-start"' in html and 'id="job-schedule"' in html and 'id="job-cancel"' in html
    assert 'id="job-complete"' not in html and 'id="job-unschedule"' not in html
    assert "Deck boards" in html and "1,250.00" in html
    assert 'class="badge' in html  # {% badge "work_job" state %}


def test_schedule_in_the_organizations_time_zone_then_start_and_complete(client, org_a):
    Organization.objects.filter(pk=org_a.org.pk).update(time_zone="America/Mexico_City")
    client.force_login(org_a.admin)
    job = job_make(org_a)
    move = _url("work_job_move", org_a, job)
    response = client.post(move, {"action": "schedule", "day": "2030-03-04", "time": "09:30"})
    assert response.status_code == 302
    stored = Job.objects.get(pk=job.pk)
    zone = zoneinfo.ZoneInfo("America/Mexico_City")
    assert stored.state == JobState.SCHEDULED
    assert stored.scheduled_for == dt.datetime(2030, 3, 4, 9, 30, tzinfo=zone)
    html = client.get(_url("work_job_detail", org_a, job)).content.decode()
    assert "09:30" in html and "America/Mexico_City" in html and 'id="job-unschedule"' in html
    assert client.post(move, {"action": "start"}).status_code == 302
    assert client.post(move, {"action": "complete"}).status_code == 302
    assert Job.objects.get(pk=job.pk).state == JobState.COMPLETED
    refused = client.post(move, {"action": "start"})
    assert refused[REFUSAL_HEADER] == "invalid_transition"
    history = client.get(_url("work_job_detail", org_a, job)).content.decode()
    assert "Job state changed" in history and "Job created" in history


def test_a_bad_schedule_or_a_cancel_without_reason_shows_the_form_again(client, org_a):
    client.force_login(org_a.admin)
    job = job_make(org_a)
    move = _url("work_job_move", org_a, job)
    assert client.post(move, {"action": "schedule", "day": "", "time": "09:00"}).status_code == 422
    assert client.post(move, {"action": "cancel", "reason": ""}).status_code == 422
    assert client.post(move, {"action": "fly"})[REFUSAL_HEADER] == "invalid"
    assert Job.objects.get(pk=job.pk).state == JobState.NEW
    assert client.post(move, {"action": "cancel", "reason": "Client changed their mind"}).status_code == 302
    stored = Job.objects.get(pk=job.pk)
    assert (stored.state, stored.cancel_reason) == (JobState.CANCELLED, "Client changed their mind")
    html = client.get(_url("work_job_detail", org_a, job)).content.decode()
    assert "Client changed their mind" in html and 'id="job-cancel"' not in html


def test_assign_from_the_page(client, org_a):
    client.force_login(org_a.admin)
    job = job_make(org_a)
    assign = _url("work_job_assign", org_a, job)
    assert client.post(assign, {"assignee": org_a.admin.pk}).status_code == 302
    assert Job.objects.get(pk=job.pk).assignee == org_a.admin
    assert client.post(assign, {"assignee": org_a.readonly.pk})[REFUSAL_HEADER] == "invalid"  # not a job manager
    assert client.post(assign, {"assignee": ""}).status_code == 302
    assert Job.objects.get(pk=job.pk).assignee is None


def test_a_job_by_hand_from_the_client_record_and_editing_it(client, org_a):
    client.force_login(org_a.admin)
    record = client_make(org_a, "By Hand", email="byhand@example.test")
    new = _url("work_job_new", org_a)
    assert "Open the client's record" in client.get(new).content.decode()
    page = client.get(new, {"client": record.pk})
    assert page.status_code == 200 and "By Hand" in page.content.decode()
    response = client.post(f"{new}?client={record.pk}", {"title": "Gutter repair", "scope": "Front", "total": "80"})
    job = Job.objects.get(client=record)
    assert response["Location"] == _url("work_job_detail", org_a, job)
    assert (job.origin, job.title, job.scope, str(job.total)) == (JobOrigin.STAFF, "Gutter repair", "Front", "80.000")
    edit = _url("work_job_edit", org_a, job)
    assert client.post(edit, {"title": "Gutter and downpipe", "scope": "Front and back"}).status_code == 302
    assert Job.objects.get(pk=job.pk).title == "Gutter and downpipe"
    assert AuditEvent.objects.filter(action=AuditAction.JOB_CHANGED, target_id=str(job.pk)).exists()
    record_page = client.get(
        reverse("client_detail", args=[org_a.org.slug, record.pk]), {"section": "onboarding"}
    ).content.decode()
    assert 'id="client-job-new"' in record_page


def test_another_organizations_job_is_a_404_on_every_route(client, org_a, org_b):
    theirs = job_make(org_b)
    other_client = client_make(org_b, "Their Client", email="their@example.test")
    client.force_login(org_a.admin)
    for name in ("work_job_detail", "work_job_edit"):
        assert client.get(_url(name, org_a, theirs)).status_code == 404
    for name in ("work_job_move", "work_job_assign"):
        assert client.post(_url(name, org_a, theirs), {"action": "start", "assignee": ""}).status_code == 404
    assert client.get(_url("work_job_new", org_a), {"client": other_client.pk}).status_code == 404
    assert Job.objects.get(pk=theirs.pk).state == JobState.NEW
