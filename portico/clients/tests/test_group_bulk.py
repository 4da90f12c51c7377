"""Groups in bulk: set-based adds and removes, with a summary; large selections run in the
background with progress."""

import dataclasses

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portico.audit.models import AuditAction, AuditEvent
from portico.clients import actions, bulk
from portico.clients.models import ClientGroup
from portico.clients.selectors import ClientFilters, job_clients_not_found
from portico.core.actors import Actor
from portico.jobs.kinds import KINDS
from portico.jobs.models import Job
from testing.world import run_tasks


def _staff(w):
    return Actor(kind="staff", user=w.admin)


def _clients(w, n, prefix="C"):
    return [actions.client_create(org=w.org, actor=_staff(w), name=f"{prefix}{i}") for i in range(n)]


def test_adding_reports_added_already_there_and_skipped(org_a, org_b):
    group = actions.group_create(org=org_a.org, actor=_staff(org_a), name="Youth")
    mine = _clients(org_a, 3)
    theirs = _clients(org_b, 1)
    actions.client_set_groups(client=mine[0], actor=_staff(org_a), groups=[group])
    ids = [c.pk for c in mine] + [theirs[0].pk, 999_999]
    job = bulk.group_bulk_start(group=group, actor=_staff(org_a), operation="add", client_ids=ids)
    assert job.state == "done"  # small: done in the request
    assert (job.processed, job.count("changed"), job.count("unchanged"), job_clients_not_found(job)) == (3, 2, 1, 2)
    assert set(ClientGroup.objects.filter(group=group).values_list("client_id", flat=True)) == {c.pk for c in mine}
    event = AuditEvent.objects.get(action=AuditAction.GROUP_BULK_CHANGED)
    assert event.detail == {
        "operation": "add",
        "matched": 3,
        "changed": 2,
        "unchanged": 1,
        "skipped": 2,
        "job": job.pk,
    }


def test_removing_by_filter(org_a):
    group = actions.group_create(org=org_a.org, actor=_staff(org_a), name="Youth")
    people = _clients(org_a, 4)
    bulk.group_bulk_start(group=group, actor=_staff(org_a), operation="add", client_ids=[c.pk for c in people])
    actions.client_status_change(action="archive", client=people[0], actor=_staff(org_a))
    job = bulk.group_bulk_start(
        group=group, actor=_staff(org_a), operation="remove", filters=ClientFilters(status="archived")
    )
    assert (job.count("changed"), ClientGroup.objects.filter(group=group).count()) == (1, 3)


def test_one_statement_whatever_the_size(org_a):
    group = actions.group_create(org=org_a.org, actor=_staff(org_a), name="All")
    _clients(org_a, 30)
    with CaptureQueriesContext(connection) as ctx:
        bulk.group_bulk_start(group=group, actor=_staff(org_a), operation="add", filters=ClientFilters())
    inserts = [
        q for q in ctx.captured_queries if q["sql"].replace('"', "").startswith("INSERT INTO clients_clientgroup")
    ]
    assert len(inserts) == 1 and ClientGroup.objects.filter(group=group).count() == 30


def test_deleted_clients_are_never_added(org_a):
    group = actions.group_create(org=org_a.org, actor=_staff(org_a), name="G")
    gone = _clients(org_a, 1)[0]
    actions.client_delete(client=gone, actor=_staff(org_a))
    job = bulk.group_bulk_start(group=group, actor=_staff(org_a), operation="add", client_ids=[gone.pk])
    assert (job.count("changed"), job_clients_not_found(job)) == (0, 1)


