"""/api/v1/requests and /api/v1/notifications."""

from __future__ import annotations

import json

import pytest

from portico.core.actors import Actor, ActorKind
from portico.notifications.models import Notification
from portico.orgs.actions import api_key_create
from portico.requests import actions
from portico.requests.models import RequestKind
from portico.requests.selectors import request_kinds
from testing.world import client_make, user_create

pytestmark = pytest.mark.django_db


def _key(world, role="Navigator"):
    _, raw = api_key_create(
        org=world.org, actor=Actor(kind="staff", user=world.admin), name=f"{role} key", role=world.roles[role]
    )
    return {"Authorization": f"Bearer {raw}"}


def _opened(world, subject="Broken heater"):
    from portico.accounts.models import User

    n = User.objects.count()
    person = user_create(f"client{n}@{world.org.slug}.example")
    record = client_make(world, "Mark Client", email=f"mark{n}@example.test")
    kind = request_kinds(org=world.org, offered_only=True)[0]
    request = actions.request_open(
        client=record, actor=Actor(kind=ActorKind.CLIENT, user=person), kind=kind, subject=subject, body="Please help"
    )
    return record, request


def test_list_and_read_with_an_api_key(client, org_a, django_assert_num_queries):
    _opened(org_a)
    headers = _key(org_a)
    response = client.get("/api/v1/requests", headers=headers)
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["subject"] for i in items] == ["Broken heater"]
    for i in range(4):
        _opened(org_a, subject=f"More {i}")
    client.get("/api/v1/requests", headers=headers)
    with django_assert_num_queries(2):  # the key (with its role), the page
        assert len(client.get("/api/v1/requests", headers=headers).json()["items"]) == 5
    detail = client.get(f"/api/v1/requests/{items[0]['id']}", headers=headers).json()
    assert detail["messages"][0]["body"] == "Please help" and detail["messages"][0]["from_client"]


def test_staff_reply_and_note_by_session(client, org_a):
    _record, request = _opened(org_a)
    client.force_login(org_a.admin)
    url = f"/api/v1/requests/{request.pk}/messages?org=alpha"
    reply = client.post(url, data=json.dumps({"body": "On our way"}), content_type="application/json")
    assert reply.status_code == 201 and not reply.json()["internal"]
    note = client.post(url, data=json.dumps({"body": "Bring parts", "internal": True}), content_type="application/json")
    assert note.status_code == 201 and note.json()["internal"]
    request.refresh_from_db()
    assert request.status == "waiting"


def test_api_keys_only_read(client, org_a):
    _record, request = _opened(org_a)
    response = client.post(
        f"/api/v1/requests/{request.pk}/messages",
        data=json.dumps({"body": "x"}),
        content_type="application/json",
        headers=_key(org_a, "Admin"),
    )
    assert response.status_code == 422 and response.json()["code"] == "session_required"


def test_log_a_request_for_a_client(client, org_a):
    record = client_make(org_a, "Phone Caller", email="caller@example.test")
    kind = request_kinds(org=org_a.org, offered_only=True)[0]
    client.force_login(org_a.admin)
    response = client.post(
        f"/api/v1/clients/{record.pk}/requests?org=alpha",
        data=json.dumps({"kind": kind.pk, "subject": "Called about rent", "body": "Wants a call back"}),
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["client"]["id"] == record.pk


def test_other_organization_and_permission(client, org_a, org_b):
    _record, request = _opened(org_a)
    assert client.get(f"/api/v1/requests/{request.pk}", headers=_key(org_b)).status_code == 404
    assert client.get("/api/v1/requests", headers=_key(org_b)).json()["items"] == []
    other_kind = RequestKind.objects.create(org=org_b.org, name="Other")
    client.force_login(org_a.admin)
    record = client_make(org_a, "Someone", email="someone@example.test")
    response = client.post(
        f"/api/v1/clients/{record.pk}/requests?org=alpha",
        data=json.dumps({"kind": other_kind.pk, "subject": "s", "body": "b"}),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert client.get("/api/v1/requests", headers=_key(org_a, "Read-only")).status_code == 403


def test_notifications_list_and_mark_read(client, org_a):
    from portico.clients.actions import client_assign_navigator

    person = user_create("asker@alpha.example")
    record = client_make(org_a, "Asker")
    client_assign_navigator(client=record, actor=Actor.system(), navigator=org_a.admin)
    kind = request_kinds(org=org_a.org, offered_only=True)[0]
    actions.request_open(
        client=record, actor=Actor(kind=ActorKind.CLIENT, user=person), kind=kind, subject="Help", body="Please"
    )
    client.force_login(org_a.admin)
    page = client.get("/api/v1/notifications?org=alpha").json()
    assert page["unread"] == 1 and "Help" in page["items"][0]["title"]
    marked = client.post("/api/v1/notifications/read?org=alpha", data=json.dumps({}), content_type="application/json")
    assert marked.json()["marked"] == 1
    assert not Notification.objects.filter(read_at=None).exists()
    client.force_login(org_a.readonly)
    assert client.get("/api/v1/notifications?org=alpha").json()["items"] == []


def test_any_staff_member_reads_their_own_notifications(client, org_a):
    from portico.orgs.actions import membership_add, role_create

    role = role_create(org=org_a.org, actor=Actor.system(), name="Nothing", permissions=[])
    someone = user_create("nobody@alpha.test")
    membership_add(org=org_a.org, user=someone, role=role, actor=Actor.system())
    client.force_login(someone)
    assert client.get("/api/v1/notifications?org=alpha").status_code == 200


def test_a_staff_reply_to_a_logged_request_tells_nobody_without_portal_access(client, org_a, deliver):
    from django.core import mail

    record = client_make(org_a, "Phone Caller", email="caller@example.test")
    kind = request_kinds(org=org_a.org, offered_only=True)[0]
    staff = Actor(kind=ActorKind.STAFF, user=org_a.admin)
    with deliver():
        logged = actions.request_open(
            client=record, actor=staff, kind=kind, subject="Rent", body="Called", from_client=False
        )
        actions.request_reply(client_request=logged, actor=staff, body="Called back", from_client=False)
    assert not [m for m in mail.outbox if "answered your request" in m.subject]
