"""/api/v1/jobs: list (filters, cursor), read, change state, assign; an API key or a session with
jobs.manage; a move the state does not allow is the one error shape (409 invalid_transition);
another organization's job is a 404."""

from __future__ import annotations

import json

import pytest

from portico.core.actors import Actor
from portico.orgs.actions import api_key_create
from portico.work.actions import job_start
from portico.work.models import Job, JobState
from portico.work.tests.factories import job_make, staff

pytestmark = pytest.mark.django_db


def _key(world, role="Admin"):
    _, raw = api_key_create(
        org=world.org, actor=Actor(kind="staff", user=world.admin), name=f"{role} key", role=world.roles[role]
    )
    return {"Authorization": f"Bearer {raw}"}


def _post(client, url, body, headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=headers)


def test_list_with_filters_cursor_and_a_fixed_query_count(client, org_a, django_assert_num_queries):
    headers = _key(org_a)
    started = job_make(org_a)
    job_start(job=started, actor=staff(org_a))
    for _ in range(3):
        job_make(org_a)
    client.get("/api/v1/jobs", headers=headers)
    with django_assert_num_queries(2):  # the key (with its role), the page
        items = client.get("/api/v1/jobs", headers=headers).json()["items"]
    assert len(items) == 4 and items[0]["client_name"]
    only = client.get("/api/v1/jobs?state=in_progress", headers=headers).json()["items"]
    assert [i["id"] for i in only] == [started.pk]
    for _ in range(24):
        job_make(org_a)
    page = client.get("/api/v1/jobs", headers=headers).json()
    assert len(page["items"]) == 25 and page["next_cursor"]
    rest = client.get(f"/api/v1/jobs?cursor={page['next_cursor']}", headers=headers).json()
    assert len(rest["items"]) == 3 and rest["next_cursor"] is None


def test_read_move_and_assign(client, org_a):
    headers = _key(org_a)
    job = job_make(org_a, scope="Deck")
    data = client.get(f"/api/v1/jobs/{job.pk}", headers=headers).json()
    assert (data["state"], data["scope"], data["label"], data["origin"]) == ("new", "Deck", job.label, "staff")
    assert data["allowed_actions"] == ["schedule", "start", "cancel"]
    url = f"/api/v1/jobs/{job.pk}/state"
    scheduled = _post(client, url, {"action": "schedule", "scheduled_for": "2030-05-01T09:00:00-05:00"}, headers)
    assert scheduled.status_code == 200, scheduled.json()
    assert scheduled.json()["state"] == "scheduled" and scheduled.json()["scheduled_for"].startswith("2030-05-01T14:00")
    naive = _post(client, url, {"action": "schedule", "scheduled_for": "2030-05-01T09:00:00"}, headers)
    assert naive.status_code == 422 and naive.json()["code"] == "invalid"
    refused = _post(client, url, {"action": "complete"}, headers)
    assert refused.status_code == 409
    assert refused.json()["code"] == "invalid_transition" and "Cannot complete" in refused.json()["message"]
    no_reason = _post(client, url, {"action": "cancel"}, headers)
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "invalid"
    assert _post(client, url, {"action": "fly"}, headers).status_code == 422
    assert _post(client, url, {"action": "start"}, headers).json()["state"] == "in_progress"
    assert _post(client, url, {"action": "complete"}, headers).json()["state"] == "completed"
    assigned = _post(client, f"/api/v1/jobs/{job.pk}/assign", {"assignee": org_a.admin.pk}, headers)
    assert assigned.status_code == 200 and assigned.json()["assignee"] == org_a.admin.pk
    wrong = _post(client, f"/api/v1/jobs/{job.pk}/assign", {"assignee": org_a.readonly.pk}, headers)
    assert wrong.status_code == 422 and wrong.json()["extra"]["field"] == "assignee"
    assert _post(client, f"/api/v1/jobs/{job.pk}/assign", {"assignee": None}, headers).json()["assignee"] is None


def test_a_session_needs_the_org_and_the_permission(client, org_a):
    job = job_make(org_a)
    client.force_login(org_a.readonly)  # read-only role: no jobs.manage
    assert client.get(f"/api/v1/jobs?org={org_a.org.slug}").status_code == 403
    client.force_login(org_a.admin)
    assert client.get(f"/api/v1/jobs/{job.pk}?org={org_a.org.slug}").json()["id"] == job.pk
    assert client.get("/api/v1/jobs").status_code == 422  # which organization?


def test_a_key_without_jobs_manage_is_refused(client, org_a):
    job = job_make(org_a)
    response = client.get(f"/api/v1/jobs/{job.pk}", headers=_key(org_a, "Sales"))
    assert response.status_code == 403


def test_another_organizations_job_is_a_404_on_every_route(client, org_a, org_b):
    theirs = job_make(org_b)
    headers = _key(org_a)
    assert client.get(f"/api/v1/jobs/{theirs.pk}", headers=headers).status_code == 404
    assert _post(client, f"/api/v1/jobs/{theirs.pk}/state", {"action": "start"}, headers).status_code == 404
    assert _post(client, f"/api/v1/jobs/{theirs.pk}/assign", {"assignee": None}, headers).status_code == 404
    assert client.get(f"/api/v1/jobs?org={org_b.org.slug}", headers=headers).status_code == 404
    assert client.get("/api/v1/jobs", headers=headers).json()["items"] == []
    assert Job.objects.get(pk=theirs.pk).state == JobState.NEW
