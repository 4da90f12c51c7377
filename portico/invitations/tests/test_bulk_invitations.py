"""Bulk portal invitations: set-based chunks, an outcome per client, delivery in batches, the
client-list form, the confirmation and the job page with its result table."""

from __future__ import annotations

import dataclasses
import re

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from portico.audit.models import AuditAction, AuditEvent
from portico.clients import actions as client_actions
from portico.clients.models import Client, ClientStatus, Profile
from portico.clients.selectors import ClientFilters, job_clients_not_found
from portico.core.actors import Actor, ActorKind
from portico.core.errors import PorticoError
from portico.invitations import actions, bulk
from portico.invitations.messages import invitation_render, invitation_render_many
from portico.invitations.models import (
    BulkInvitationRow,
    Invitation,
    InvitationEvent,
    InvitationLink,
)
from portico.invitations.refusals import portal_settings_of
from portico.jobs.kinds import KINDS
from portico.jobs.models import Job
from portico.outbox.models import OutboxMessage
from testing.world import client_make, portal_set_up, run_tasks, user_create

pytestmark = pytest.mark.django_db
Outcome = BulkInvitationRow.Outcome


def staff(world):
    return Actor(kind=ActorKind.STAFF, user=world.admin, ip="192.0.2.7", user_agent="pytest")


def _mixed(world):
    """One client for every outcome (email channel); returns {name: client}."""
    portal_set_up(world)
    people = {
        "ok": client_make(world, "Olivia Ok"),
        "ok2": client_make(world, "Oscar Ok"),
        "no_address": client_make(world, "Nora None", email=""),
        "archived": client_make(world, "Arturo Archived"),
        "closed": client_make(world, "Clara Closed"),
        "has_access": client_make(world, "Hugo Access"),
        "invited": client_make(world, "Ines Invited"),
        "profile": client_make(world, "Pablo Profile"),  # a profile nobody organizes: invitable, stays active
    }
    client_actions.client_status_change(action="archive", client=people["archived"], actor=staff(world))
    Client.objects.filter(pk=people["closed"].pk).update(status=ClientStatus.CLOSED)
    organizer = user_create("hugo@example.test")
    access = Profile.objects.create(full_name="Hugo Access", organizer=organizer)
    Client.objects.filter(pk=people["has_access"].pk).update(profile=access, status=ClientStatus.ACTIVE)
    actions.invitation_send(client=people["invited"], actor=staff(world))
    plain = Profile.objects.create(full_name="Pablo Profile")
    Client.objects.filter(pk=people["profile"].pk).update(profile=plain, status=ClientStatus.ACTIVE)
    return people


def test_each_client_gets_its_outcome_and_other_organizations_are_never_touched(org_a, org_b):
    people = _mixed(org_a)
    portal_set_up(org_b)
    theirs = client_make(org_b, "Beto Beta")
    ids = [c.pk for c in people.values()] + [theirs.pk, 999_999]
    job = bulk.bulk_invitation_start(org=org_a.org, actor=staff(org_a), channel="email", client_ids=ids)

    assert (
        job.state,
        job.total,
        job.processed,
        job.count("sent"),
        job.count("skipped"),
        job_clients_not_found(job),
    ) == (
        "done",
        8,
        8,
        3,
        5,
        2,
    )
    outcomes = dict(BulkInvitationRow.objects.filter(job=job).values_list("client_id", "outcome"))
    assert outcomes == {
        people["ok"].pk: Outcome.SENT,
        people["ok2"].pk: Outcome.SENT,
        people["profile"].pk: Outcome.SENT,
        people["no_address"].pk: Outcome.NO_ADDRESS,
        people["archived"].pk: Outcome.NOT_INVITABLE,
        people["closed"].pk: Outcome.NOT_INVITABLE,
        people["has_access"].pk: Outcome.HAS_ACCESS,
        people["invited"].pk: Outcome.ALREADY_INVITED,
    }
    # The other organization's client: no row, no invitation, no message, status unchanged.
    theirs.refresh_from_db()
    assert theirs.status == ClientStatus.NOT_INVITED
    assert not Invitation.objects.filter(client=theirs).exists()
    assert not OutboxMessage.objects.filter(org=org_b.org).exists()
    about_theirs = AuditEvent.objects.filter(target_type="clients.client", target_id=str(theirs.pk))
    assert list(about_theirs.values_list("action", flat=True)) == [AuditAction.CLIENT_CREATED]

    statuses = dict(Client.objects.filter(org=org_a.org).values_list("name", "status"))
    assert statuses["Olivia Ok"] == statuses["Oscar Ok"] == ClientStatus.INVITE_SENT
    assert statuses["Pablo Profile"] == ClientStatus.ACTIVE  # a profile without a portal account keeps its status
    assert statuses["Arturo Archived"] == ClientStatus.ARCHIVED


