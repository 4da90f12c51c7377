"""The staff start page (/o/<org>/): what is waiting for me, my clients' news, invitations in
trouble this week and the counts a manager looks at; each block one query, by permission."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portico.clients.actions import client_assign_navigator, client_delete
from portico.core.actors import Actor
from portico.invitations.actions import invitation_send
from portico.invitations.models import Invitation
from portico.notifications.models import Notification
from portico.requests.actions import request_reply
from portico.requests.models import ClientRequest
from testing.requests import request_make
from testing.world import client_make, portal_set_up

pytestmark = pytest.mark.django_db
URL = "/o/alpha/"


def _mine(world, name):
    client = client_make(world, name)
    client_assign_navigator(client=client, actor=Actor.system(), navigator=world.admin)
    return client


def _section(page: str, section_id: str) -> str:
    start = page.index(f'id="{section_id}"')
    return page[start : page.index("</section>", start)]


def _page(client, url=URL):
    client.get(url)  # the first organization page of a session also writes the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries)


def test_each_block_shows_what_it_promises(client, org_a):
    portal_set_up(org_a)
    old, new = _mine(org_a, "Olga Old"), _mine(org_a, "Nico New")
    first = request_make(org_a, client=old, subject="Waiting longest")
    request_make(org_a, client=new, subject="Waiting less")
    ClientRequest.objects.filter(pk=first.pk).update(last_activity_at=timezone.now() - dt.timedelta(days=3))
    answered = request_make(org_a, client=new, subject="Already answered")
    request_reply(client_request=answered, actor=Actor(kind="staff", user=org_a.admin), body="Done", from_client=False)
    request_make(org_a, subject="Someone else's client")
    bounced = invitation_send(client=client_make(org_a, "Bea Bounced", email="bea@example.test"), actor=Actor.system())
    Invitation.objects.filter(pk=bounced.pk).update(delivery="bounced", delivery_at=timezone.now())
    client.force_login(org_a.admin)

    response, queries = _page(client)
    page = response.content.decode()
    waiting = _section(page, "start-requests")
    assert waiting.index("Waiting longest") < waiting.index("Waiting less")  # the oldest first
    assert "Already answered" not in waiting and "Someone else&#x27;s client" not in waiting
    news = _section(page, "start-news")
    assert "Olga Old" in news and "Nico New" in news  # their requests notified me, unread
    trouble = _section(page, "start-invitations")
    assert "Bea Bounced" in trouble
    counts = response.context["counts"]
    assert (counts.open_requests, counts.unassigned_requests, counts.pending_invitations) == (3, 1, 1)
    assert counts.new_clients_week == 4  # Olga, Nico, Bea and the other client
    # session, user, memberships + one query per block
    assert queries == 3 + 4


def test_the_query_count_is_the_same_with_many_rows(client, org_a):
    portal_set_up(org_a)
    client.force_login(org_a.admin)
    _, few = _page(client)
    for i in range(12):
        request_make(org_a, client=_mine(org_a, f"Client {i}"))
    _, many = _page(client)
    assert few == many == 7


def test_reading_a_notification_takes_the_client_off_the_news(client, org_a):
    request_make(org_a, client=_mine(org_a, "Rita Read"))
    client.force_login(org_a.admin)
    assert "Rita Read" in client.get(URL).content.decode()
    Notification.objects.filter(recipient=org_a.admin).update(read_at=timezone.now())
    assert "No news about your clients." in client.get(URL).content.decode()


def test_a_role_sees_only_the_blocks_it_may_open(client, org_a):
    client.force_login(org_a.readonly)  # clients.view only
    response, queries = _page(client)
    page = response.content.decode()
    assert 'id="start-requests"' not in page and 'id="start-news"' in page and 'id="start-counts"' in page
    assert queries == 3 + 2  # the news and the counts (no portal set up: no invitations block)


def test_another_organizations_data_never_shows(client, org_a, org_b):
    portal_set_up(org_b)
    theirs = client_make(org_b, "Beta Person")
    client_assign_navigator(client=theirs, actor=Actor.system(), navigator=org_b.admin)
    request_make(org_b, client=theirs, subject="Beta's request")
    client.force_login(org_a.admin)
    page = client.get(URL).content.decode()
    assert "Beta" not in page.replace("Beta Org", "")
    assert client.get(reverse("org_dashboard", args=["beta"])).status_code == 404


def test_a_deleted_clients_requests_and_invitations_leave_the_page(client, org_a):
    portal_set_up(org_a)
    gone = _mine(org_a, "Gina Gone")
    request_make(org_a, client=gone, subject="From a deleted record")
    bounced = invitation_send(client=gone, actor=Actor.system())
    Invitation.objects.filter(pk=bounced.pk).update(delivery="bounced", delivery_at=timezone.now())
    client_delete(client=gone, actor=Actor(kind="staff", user=org_a.admin))
    client.force_login(org_a.admin)

    page = _page(client)[0]
    text = page.content.decode()
    assert "From a deleted record" not in _section(text, "start-requests")
    assert "Gina Gone" not in _section(text, "start-invitations")
    counts = page.context["counts"]
    assert (counts.open_requests, counts.unassigned_requests, counts.new_clients_week) == (0, 0, 0)
