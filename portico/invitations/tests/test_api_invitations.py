"""/api/v1/invitations and /api/v1/clients/{id}/invitations: client portal invitations as JSON,
with an organization's API key or a session."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.core import mail
from django.http import Http404
from django.utils import timezone

from portico.audit.models import AuditAction, AuditEvent
from portico.clients.actions import client_delete, client_profile_assign, client_status_change
from portico.clients.models import Client, ClientStatus, Profile
from portico.core.actors import Actor, ActorKind
from portico.invitations import actions, selectors
from portico.invitations.models import Invitation, InvitationStatus
from portico.orgs.actions import api_key_create
from testing.world import client_make, portal_set_up

URL = "/api/v1/invitations"


def _key(world, role="Navigator"):
    _, raw = api_key_create(
        org=world.org, actor=Actor(kind="staff", user=world.admin), name=f"{role} key", role=world.roles[role]
    )
    return raw


def _bearer(raw):
    return {"Authorization": f"Bearer {raw}"}


def _send(client, method, path, raw=None, body=None):
    kwargs = {"headers": _bearer(raw)} if raw else {}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(path, **kwargs)


def _send_url(record):
    return f"/api/v1/clients/{record.pk}/invitations"


def _staff(world):
    return Actor(kind=ActorKind.STAFF, user=world.admin)


def _invite(world, name="Mark Client", channel="email", **fields):
    record = client_make(world, name, **fields)
    return actions.invitation_send(client=record, actor=_staff(world), channel=channel)


def _link_of(to):
    for message in reversed(mail.outbox):
        if to in message.to:
            return str(message.body).split("/invite/")[1].split("/")[0]
    raise AssertionError(f"no invitation to {to}")


def _assert_no_secret(response, raw=None):
    """No token, no link: not as a field, not as a value."""
    text = response.content.decode()
    assert "/invite/" not in text and "token" not in text and '"link' not in text
    if raw is not None:
        assert raw not in text


@pytest.fixture
def nav_key(org_a):
    return _key(org_a)


@pytest.fixture
def portal_a(org_a):
    return portal_set_up(org_a)


# --- send ---


def test_a_key_sends_an_invitation(client, org_a, portal_a, nav_key, deliver):
    record = client_make(org_a)
    with deliver():
        response = _send(client, "post", _send_url(record), nav_key, {"channel": "email"})
    assert response.status_code == 201, response.content
    data = response.json()
    invitation = Invitation.objects.get(client=record)
    assert data["id"] == invitation.pk
    assert data["client"] == {"id": record.pk, "name": "Mark Client", "case_number": record.case_number}
    assert data["channel"] == "email" and data["address"] == "mark@example.test"
    assert data["state"] == "pending" and data["sent_count"] == 1 and data["invited_by"] is None
    assert data["delivery"] == "queued" and [e["kind"] for e in data["events"]] == ["queued"]
    assert data["accepted_at"] is None and data["ended_reason"] == ""
    _assert_no_secret(response, _link_of("mark@example.test"))
    record.refresh_from_db()
    assert record.status == ClientStatus.INVITE_SENT
    event = AuditEvent.objects.get(action=AuditAction.INVITATION_SENT)
    assert event.actor_kind == "system" and event.actor_user is None and event.target_id == str(record.pk)
    assert f"pk_{nav_key.split('_')[1]}" in event.actor_label
    assert event.detail["invitation"] == invitation.pk


def test_an_sms_invitation_goes_to_the_mobile_number(client, org_a, portal_a, nav_key):
    record = client_make(org_a, phone="+525512345678")
    response = _send(client, "post", _send_url(record), nav_key, {"channel": "sms"})
    assert response.status_code == 201, response.content
    assert response.json()["channel"] == "sms" and response.json()["address"] == "+525512345678"
    _assert_no_secret(response)


def test_the_channel_defaults_to_email_and_must_be_email_or_sms(client, org_a, portal_a, nav_key):
    record = client_make(org_a)
    for body in [{"channel": "fax"}, {"channel": "email", "to": "x@example.test"}]:
        response = _send(client, "post", _send_url(record), nav_key, body)
        assert response.status_code == 422 and response.json()["code"] == "invalid", body
    assert not Invitation.objects.exists()
    response = _send(client, "post", _send_url(record), nav_key, {})
    assert response.status_code == 201 and response.json()["channel"] == "email"


def test_no_portal_no_invitation(client, org_a, nav_key):
    record = client_make(org_a)
    response = _send(client, "post", _send_url(record), nav_key, {"channel": "email"})
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "portal_not_set_up" and "client portal" in data["message"] and data["extra"] == {}
    assert not Invitation.objects.exists() and not AuditEvent.objects.filter(action=AuditAction.INVITATION_SENT)


def test_send_refusals_say_why(client, org_a, portal_a, nav_key):
    invited = client_make(org_a)
    assert _send(client, "post", _send_url(invited), nav_key, {"channel": "email"}).status_code == 201
    again = _send(client, "post", _send_url(invited), nav_key, {"channel": "email"})
    assert again.status_code == 409 and again.json()["code"] == "already_invited"

    no_email = client_make(org_a, "Nora Nobody", email="")
    response = _send(client, "post", _send_url(no_email), nav_key, {"channel": "email"})
    assert response.status_code == 400 and response.json()["code"] == "no_address"
    response = _send(client, "post", _send_url(no_email), nav_key, {"channel": "sms"})
    assert response.status_code == 400 and response.json()["code"] == "no_address"

    archived = client_make(org_a, "Arch Ived")
    client_status_change(action="archive", client=archived, actor=_staff(org_a))
    response = _send(client, "post", _send_url(archived), nav_key, {"channel": "email"})
    assert response.status_code == 400 and response.json()["code"] == "not_invitable"

    has_access = client_make(org_a, "Hazel Access")
    profile = Profile.objects.create(full_name="Hazel", organizer=org_a.readonly)
    client_profile_assign(client=has_access, profile=profile, actor=_staff(org_a))
    response = _send(client, "post", _send_url(has_access), nav_key, {"channel": "email"})
    assert response.status_code == 409 and response.json()["code"] == "has_access"

    assert Invitation.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_SENT).count() == 1
    missing = _send(client, "post", "/api/v1/clients/999999/invitations", nav_key, {"channel": "email"})
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


# --- read ---


def test_list_and_filters(client, org_a, org_b, portal_a, nav_key, deliver):
    portal_set_up(org_b)
    with deliver():
        ana = _invite(org_a, "Ana Email")
    actions.invitation_mark_opened(raw_token=_link_of("ana@example.test"))
    ben = _invite(org_a, "Ben Sms", channel="sms", phone="+525512345678")
    actions.invitation_revoke(invitation=ben, actor=_staff(org_a))
    cara = _invite(org_a, "Cara Queued")
    _invite(org_b, "Beta Client")

    def ids(query=""):
        response = _send(client, "get", f"{URL}?{query}", nav_key)
        assert response.status_code == 200, response.content
        _assert_no_secret(response)
        return [i["id"] for i in response.json()["items"]]

    data = _send(client, "get", URL, nav_key).json()
    assert [i["id"] for i in data["items"]] == [cara.pk, ben.pk, ana.pk]  # newest send first
    assert data["total"] == 3 and data["next_cursor"] is None and data["total_is_estimate"] is False
    first = data["items"][2]
    assert first["client"]["name"] == "Ana Email" and first["delivery"] == "opened" and first["opened_at"]
    assert "events" not in first
    assert ids("state=pending") == [cara.pk, ana.pk]
    assert ids("state=revoked") == [ben.pk]
    assert ids("state=accepted") == ids("state=expired") == []
    assert ids("channel=sms") == [ben.pk]
    assert ids("channel=email") == [cara.pk, ana.pk]
    assert ids("delivery=opened") == [ana.pk]
    assert ids("delivery=queued") == [cara.pk, ben.pk]
    assert ids(f"client={ana.client_id}") == [ana.pk]
    assert ids("channel=email&delivery=queued") == [cara.pk]
    assert ids("state=pending&channel=sms") == []
    for bad in ["state=bogus", "delivery=lost", "channel=fax", "client=0", f"client={2**63}", "since=yesterday"]:
        response = _send(client, "get", f"{URL}?{bad}", nav_key)
        assert response.status_code == 422, bad
        assert response.json()["code"] == "invalid"


def test_since_filters_by_the_newest_send(client, org_a, portal_a, nav_key):
    with time_machine.travel(dt.datetime(2024, 1, 10, 12, tzinfo=dt.UTC)):
        old = _invite(org_a, "Olga Old")
    new = _invite(org_a, "Nina New")

    def ids(since):
        response = client.get(URL, {} if since is None else {"since": since}, headers=_bearer(nav_key))
        assert response.status_code == 200, response.content
        return [i["id"] for i in response.json()["items"]]

    assert ids(None) == [new.pk, old.pk]
    assert ids("2024-06-01T00:00:00Z") == [new.pk]
    assert ids("2024-01-10T12:00:00+00:00") == [new.pk, old.pk]
    assert ids("2024-01-10T12:00:01") == [new.pk]  # no offset: UTC
    assert ids("2024-01-10T13:00:00+02:00") == [new.pk, old.pk]
    actions.invitation_resend(invitation=old, actor=_staff(org_a))  # a resend is a newer send
    assert ids("2024-06-01T00:00:00Z") == [old.pk, new.pk]


def test_expired_is_a_state_of_its_own_before_the_sweep(client, org_a, nav_key):
    portal_set_up(org_a, invitation_lifetime_days=3)
    invitation = _invite(org_a)
    assert _state_ids(client, nav_key, "pending") == [invitation.pk]
    with time_machine.travel(timezone.now() + dt.timedelta(days=3, minutes=1)):
        assert _state_ids(client, nav_key, "expired") == [invitation.pk]
        assert _state_ids(client, nav_key, "pending") == []
        response = _send(client, "get", f"{URL}/{invitation.pk}", nav_key)
        assert response.json()["state"] == "expired"
        assert Invitation.objects.get().status == InvitationStatus.PENDING  # the sweep has not run
        # An expired invitation can be sent again: a fresh lifetime.
        resent = _send(client, "post", f"{URL}/{invitation.pk}/resend", nav_key)
        assert resent.status_code == 200, resent.content
        assert resent.json()["state"] == "pending" and resent.json()["sent_count"] == 2
        assert _state_ids(client, nav_key, "expired") == []
    event = AuditEvent.objects.get(action=AuditAction.INVITATION_RESENT)
    assert (event.from_state, event.to_state) == ("expired", "pending")


def _state_ids(client, raw, state):
    response = _send(client, "get", f"{URL}?state={state}", raw)
    assert response.status_code == 200, response.content
    return [i["id"] for i in response.json()["items"]]


def test_list_pages_with_a_cursor(client, org_a, portal_a, nav_key):
    made = [_invite(org_a, f"C{i:02} Client").pk for i in range(27)]
    page1 = _send(client, "get", URL, nav_key).json()
    assert len(page1["items"]) == 25 and page1["total"] == 27 and page1["next_cursor"]
    page2 = _send(client, "get", f"{URL}?cursor={page1['next_cursor']}", nav_key).json()
    assert [i["id"] for i in page2["items"]] == [made[1], made[0]] and page2["next_cursor"] is None
    assert page2["total"] == 27
    assert [i["id"] for i in page1["items"] + page2["items"]] == made[::-1]
    # A cursor that is not one starts from the top rather than failing.
    assert _send(client, "get", f"{URL}?cursor=nonsense", nav_key).json()["items"] == page1["items"]


@pytest.mark.parametrize("count", [1, 10])
def test_the_list_costs_the_same_for_1_and_10_invitations(
    client, org_a, portal_a, nav_key, count, django_assert_num_queries
):
    for i in range(count):
        record = client_make(org_a, f"C{i} Client")
        actions.invitation_send(client=record, actor=_staff(org_a))
    actions.invitation_revoke(invitation=Invitation.objects.first(), actor=_staff(org_a))
    _send(client, "get", URL, nav_key)  # the key's first use writes last_used_at (once a minute)
    # 1 the API key with its organization and role
    # 2 the page: invitations with their client, inviter and newest message
    # (no count: the whole result fits on the page)
    with django_assert_num_queries(2):
        response = _send(client, "get", URL, nav_key)
    assert response.status_code == 200 and len(response.json()["items"]) == count
    assert all(i["invited_by"] == {"id": org_a.admin.pk, "name": "Alpha Admin"} for i in response.json()["items"])


def test_get_shows_the_delivery_trail(client, org_a, portal_a, nav_key, deliver):
    with deliver():
        invitation = _invite(org_a)
    raw = _link_of("mark@example.test")
    actions.invitation_mark_opened(raw_token=raw)
    response = _send(client, "get", f"{URL}/{invitation.pk}", nav_key)
    assert response.status_code == 200, response.content
    data = response.json()
    assert [e["kind"] for e in data["events"]] == ["queued", "sent", "opened"]
    assert all(e["at"] and "detail" in e for e in data["events"])
    assert data["delivery"] == "opened" and data["opened_at"] is not None
    assert data["invited_by"] == {"id": org_a.admin.pk, "name": "Alpha Admin"}
    _assert_no_secret(response, raw)
    missing = _send(client, "get", f"{URL}/999999", nav_key)
    assert missing.status_code == 404 and missing.json() == {"code": "not_found", "message": "Not found.", "extra": {}}


def test_a_deleted_records_invitations_are_gone_too(client, org_a, portal_a, nav_key):
    invitation = _invite(org_a)
    client_delete(client=Client.objects.get(pk=invitation.client_id), actor=_staff(org_a))
    assert _send(client, "get", f"{URL}/{invitation.pk}", nav_key).status_code == 404
    assert _send(client, "post", f"{URL}/{invitation.pk}/revoke", nav_key).status_code == 404
    assert _send(client, "get", URL, nav_key).json()["items"] == []


# --- resend and revoke ---


def test_resend_makes_a_new_link_to_the_same_address(client, org_a, portal_a, nav_key, deliver):
    with deliver():
        invitation = _invite(org_a)
    first = _link_of("mark@example.test")
    with deliver():
        response = _send(client, "post", f"{URL}/{invitation.pk}/resend", nav_key)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["state"] == "pending" and data["sent_count"] == 2 and data["address"] == "mark@example.test"
    assert [e["kind"] for e in data["events"]] == ["queued", "sent", "queued"]
    second = _link_of("mark@example.test")
    assert first != second
    _assert_no_secret(response, second)
    assert actions.invitation_link_state(raw_token=first).reason == "replaced"
    assert actions.invitation_link_state(raw_token=second).usable
    event = AuditEvent.objects.get(action=AuditAction.INVITATION_RESENT)
    assert event.actor_kind == "system" and event.detail["sent_count"] == 2


def test_revoke_ends_it_and_a_second_revoke_or_resend_is_409(client, org_a, portal_a, nav_key):
    invitation = _invite(org_a)
    response = _send(client, "post", f"{URL}/{invitation.pk}/revoke", nav_key)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "revoked" and response.json()["ended_reason"] == "staff"
    assert Client.objects.get(pk=invitation.client_id).status == ClientStatus.NOT_INVITED
    event = AuditEvent.objects.get(action=AuditAction.INVITATION_REVOKED)
    assert event.actor_kind == "system" and (event.from_state, event.to_state) == ("pending", "revoked")
    for verb in ("revoke", "resend"):
        response = _send(client, "post", f"{URL}/{invitation.pk}/{verb}", nav_key)
        assert response.status_code == 409, verb
        assert response.json()["code"] == "invalid_transition"
        assert response.json()["extra"] == {"from": "revoked", "action": verb}
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_REVOKED).count() == 1
    assert not AuditEvent.objects.filter(action=AuditAction.INVITATION_RESENT).exists()
    # Revoked, the client can be invited afresh.
    response = _send(client, "post", _send_url(invitation.client), nav_key, {"channel": "email"})
    assert response.status_code == 201 and response.json()["id"] != invitation.pk


# --- permissions and organizations ---


def test_a_key_without_invitations_send_can_read_but_not_change(client, org_a, portal_a):
    invitation = _invite(org_a)
    other = client_make(org_a, "Other Client")
    readonly_key = _key(org_a, role="Read-only")
    for path, body in [
        (_send_url(other), {"channel": "email"}),
        (f"{URL}/{invitation.pk}/resend", None),
        (f"{URL}/{invitation.pk}/revoke", None),
    ]:
        response = _send(client, "post", path, readonly_key, body)
        assert response.status_code == 403, path
        assert response.json() == {
            "code": "permission_missing",
            "message": "Client Account Invitations",
            "extra": {"permission": "invitations.send"},
        }
    assert _send(client, "get", URL, readonly_key).json()["total"] == 1
    assert _send(client, "get", f"{URL}/{invitation.pk}", readonly_key).status_code == 200
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING and invitation.sent_count == 1
    assert Invitation.objects.count() == 1
    assert AuditEvent.objects.filter(target_type="clients.client", action__startswith="invitation").count() == 1


def test_another_organizations_key_gets_404(client, org_a, org_b, portal_a):
    portal_set_up(org_b)
    invitation = _invite(org_a)
    other = client_make(org_a, "Other Client")
    beta_key = _key(org_b, role="Admin")
    for method, path, body in [
        ("get", f"{URL}/{invitation.pk}", None),
        ("post", f"{URL}/{invitation.pk}/resend", None),
        ("post", f"{URL}/{invitation.pk}/revoke", None),
        ("post", _send_url(other), {"channel": "email"}),
    ]:
        response = _send(client, method, path, beta_key, body)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    assert _send(client, "get", URL, beta_key).json()["items"] == []
    assert _send(client, "get", f"{URL}?client={invitation.client_id}", beta_key).json()["items"] == []
    # Naming the other organization does not help either.
    assert _send(client, "get", f"{URL}?org=alpha", beta_key).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING and invitation.sent_count == 1
    assert list(Invitation.objects.values_list("pk", flat=True)) == [invitation.pk]
    assert not AuditEvent.objects.filter(org=org_b.org, action__startswith="invitation").exists()


def test_a_signed_in_staff_member_uses_the_same_endpoints(client, org_a, org_b, portal_a):
    record = client_make(org_a)
    client.force_login(org_a.admin)
    response = _send(client, "post", f"{_send_url(record)}?org=alpha", body={"channel": "email"})
    assert response.status_code == 201, response.content
    invitation_id = response.json()["id"]
    assert response.json()["invited_by"] == {"id": org_a.admin.pk, "name": "Alpha Admin"}
    event = AuditEvent.objects.get(action=AuditAction.INVITATION_SENT)
    assert event.actor_kind == "staff" and event.actor_user == org_a.admin
    assert _send(client, "get", f"{URL}?org=alpha").json()["total"] == 1
    assert _send(client, "get", f"{URL}/{invitation_id}?org=alpha").status_code == 200
    missing = _send(client, "get", URL)
    assert missing.status_code == 422 and missing.json()["code"] == "org_required"
    client.force_login(org_a.readonly)
    response = _send(client, "post", f"{URL}/{invitation_id}/revoke?org=alpha")
    assert response.status_code == 403 and response.json()["extra"] == {"permission": "invitations.send"}
    client.force_login(org_b.admin)
    assert _send(client, "get", f"{URL}/{invitation_id}?org=beta").status_code == 404
    assert _send(client, "get", f"{URL}?org=alpha").status_code == 404
    assert _send(client, "get", URL).status_code == 422


def test_no_credentials_is_401(client, org_a):
    assert client.get(URL).status_code == 401
    assert client.post("/api/v1/clients/1/invitations", data="{}", content_type="application/json").status_code == 401


# --- selectors ---


def test_selectors_are_scoped_to_the_organization(org_a, org_b, portal_a):
    portal_set_up(org_b)
    mine = _invite(org_a)
    theirs = _invite(org_b)
    assert selectors.invitation_get(org=org_a.org, invitation_id=mine.pk) == mine
    with pytest.raises(Http404):
        selectors.invitation_get(org=org_a.org, invitation_id=theirs.pk)
    assert list(selectors.invitation_list(org=org_a.org)) == [mine]
    filtered = selectors.invitation_list(org=org_b.org, filters=selectors.InvitationFilters(state="pending"))
    assert list(filtered) == [theirs]


# --- documentation ---


def test_openapi_lists_the_invitation_endpoints(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert set(paths["/api/v1/invitations"]) == {"get"}
    assert set(paths["/api/v1/invitations/{invitation_id}"]) == {"get"}
    assert set(paths["/api/v1/invitations/{invitation_id}/resend"]) == {"post"}
    assert set(paths["/api/v1/invitations/{invitation_id}/revoke"]) == {"post"}
    assert set(paths["/api/v1/clients/{client_id}/invitations"]) == {"post"}
    fields = set(schema["components"]["schemas"]["InvitationDetailOut"]["properties"])
    assert not {f for f in fields if "token" in f or "link" in f}