@pytest.mark.django_db(transaction=True)
def test_large_selections_run_in_the_background_with_progress(org_a, monkeypatch, client):
    monkeypatch.setitem(KINDS, bulk.KIND, dataclasses.replace(bulk.KIND_GROUPS, inline_limit=5, chunk_size=4))
    group = actions.group_create(org=org_a.org, actor=_staff(org_a), name="Big")
    people = _clients(org_a, 10)
    actions.client_set_groups(client=people[0], actor=_staff(org_a), groups=[group])
    client.force_login(org_a.admin)
    response = client.post(
        reverse("group_bulk", args=["alpha", group.pk]), {"operation": "add", "scope": "all", "filter_query": ""}
    )
    job = Job.objects.get()
    assert response["Location"] == reverse("job_detail", args=["alpha", job.pk])
    assert (job.state, job.total) == ("queued", 10)
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in page
    run_tasks()
    job.refresh_from_db()
    assert (job.state, job.processed, job.count("changed"), job.count("unchanged"), job.percent) == (
        "done",
        10,
        9,
        1,
        100,
    )
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert "every 1s" not in partial.content.decode() and partial["HX-Refresh"] == "true"
    assert "Added" in client.get(response["Location"]).content.decode()
    assert ClientGroup.objects.filter(group=group).count() == 10
    assert AuditEvent.objects.filter(action=AuditAction.GROUP_BULK_CHANGED, detail__job=job.pk).exists()


def test_the_bulk_form_with_selected_clients(client, org_a):
    group = actions.group_create(org=org_a.org, actor=_staff(org_a), name="Picked")
    people = _clients(org_a, 3)
    client.force_login(org_a.admin)
    page = client.get(reverse("group_detail", args=["alpha", group.pk]))
    assert page.status_code == 200 and b"Add selected" in page.content
    response = client.post(
        reverse("group_bulk", args=["alpha", group.pk]),
        {"operation": "add", "client": [people[0].pk, people[1].pk]},
        follow=True,
    )
    assert b"2 added, 0 already in the group, 0 skipped" in response.content
    response = client.post(reverse("group_bulk", args=["alpha", group.pk]), {"operation": "add"}, follow=True)
    assert b"Select at least one client" in response.content


def test_staff_without_groups_manage_cannot_bulk_change(client, org_a):
    group = actions.group_create(org=org_a.org, actor=_staff(org_a), name="G")
    client.force_login(org_a.readonly)
    assert (
        client.post(reverse("group_bulk", args=["alpha", group.pk]), {"operation": "add", "scope": "all"}).status_code
        == 403
    )


def test_a_broken_filter_never_widens_all_matching_to_everyone(client, org_a):
    group = actions.group_create(org=org_a.org, actor=_staff(org_a), name="Careful")
    _clients(org_a, 3)
    client.force_login(org_a.admin)
    response = client.post(
        reverse("group_bulk", args=["alpha", group.pk]),
        {"operation": "add", "scope": "all", "filter_query": "status=archived&created_from=2024-13-01"},
        follow=True,
    )
    assert b"The filter is not valid" in response.content
    assert ClientGroup.objects.filter(group=group).count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_died_is_restarted_by_the_sweep(org_a):
    import datetime as dt

    import time_machine
    from django.core.management import call_command

    group = actions.group_create(org=org_a.org, actor=_staff(org_a), name="Restart")
    people = _clients(org_a, 3)
    job = Job.objects.create(
        org=org_a.org,
        kind=bulk.KIND,
        params={"group": group.pk, "operation": "add", "client_ids": [p.pk for p in people]},
        total=3,
        created_by=org_a.admin,
    )
    # The worker claimed it, did the first chunk (one client), then died.
    Job.objects.filter(pk=job.pk).update(
        state="running",
        heartbeat_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        processed=1,
        cursor=people[0].pk,
        counts={"changed": 1, "unchanged": 0},
    )
    ClientGroup.objects.create(client=people[0], group=group)
    with time_machine.travel(dt.datetime(2026, 1, 1, 0, 11, tzinfo=dt.UTC)):
        call_command("sweep")
    run_tasks()
    job.refresh_from_db()
    # It went on after its last committed chunk: the counts add up, nothing was done twice.
    assert (job.state, job.processed, job.count("changed")) == ("done", 3, 3)
    assert ClientGroup.objects.filter(group=group).count() == 3