def test_sent_invitations_are_complete_like_a_single_send(org_a, settings):
    people = _mixed(org_a)
    job = bulk.bulk_invitation_start(
        org=org_a.org, actor=staff(org_a), channel="email", client_ids=[people["ok"].pk, people["ok2"].pk]
    )
    invitation = Invitation.objects.get(client=people["ok"])
    assert (invitation.bulk_job_id, invitation.status, invitation.sent_count) == (job.pk, "pending", 1)
    assert (invitation.address, invitation.invited_by, invitation.delivery) == (
        "olivia@example.test",
        org_a.admin,
        "queued",
    )
    assert InvitationLink.objects.filter(invitation=invitation, number=1).count() == 1
    assert list(InvitationEvent.objects.filter(invitation=invitation).values_list("kind", flat=True)) == ["queued"]
    message = invitation.last_message
    assert message.idempotency_key == f"invitation:{invitation.pk}:1"
    assert (message.channel, message.to, message.org) == ("email", "olivia@example.test", org_a.org)
    assert message.payload["invitation"] == invitation.pk
    assert message.payload["from_name"] == "Alpha Org" and "reply_to" in message.payload
    link = message.payload["secrets"]["link"]
    assert re.fullmatch(r"http://testserver/invite/[\w-]{43}/", link)
    assert "[[secret:link]]" in message.body_text and link not in message.body_text
    assert "Olivia Ok" in message.body_text and message.subject.startswith("Alpha Org")
    raw = link.split("/invite/")[1].rstrip("/")
    assert actions.invitation_link_state(raw_token=raw).usable

    sent = AuditEvent.objects.filter(action=AuditAction.INVITATION_SENT, target_id=str(people["ok"].pk)).get()
    assert (sent.actor_user, sent.ip, sent.target_type, sent.to_state) == (
        org_a.admin,
        "192.0.2.7",
        "clients.client",
        "pending",
    )
    assert sent.detail == {"invitation": invitation.pk, "channel": "email", "to": "olivia@example.test", "job": job.pk}
    moved = AuditEvent.objects.get(action=AuditAction.CLIENT_STATUS_CHANGED, target_id=str(people["ok"].pk))
    assert (moved.from_state, moved.to_state, moved.detail["action"]) == (
        "not_invited",
        "invite_sent",
        "send_invitation",
    )
    summary = AuditEvent.objects.get(action=AuditAction.INVITATIONS_BULK_SENT)
    assert (summary.target_type, summary.target_id) == ("jobs.job", str(job.pk))
    assert summary.detail["sent"] == 2 and summary.detail["outcomes"] == {"sent": 2}


def test_audit_rows_are_those_of_a_single_send(org_a):
    portal_set_up(org_a)
    alone, many = client_make(org_a, "Ana Alone"), client_make(org_a, "Ana Many")
    actions.invitation_send(client=alone, actor=staff(org_a))
    job = bulk.bulk_invitation_start(org=org_a.org, actor=staff(org_a), channel="email", client_ids=[many.pk])
    fields = ("org_id", "actor_kind", "actor_user_id", "actor_label", "target_type", "from_state", "to_state", "ip")
    for action in (AuditAction.CLIENT_STATUS_CHANGED, AuditAction.INVITATION_SENT):
        single = AuditEvent.objects.get(action=action, target_id=str(alone.pk))
        bulk_row = AuditEvent.objects.get(action=action, target_id=str(many.pk))
        assert [getattr(bulk_row, f) for f in fields] == [getattr(single, f) for f in fields]
        assert (single.target_label, bulk_row.target_label) == ("Ana Alone", "Ana Many")
        assert bulk_row.user_agent == single.user_agent == "pytest"
        assert set(bulk_row.detail) == set(single.detail) | {"job"} and bulk_row.detail["job"] == job.pk
        assert bulk_row.created_at is not None


