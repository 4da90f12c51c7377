"""The staff side of client requests: inbox scopes, the thread, take, status moves, attachments."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from portico.clients.actions import client_assign_navigator
from portico.clients.models import NavigatorAssignment
from portico.core.actors import Actor
from portico.requests import selectors
from portico.requests.actions import request_reply
from portico.requests.models import Attachment, RequestStatus
from testing.requests import PNG, png_upload, request_make
from testing.world import client_make

pytestmark = pytest.mark.django_db
# session, user, organization context, the kinds of the filter, the page (client and kind joined)
_INBOX_QUERIES = 5


def _staff(user):
    return Actor(kind="staff", user=user)


def _ids(page):
    return [r.pk for r in page.rows]


def test_inbox_scopes(org_a, navigator):
    mine_client = client_make(org_a, name="Mine Client", email="mine@example.test")
    other_client = client_make(org_a, name="Other Client", email="other@example.test")
    client_assign_navigator(client=mine_client, actor=Actor.system(), navigator=navigator)
    client_assign_navigator(client=other_client, actor=Actor.system(), navigator=org_a.admin)
    mine = request_make(org_a, client=mine_client)
    other = request_make(org_a, client=other_client)
    unassigned = request_make(org_a)
    filters = selectors.RequestFilters()

    def scope(name):
        return _ids(selectors.request_inbox_page(org=org_a.org, user=navigator, scope=name, filters=filters, cursor=""))

    assert scope("mine") == [mine.pk]
    assert scope("unassigned") == [unassigned.pk]
    assert scope("all") == [unassigned.pk, other.pk, mine.pk]


def test_inbox_filters_and_keyset_pages(org_a):
    import datetime as dt

    from django.utils import timezone

    from portico.requests.models import ClientRequest

    made = [request_make(org_a, subject=f"R{i}") for i in range(5)]
    ClientRequest.objects.filter(pk=made[0].pk).update(last_activity_at=timezone.now() - dt.timedelta(days=10))
    ClientRequest.objects.filter(pk=made[1].pk).update(status=RequestStatus.CLOSED)
    page = selectors.request_inbox_page(
        org=org_a.org,
        user=org_a.admin,
        scope="all",
        filters=selectors.RequestFilters(older_than_days=7),
        cursor="",
    )
    assert _ids(page) == [made[0].pk]
    closed = selectors.request_inbox_page(
        org=org_a.org, user=org_a.admin, scope="all", filters=selectors.RequestFilters(status="closed"), cursor=""
    )
    assert _ids(closed) == [made[1].pk]
    seen, cursor = [], ""
    while True:
        page = selectors.request_inbox_page(
            org=org_a.org, user=org_a.admin, scope="all", filters=selectors.RequestFilters(), cursor=cursor, page_size=2
        )
        seen += _ids(page)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(r.pk for r in made) and len(seen) == 5


def test_inbox_page_renders_tabs_and_empty_states(client, org_a):
    client.force_login(org_a.admin)
    url = reverse("request_inbox", args=[org_a.org.slug])
    response = client.get(url)
    assert response.status_code == 200
    assert b"Assigned to me" in response.content and b"No requests from your clients" in response.content
    request_make(org_a, subject="Unassigned one")
    response = client.get(url + "?scope=unassigned")
    assert b"Unassigned one" in response.content


@pytest.mark.parametrize("rows", [1, 10])
def test_inbox_query_count_is_constant(client, org_a, rows, django_assert_num_queries):
    for _ in range(rows):
        request_make(org_a)
    client.force_login(org_a.admin)
    client.get(reverse("request_inbox", args=[org_a.org.slug]) + "?scope=all")  # warm the session
    with django_assert_num_queries(_INBOX_QUERIES):
        response = client.get(reverse("request_inbox", args=[org_a.org.slug]) + "?scope=all")
    assert len(re.findall(rb'href="/o/alpha/requests/\d+/"', response.content)) == rows


def test_internal_notes_never_reach_the_client_thread(org_a):
    request = request_make(org_a)
    request_reply(
        client_request=request, actor=_staff(org_a.admin), body="Private: check ID", from_client=False, internal=True
    )
    request_reply(client_request=request, actor=_staff(org_a.admin), body="Public answer", from_client=False)
    client_side = selectors.request_thread(client_request=request, for_client=True)
    staff_side = selectors.request_thread(client_request=request, for_client=False)
    assert [m.body for m in client_side] == ["Please help.", "Public answer"]
    assert "Private: check ID" in [m.body for m in staff_side]
    assert not any(m.internal for m in client_side)


def test_thread_page_shows_record_box_notes_marked_and_replies(client, org_a):
    request = request_make(org_a, subject="Bus pass")
    request_reply(
        client_request=request, actor=_staff(org_a.admin), body="Private note", from_client=False, internal=True
    )
    client.force_login(org_a.admin)
    url = reverse("request_detail", args=[org_a.org.slug, request.pk])
    page = client.get(url).content.decode()
    assert "Bus pass" in page and request.client.case_number in page and "Internal note" in page
    assert reverse("client_detail", args=[org_a.org.slug, request.client_id]) in page
    response = client.post(url, {"body": "Here is the form.", "attachments": [png_upload()]})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.WAITING_FOR_CLIENT
    assert Attachment.objects.filter(message__client_request=request).count() == 1


def test_status_buttons(client, org_a):
    request = request_make(org_a)
    client.force_login(org_a.admin)
    url = reverse("request_status", args=[org_a.org.slug, request.pk])
    for move, status in (("mark_answered", "answered"), ("close", "closed"), ("reopen", "open")):
        assert client.post(url, {"move": move}).status_code == 302
        request.refresh_from_db()
        assert request.status == status


def test_take_makes_the_taker_the_navigator(client, org_a, navigator):
    request = request_make(org_a)
    client.force_login(navigator)
    response = client.post(reverse("request_take", args=[org_a.org.slug, request.pk]))
    assert response.status_code == 302
    assert list(NavigatorAssignment.objects.filter(client=request.client).values_list("user_id", flat=True)) == [
        navigator.pk
    ]
    mine = selectors.request_inbox_page(
        org=org_a.org, user=navigator, scope="mine", filters=selectors.RequestFilters(), cursor=""
    )
    assert _ids(mine) == [request.pk]
    # A second take is refused (a message, nothing changes).
    client.force_login(org_a.admin)
    client.post(reverse("request_take", args=[org_a.org.slug, request.pk]))
    assert NavigatorAssignment.objects.filter(client=request.client).count() == 1


@pytest.mark.parametrize(
    "name,data",
    [
        ("virus.png", b"MZ\x90\x00" + b"\x00" * 100),  # an .exe renamed .png
        ("page.png", b"<html><script>alert(1)</script></html>"),  # HTML renamed .png
        ("big.png", PNG + b"\x00" * (10 * 1024 * 1024)),  # over 10 MB
    ],
)
def test_attachment_abuse_is_refused(client, org_a, name, data):
    request = request_make(org_a)
    client.force_login(org_a.admin)
    url = reverse("request_detail", args=[org_a.org.slug, request.pk])
    response = client.post(url, {"body": "See attached", "attachments": [png_upload(name, data)]}, HTTP_REFERER=url)
    assert response.status_code == 200  # the form again, the refusal beside the attachments field
    assert response.context["form"].errors["attachments"]
    assert not Attachment.objects.exists()
    assert request.messages.count() == 1  # the reply was not written either


def test_too_many_attachments_are_refused(client, org_a):
    from portico.requests.uploads import MAX_ATTACHMENTS

    request = request_make(org_a)
    client.force_login(org_a.admin)
    url = reverse("request_detail", args=[org_a.org.slug, request.pk])
    client.post(url, {"body": "x", "attachments": [png_upload(f"{i}.png") for i in range(MAX_ATTACHMENTS + 1)]})
    assert not Attachment.objects.exists()


def test_attachments_are_served_only_to_staff_of_the_org(client, org_a, org_b):
    request = request_make(org_a, files=[png_upload("scan.png")])
    attachment = Attachment.objects.get()
    url = reverse("request_attachment", args=[org_a.org.slug, request.pk, attachment.pk])
    assert client.get(url).status_code == 302  # signed out: to sign in
    client.force_login(org_b.admin)
    assert client.get(url).status_code == 404
    other = request_make(org_b)
    own_url = reverse("request_attachment", args=[org_b.org.slug, other.pk, attachment.pk])
    assert client.get(own_url).status_code == 404  # their request, our attachment id
    client.force_login(org_a.admin)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(PNG[:8])


def test_another_organizations_staff_get_404_on_every_request_page(client, org_a, org_b):
    request = request_make(org_a, files=[png_upload()])
    attachment = Attachment.objects.get()
    client.force_login(org_b.admin)
    slug = org_a.org.slug
    for url in (
        reverse("request_inbox", args=[slug]),
        reverse("request_detail", args=[slug, request.pk]),
        reverse("request_attachment", args=[slug, request.pk, attachment.pk]),
        reverse("request_kind_settings", args=[slug]),
    ):
        assert client.get(url).status_code == 404, url
    for url in (reverse("request_status", args=[slug, request.pk]), reverse("request_take", args=[slug, request.pk])):
        assert client.post(url, {"move": "close"}).status_code == 404, url
    # And their own organization's URL with our request's id.
    assert client.get(reverse("request_detail", args=[org_b.org.slug, request.pk])).status_code == 404


def test_request_kinds_settings(client, org_a):
    from portico.requests.models import RequestKind

    client.force_login(org_a.admin)
    url = reverse("request_kind_settings", args=[org_a.org.slug])
    assert b"Information" in client.get(url).content  # defaults made on first visit
    assert client.post(url, {"name": "Housing"}).status_code == 302
    assert RequestKind.objects.filter(org=org_a.org, name="Housing").exists()
    client.post(url, {"name": "housing"}, HTTP_REFERER=url)
    assert RequestKind.objects.filter(org=org_a.org, name__iexact="housing").count() == 1