def test_rendering_many_gives_what_rendering_each_gives(org_a):
    portal_set_up(org_a, invitation_email_subject="{client_name}: {org_name} invites you")
    portal = portal_settings_of(org_a.org)
    names = ["Ana", "O'Brien & <Sons>", 'Zoë "Z"', "{org_name}", "Line\nBreak", "a [[secret:link]]", "Ñandú Çedilla"]
    expires = timezone.now()
    rendered = {}
    for channel in ("email", "sms"):
        args = {"portal": portal, "channel": channel, "expires_at": expires, "link": "[[secret:link]]"}
        rendered[channel] = invitation_render_many(client_names=names, **args)
        assert rendered[channel] == [invitation_render(client_name=name, **args) for name in names]
    email = rendered["email"][1]
    assert email.subject.startswith("O'Brien & <Sons>: ") and "O&#x27;Brien &amp; &lt;Sons&gt;" in email.body_html


def test_delivery_goes_out_in_one_batch_and_marks_each_invitation_sent(org_a, deliver):
    portal_set_up(org_a)
    people = [client_make(org_a, f"Person{i} Test", email=f"p{i}@example.test") for i in range(5)]
    with deliver():
        job = bulk.bulk_invitation_start(
            org=org_a.org, actor=staff(org_a), channel="email", client_ids=[p.pk for p in people]
        )
    assert job.count("sent") == 5
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"p{i}@example.test" for i in range(5))
    assert DBTaskResult.objects.filter(task_path="portico.outbox.delivery.deliver_outbox_batch").count() == 1
    body = next(m.body for m in mail.outbox if m.to == ["p3@example.test"])
    raw = re.search(r"/invite/([\w-]+)/", body).group(1)
    state = actions.invitation_link_state(raw_token=raw)
    assert state.usable and state.invitation.client_id == people[3].pk
    assert set(Invitation.objects.values_list("delivery", flat=True)) == {"sent"}
    assert all("secrets" not in m.payload for m in OutboxMessage.objects.all())


def test_the_delivery_trail_never_goes_backwards_and_a_bounce_stands(org_a):
    portal_set_up(org_a)
    invitation = actions.invitation_send(client=client_make(org_a), actor=staff(org_a))
    message, now = invitation.last_message, timezone.now()

    def record(kind, of=message):
        actions.invitation_delivery_record(message=of, kind=kind, at=now, detail="550 no such user")

    record("delivered")
    record("sent")  # late
    invitation.refresh_from_db()
    assert invitation.delivery == "delivered"
    record("bounced")
    record("sent")
    record("delivered")
    invitation.refresh_from_db()
    assert invitation.delivery == "bounced"
    older = OutboxMessage(pk=message.pk + 1000, payload={"invitation": invitation.pk})
    record("opened", of=older)  # an older send's message: in the trail, but it decides nothing
    invitation.refresh_from_db()
    assert invitation.delivery == "bounced"
    kinds = list(InvitationEvent.objects.filter(invitation=invitation).values_list("kind", flat=True))
    assert kinds == ["queued", "delivered", "sent", "bounced", "sent", "delivered", "opened"]
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_BOUNCED).count() == 1
    gone = OutboxMessage(pk=message.pk + 2000, payload={"invitation": 999_999})
    record("sent", of=gone)  # its invitation was deleted: nothing to record
    assert InvitationEvent.objects.count() == 7


def test_sms_goes_to_the_mobile_number(org_a):
    portal_set_up(org_a, sms_sender="Alpha")
    mobile = client_make(org_a, "Mona Mobile", phone="+525512345678")
    landline_only = client_make(org_a, "Ed Email")
    job = bulk.bulk_invitation_start(
        org=org_a.org, actor=staff(org_a), channel="sms", client_ids=[mobile.pk, landline_only.pk]
    )
    outcomes = dict(BulkInvitationRow.objects.filter(job=job).values_list("client_id", "outcome"))
    assert outcomes == {mobile.pk: Outcome.SENT, landline_only.pk: Outcome.NO_ADDRESS}
    message = Invitation.objects.get(client=mobile).last_message
    assert (message.channel, message.to, message.payload["from"]) == ("sms", "+525512345678", "Alpha")
    assert message.body_html == "" and "[[secret:link]]" in message.body_text


def test_a_pending_invitation_made_meanwhile_is_skipped_not_an_error(org_a, monkeypatch):
    """A single send that commits between the chunk's read and its INSERT: the unique pending
    invitation per client is kept, that client is 'already invited', the others go out."""
    portal_set_up(org_a)
    racing, other = client_make(org_a, "Rita Race"), client_make(org_a, "Otto Other")
    actions.invitation_send(client=racing, actor=staff(org_a))
    Client.objects.filter(pk=racing.pk).update(status=ClientStatus.NOT_INVITED)  # as the chunk saw it
    real = bulk.invitation_refusal
    monkeypatch.setattr(bulk, "invitation_refusal", lambda c, ch, pending=None: real(c, ch, pending=False))
    job = bulk.bulk_invitation_start(
        org=org_a.org, actor=staff(org_a), channel="email", client_ids=[racing.pk, other.pk]
    )
    outcomes = dict(BulkInvitationRow.objects.filter(job=job).values_list("client_id", "outcome"))
    assert outcomes == {racing.pk: Outcome.ALREADY_INVITED, other.pk: Outcome.SENT}
    assert Invitation.objects.filter(client=racing).count() == 1 and (job.count("sent"), job.count("skipped")) == (1, 1)


def test_refusals_before_anything_is_made(org_a):
    client = client_make(org_a)
    with pytest.raises(PorticoError) as exc:
        bulk.bulk_invitation_start(org=org_a.org, actor=staff(org_a), channel="email", client_ids=[client.pk])
    assert exc.value.code == "portal_not_set_up"
    portal_set_up(org_a)
    with pytest.raises(PorticoError) as exc:
        bulk.bulk_invitation_start(org=org_a.org, actor=staff(org_a), channel="fax", client_ids=[client.pk])
    assert exc.value.code == "bad_channel"
    with pytest.raises(PorticoError) as exc:
        bulk.bulk_invitation_start(org=org_a.org, actor=staff(org_a), channel="email", client_ids=[999_999])
    assert exc.value.code == "empty"
    assert not Job.objects.exists() and not Invitation.objects.exists()


def test_chunks_cost_the_same_whatever_their_size(org_a, monkeypatch):
    portal_set_up(org_a)
    monkeypatch.setitem(KINDS, bulk.KIND, dataclasses.replace(bulk.KIND_INVITATIONS, chunk_size=10_000))
    counts = []
    for n, prefix in ((3, "a"), (30, "b")):
        people = [client_make(org_a, f"{prefix}{i} X", email=f"{prefix}{i}@example.test") for i in range(n)]
        with CaptureQueriesContext(connection) as queries:
            bulk.bulk_invitation_start(
                org=org_a.org, actor=staff(org_a), channel="email", client_ids=[p.pk for p in people]
            )
        counts.append(len([q for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]))
    if connection.vendor == "postgresql":  # SQLite splits big INSERTs by its variable limit
        assert counts[0] == counts[1]
    assert counts[0] <= 30, counts  # 13 per chunk, the rest per job


def test_all_matching_a_filter(org_a):
    portal_set_up(org_a)
    for i in range(4):
        client_make(org_a, f"F{i} Person", email=f"f{i}@example.test")
    archived = client_make(org_a, "Gone Person")
    client_actions.client_status_change(action="archive", client=archived, actor=staff(org_a))
    job = bulk.bulk_invitation_start(
        org=org_a.org, actor=staff(org_a), channel="email", filters=ClientFilters(status="not_invited")
    )
    assert (job.total, job.count("sent"), job_clients_not_found(job), job.params["filters"]) == (
        4,
        4,
        0,
        {"status": "not_invited"},
    )


# --- in the background ---


@pytest.mark.django_db(transaction=True)
def test_large_selections_run_in_the_background_with_progress_and_results(org_a, monkeypatch, client):
    monkeypatch.setitem(KINDS, bulk.KIND, dataclasses.replace(bulk.KIND_INVITATIONS, inline_limit=3, chunk_size=2))
    people = _mixed(org_a)
    client.force_login(org_a.admin)
    response = client.post(
        reverse("invitation_bulk", args=["alpha"]),
        {"channel": "email", "scope": "all", "filter_query": "", "confirm": "1"},
    )
    job = Job.objects.get()
    assert response["Location"] == reverse("job_detail", args=["alpha", job.pk])
    assert (job.state, job.total) == ("queued", 8)
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in page and "Results" not in page
    run_tasks()
    job.refresh_from_db()
    assert (job.state, job.processed, job.count("sent"), job.count("skipped"), job.percent) == ("done", 8, 3, 5, 100)
    # The poll sees the end and reloads the page, which now has the result table.
    poll = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert poll["HX-Refresh"] == "true" and "every 1s" not in poll.content.decode()
    page = client.get(response["Location"]).content.decode()
    assert "Olivia Ok" in page and "Skipped: already has portal access" in page
    skipped = client.get(response["Location"], {"outcome": "not_invitable"}).content.decode()
    assert "Arturo Archived" in skipped and "Clara Closed" in skipped and "Olivia Ok" not in skipped
    assert set(Client.objects.filter(pk=people["ok"].pk).values_list("status", flat=True)) == {"invite_sent"}
    summary = AuditEvent.objects.get(action=AuditAction.INVITATIONS_BULK_SENT)
    assert summary.detail["outcomes"] == {
        "sent": 3,
        "no_address": 1,
        "not_invitable": 2,
        "has_access": 1,
        "already_invited": 1,
    }
    assert OutboxMessage.objects.filter(state="sent").count() == 4  # three from the job, one before it


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_died_goes_on_where_it_stopped(org_a, monkeypatch):
    import datetime as dt

    import time_machine
    from django.core.management import call_command

    monkeypatch.setitem(KINDS, bulk.KIND, dataclasses.replace(bulk.KIND_INVITATIONS, chunk_size=2))
    portal_set_up(org_a)
    people = [client_make(org_a, f"R{i} Person", email=f"r{i}@example.test") for i in range(5)]
    job = Job.objects.create(
        org=org_a.org,
        kind=bulk.KIND,
        params={"channel": "email", "client_ids": [p.pk for p in people]},
        total=5,
        created_by=org_a.admin,
    )
    # The worker claimed it, committed its first chunk, then died.
    Job.objects.filter(pk=job.pk).update(state="running")
    with transaction.atomic():
        counts = bulk.KIND_INVITATIONS.run_chunk(job, staff(org_a), [people[0].pk, people[1].pk])
    Job.objects.filter(pk=job.pk).update(
        processed=2, counts=counts, cursor=people[1].pk, heartbeat_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    with time_machine.travel(dt.datetime(2026, 1, 1, 0, 11, tzinfo=dt.UTC)):
        call_command("sweep")
    run_tasks()
    job.refresh_from_db()
    assert (job.state, job.processed, job.count("sent"), job.count("skipped")) == ("done", 5, 5, 0)
    assert Invitation.objects.count() == 5 and BulkInvitationRow.objects.filter(outcome="sent").count() == 5


# --- the pages ---


def test_the_client_list_offers_the_invitation_only_when_it_can_be_used(client, org_a):
    client_make(org_a)
    client.force_login(org_a.admin)
    url = reverse("client_list", args=["alpha"])
    assert b"Invite to portal" not in client.get(url).content  # no portal yet
    portal_set_up(org_a)
    page = client.get(url).content.decode()
    assert "Invite to portal" in page and 'name="client"' in page and 'form="invite-form"' in page
    client.force_login(org_a.readonly)  # no invitations.send
    page = client.get(url).content.decode()
    assert "Invite to portal" not in page and 'name="client"' not in page


def test_confirmation_then_the_job_page(client, org_a):
    people = _mixed(org_a)
    client.force_login(org_a.admin)
    picked = {"channel": "email", "client": [people["ok"].pk, people["archived"].pk]}
    confirm = client.post(reverse("invitation_bulk", args=["alpha"]), picked)
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert "Invite 2 clients to the client portal by email?" in text
    assert f'name="client" value="{people["archived"].pk}"' in text and 'name="confirm" value="1"' in text
    assert not Job.objects.exists()
    response = client.post(reverse("invitation_bulk", args=["alpha"]), {**picked, "confirm": "1"})
    job = Job.objects.get()
    assert response["Location"] == reverse("job_detail", args=["alpha", job.pk])
    page = client.get(response["Location"]).content.decode()
    assert job.state == "done" and "every 1s" not in page
    assert "Olivia Ok" in page and "Skipped: archived or closed" in page


def test_nothing_selected_and_broken_filters_are_refused(client, org_a):
    portal_set_up(org_a)
    client_make(org_a)
    client.force_login(org_a.admin)
    url = reverse("invitation_bulk", args=["alpha"])
    response = client.post(url, {"channel": "email"}, follow=True)
    assert b"Select at least one client" in response.content
    response = client.post(
        url,
        {"channel": "email", "scope": "all", "filter_query": "created_from=2024-13-01", "confirm": "1"},
        follow=True,
    )
    assert b"The filter is not valid" in response.content
    assert not Job.objects.exists()


def test_portal_not_set_up_is_refused(client, org_a):
    person = client_make(org_a)
    client.force_login(org_a.admin)
    response = client.post(
        reverse("invitation_bulk", args=["alpha"]),
        {"channel": "email", "client": [person.pk], "confirm": "1"},
        follow=True,
    )
    assert b"Set up the client portal first" in response.content
    assert not Job.objects.exists()


def test_staff_without_invitations_send_get_403(client, org_a):
    portal_set_up(org_a)
    person = client_make(org_a)
    job = bulk.bulk_invitation_start(org=org_a.org, actor=staff(org_a), channel="email", client_ids=[person.pk])
    client.force_login(org_a.readonly)
    response = client.post(
        reverse("invitation_bulk", args=["alpha"]), {"channel": "email", "client": [person.pk], "confirm": "1"}
    )
    assert response.status_code == 403 and b"invitations.send" in response.content
    assert client.get(reverse("job_detail", args=["alpha", job.pk])).status_code == 403
    assert Job.objects.count() == 1


def test_another_organizations_job_is_404(client, org_a, org_b):
    portal_set_up(org_a)
    job = bulk.bulk_invitation_start(
        org=org_a.org, actor=staff(org_a), channel="email", client_ids=[client_make(org_a).pk]
    )
    client.force_login(org_b.admin)
    assert client.get(reverse("job_detail", args=["beta", job.pk])).status_code == 404


def test_the_result_table_pages_with_a_fixed_number_of_queries(client, org_a, monkeypatch, django_assert_num_queries):
    portal_set_up(org_a)
    people = [client_make(org_a, f"Page{i:02} Person", email=f"page{i}@example.test") for i in range(12)]
    job = bulk.bulk_invitation_start(
        org=org_a.org, actor=staff(org_a), channel="email", client_ids=[p.pk for p in people]
    )
    monkeypatch.setattr("portico.invitations.bulk.RESULTS_PAGE", 5)
    client.force_login(org_a.admin)
    url = reverse("job_detail", args=["alpha", job.pk])
    client.get(url)  # the first organization page of a session also writes the session
    # session, user, memberships, the job, the outcome counts, the page of rows
    with django_assert_num_queries(6):
        first = client.get(url).content.decode()
    assert "Page00 Person" in first and "Page04 Person" in first and "Page05 Person" not in first
    cursor = re.search(r"cursor=([\w-]+)", first).group(1)
    with django_assert_num_queries(6):
        second = client.get(url, {"cursor": cursor}).content.decode()
    assert "Page05 Person" in second and "Page00 Person" not in second
    with django_assert_num_queries(6):
        client.get(url, {"outcome": "sent", "cursor": cursor})
