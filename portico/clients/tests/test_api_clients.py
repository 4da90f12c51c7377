"""/api/v1/clients: the client operations as JSON, with an organization's API key or a session."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from portico.audit.models import AuditAction, AuditEvent
from portico.clients.actions import client_create
from portico.clients.models import Client, ClientType
from portico.core.actors import Actor
from portico.orgs.actions import api_key_create, api_key_revoke

URL = "/api/v1/clients"


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


def _client(world, name="Ana Pérez", **fields):
    return client_create(org=world.org, actor=Actor.system(), name=name, **fields)


@pytest.fixture
def nav_key(org_a):
    return _key(org_a)


# --- create ---


def test_a_key_creates_a_client_with_a_case_number(client, org_a, nav_key):
    response = _send(
        client, "post", URL, nav_key, {"name": "Ana Pérez", "email": " Ana@Example.COM ", "phone": "55 1234 5678"}
    )
    assert response.status_code == 201, response.content
    data = response.json()
    record = Client.objects.get(org=org_a.org)
    assert data["id"] == record.pk and data["case_number"] == record.case_number != ""
    assert data["status"] == "not_invited"
    assert data["email"] == "ana@example.com" and data["phone"] == "+525512345678"
    assert data["duplicates"] == []
    event = AuditEvent.objects.get(org=org_a.org, action=AuditAction.CLIENT_CREATED)
    assert event.actor_kind == "system" and event.actor_user is None
    prefix = nav_key.split("_")[1]
    assert f"pk_{prefix}" in event.actor_label


def test_create_reports_duplicates_by_email_or_phone(client, org_a, org_b, nav_key):
    same_email = _client(org_a, email="ana@example.com")
    same_phone = _client(org_a, name="Other", phone="+525512345678")
    _client(org_b, email="ana@example.com")  # another organization's record is not a duplicate
    data = _send(
        client, "post", URL, nav_key, {"name": "Ana", "email": "ANA@example.com", "phone": "+52 55 1234 5678"}
    ).json()
    assert sorted(data["duplicates"]) == sorted([same_email.pk, same_phone.pk])


def test_create_with_a_client_type_of_the_organization(client, org_a, org_b, nav_key):
    own = ClientType.objects.filter(org=org_a.org).first()
    data = _send(client, "post", URL, nav_key, {"name": "Ana", "client_type": own.pk}).json()
    assert data["client_type"] == own.pk and data["client_type_name"] == own.name
    other = ClientType.objects.filter(org=org_b.org).first()
    response = _send(client, "post", URL, nav_key, {"name": "Ana", "client_type": other.pk})
    assert response.status_code == 422 and response.json()["extra"] == {"field": "client_type"}
    assert Client.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Ana", "email": "not-an-email"}, "email"),
        ({"name": "Ana", "phone": "12"}, "phone"),
        ({"name": "Ana", "phone": "call me"}, "phone"),
        ({"name": "   "}, "name"),
        ({"email": "ana@example.com"}, "name"),
        ({"name": "Ana", "language": "xx"}, "language"),
        ({"name": "Ana", "kind": "robot"}, "kind"),
        ({"name": "Ana", "favourite_colour": "blue"}, "favourite_colour"),
    ],
)
def test_bad_input_is_422_naming_the_field_and_creates_nothing(client, org_a, nav_key, body, field):
    response = _send(client, "post", URL, nav_key, body)
    assert response.status_code == 422, response.content
    data = response.json()
    assert data["code"] == "invalid"
    assert field in [e["field"] for e in data["extra"]["errors"]]
    assert field in data["message"]
    assert not Client.objects.exists()


def test_bad_email_and_phone_messages_are_clear(client, org_a, nav_key):
    data = _send(client, "post", URL, nav_key, {"name": "Ana", "email": "x@", "phone": "12"}).json()
    messages = {e["field"]: e["message"] for e in data["extra"]["errors"]}
    assert messages == {
        "email": "Enter a valid email address.",
        "phone": "Enter a valid phone number, e.g. +52 55 1234 5678.",
    }


# --- read ---


def test_list_and_filters(client, org_a, org_b, nav_key):
    first = _client(org_a, name="First")
    second = _client(org_a, name="Second")
    _client(org_b, name="Beta's")
    from portico.clients.actions import client_archive

    client_archive(client=second, actor=Actor.system())
    data = _send(client, "get", URL, nav_key).json()
    assert [c["name"] for c in data["items"]] == ["Second", "First"]
    assert data["total"] == 2 and data["next_cursor"] is None and data["total_is_estimate"] is False
    archived = _send(client, "get", f"{URL}?status=archived", nav_key).json()
    assert [c["id"] for c in archived["items"]] == [second.pk]
    assert _send(client, "get", f"{URL}?status=bogus", nav_key).status_code == 422
    assert first.pk in [c["id"] for c in data["items"]]


def test_list_pages_with_a_cursor(client, org_a, nav_key):
    for i in range(27):
        _client(org_a, name=f"C{i:02}")
    page1 = _send(client, "get", URL, nav_key).json()
    assert len(page1["items"]) == 25 and page1["total"] == 27 and page1["next_cursor"]
    page2 = _send(client, "get", f"{URL}?cursor={page1['next_cursor']}", nav_key).json()
    assert [c["name"] for c in page2["items"]] == ["C01", "C00"] and page2["next_cursor"] is None


def test_get(client, org_a, nav_key):
    record = _client(org_a, email="ana@example.com")
    data = _send(client, "get", f"{URL}/{record.pk}", nav_key).json()
    assert data["id"] == record.pk and data["email"] == "ana@example.com" and data["case_number"] == record.case_number


def test_list_costs_the_same_for_2_and_20_clients(client, org_a, nav_key):
    def measure():
        with CaptureQueriesContext(connection) as ctx:
            response = _send(client, "get", URL, nav_key)
        assert response.status_code == 200
        return len(response.json()["items"]), ctx

    for i in range(2):
        _client(org_a, name=f"C{i}")
    _send(client, "get", URL, nav_key)  # first use writes last_used_at (once a minute)
    rows, small = measure()
    for i in range(18):
        _client(org_a, name=f"D{i}")
    rows_big, big = measure()
    assert (rows, rows_big) == (2, 20)
    # 1 the API key with its organization and role
    # 2 the page of clients (+ client type, + warnings as one JSON column)
    # (no count: the whole result fits on the page)
    sql = "\n".join(q["sql"] for q in big.captured_queries)
    assert len(small) == len(big) == 2, sql
    for i in range(40):
        _client(org_a, name=f"E{i}")
    rows_full, full = measure()
    # + the total: a count (SQLite); the planner's estimate, then a capped count as it is small (PostgreSQL)
    assert rows_full == 25 and len(full) == (3 if connection.vendor == "sqlite" else 4)


# --- change ---


def test_patch_changes_only_what_is_sent(client, org_a, nav_key):
    record = _client(org_a, email="ana@example.com", notes="keep")
    response = _send(client, "patch", f"{URL}/{record.pk}", nav_key, {"phone": "5512345678", "name": "Ana P."})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["phone"] == "+525512345678" and data["name"] == "Ana P." and data["notes"] == "keep"
    record.refresh_from_db()
    assert record.phone == "+525512345678" and record.email == "ana@example.com"
    event = AuditEvent.objects.get(action=AuditAction.CLIENT_CHANGED, target_id=str(record.pk))
    assert set(event.detail) == {"phone", "name"} and event.actor_kind == "system"


def test_patch_validates_and_changes_nothing_on_bad_input(client, org_a, nav_key):
    record = _client(org_a, email="ana@example.com")
    response = _send(client, "patch", f"{URL}/{record.pk}", nav_key, {"email": "nope", "name": "X"})
    assert response.status_code == 422
    record.refresh_from_db()
    assert record.email == "ana@example.com" and record.name == "Ana Pérez"
    assert _send(client, "patch", f"{URL}/{record.pk}", nav_key, {"name": None}).status_code == 422


def test_status_moves_along_the_lifecycle(client, org_a, nav_key):
    record = _client(org_a)
    response = _send(client, "post", f"{URL}/{record.pk}/status", nav_key, {"action": "archive"})
    assert response.status_code == 200 and response.json()["status"] == "archived"
    event = AuditEvent.objects.get(action=AuditAction.CLIENT_STATUS_CHANGED)
    assert (event.from_state, event.to_state) == ("not_invited", "archived")
    assert event.detail == {"action": "archive", "api_key": nav_key.split("_")[1]}


def test_a_move_the_table_does_not_allow_is_409(client, org_a, nav_key):
    record = _client(org_a)
    response = _send(client, "post", f"{URL}/{record.pk}/status", nav_key, {"action": "close"})
    assert response.status_code == 409
    data = response.json()
    assert data["code"] == "invalid_transition" and data["extra"] == {"from": "not_invited", "action": "close"}
    record.refresh_from_db()
    assert record.status == "not_invited"
    assert _send(client, "post", f"{URL}/{record.pk}/status", nav_key, {"action": "explode"}).status_code == 422


def test_delete_needs_the_permission(client, org_a, nav_key):
    record = _client(org_a)
    response = _send(client, "delete", f"{URL}/{record.pk}", nav_key)  # Navigator: no clients.delete
    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_missing",
        "message": "Delete Clients",
        "extra": {"permission": "clients.delete"},
    }
    admin_key = _key(org_a, role="Admin")
    assert _send(client, "delete", f"{URL}/{record.pk}", admin_key).status_code == 204
    record.refresh_from_db()
    assert record.deleted_at is not None
    assert _send(client, "get", f"{URL}/{record.pk}", admin_key).status_code == 404
    assert _send(client, "get", URL, admin_key).json()["total"] == 0


@pytest.mark.parametrize(
    ("method", "suffix", "body", "permission"),
    [
        ("post", "", {"name": "Ana"}, "clients.create"),
        ("patch", "/{id}", {"name": "Ana"}, "clients.edit"),
        ("post", "/{id}/status", {"action": "archive"}, "clients.change_status"),
        ("delete", "/{id}", None, "clients.delete"),
    ],
)
def test_a_key_whose_role_lacks_the_permission_gets_403_naming_it(client, org_a, method, suffix, body, permission):
    record = _client(org_a)
    readonly_key = _key(org_a, role="Read-only")
    response = _send(client, method, URL + suffix.format(id=record.pk), readonly_key, body)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_missing"
    assert response.json()["extra"] == {"permission": permission}
    assert Client.objects.count() == 1 and AuditEvent.objects.filter(target_type="clients.client").count() == 1


# --- keys and organizations ---


def test_a_revoked_key_is_401(client, org_a):
    api_key, raw = api_key_create(org=org_a.org, actor=Actor.system(), name="Old", role=org_a.roles["Navigator"])
    assert _send(client, "get", URL, raw).status_code == 200
    api_key_revoke(api_key=api_key, actor=Actor.system())
    response = _send(client, "get", URL, raw)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated" and response["WWW-Authenticate"].startswith("Bearer")
    assert _send(client, "post", URL, raw, {"name": "Ana"}).status_code == 401
    assert not Client.objects.exists()


@pytest.mark.parametrize("header", ["Bearer pk_nonsense", "Bearer ", "Bearer pk_12345678_" + "x" * 43])
def test_unknown_keys_and_no_credentials_are_401(client, org_a, header):
    assert client.get(URL, headers={"Authorization": header}).status_code == 401
    assert client.get(URL).status_code == 401


def test_a_key_of_another_organization_gets_404(client, org_a, org_b):
    record = _client(org_a)
    beta_key = _key(org_b, role="Admin")
    for method, suffix, body in [
        ("get", "", None),
        ("patch", "", {"name": "Mine now"}),
        ("post", "/status", {"action": "archive"}),
        ("delete", "", None),
    ]:
        response = _send(client, method, f"{URL}/{record.pk}{suffix}", beta_key, body)
        assert response.status_code == 404, (method, suffix)
        assert response.json()["code"] == "not_found"
    assert _send(client, "get", URL, beta_key).json()["items"] == []
    # Naming the other organization does not help either.
    assert _send(client, "get", f"{URL}?org=alpha", beta_key).status_code == 404
    assert _send(client, "get", f"{URL}?org=beta", beta_key).status_code == 200
    record.refresh_from_db()
    assert record.name == "Ana Pérez" and record.status == "not_invited" and record.deleted_at is None


def test_a_key_needs_no_csrf_token(org_a, nav_key):
    strict = HttpClient(enforce_csrf_checks=True)
    assert _send(strict, "post", URL, nav_key, {"name": "Ana"}).status_code == 201


# --- sessions ---


def test_a_signed_in_staff_member_uses_the_same_endpoints(client, org_a):
    client.force_login(org_a.admin)
    response = _send(client, "post", f"{URL}?org=alpha", body={"name": "Ana", "phone": "+52 55 1234 5678"})
    assert response.status_code == 201, response.content
    record_id = response.json()["id"]
    event = AuditEvent.objects.get(action=AuditAction.CLIENT_CREATED)
    assert event.actor_kind == "staff" and event.actor_user == org_a.admin
    assert _send(client, "get", f"{URL}?org=alpha").json()["total"] == 1
    assert _send(client, "get", f"{URL}/{record_id}?org=alpha").status_code == 200
    missing = _send(client, "get", URL)
    assert missing.status_code == 422 and missing.json()["code"] == "org_required"


def test_a_session_gets_the_same_permission_checks_and_404s(client, org_a, org_b):
    record = _client(org_a)
    client.force_login(org_a.readonly)
    assert _send(client, "get", f"{URL}/{record.pk}?org=alpha").status_code == 200
    response = _send(client, "post", f"{URL}?org=alpha", body={"name": "Ana"})
    assert response.status_code == 403 and response.json()["extra"] == {"permission": "clients.create"}
    client.force_login(org_b.admin)
    assert _send(client, "get", f"{URL}?org=alpha").status_code == 404
    assert _send(client, "get", f"{URL}/{record.pk}?org=beta").status_code == 404


def test_a_session_post_needs_the_csrf_token(org_a):
    strict = HttpClient(enforce_csrf_checks=True)
    strict.force_login(org_a.admin)
    response = _send(strict, "post", f"{URL}?org=alpha", body={"name": "Ana"})
    assert response.status_code == 403 and response.json()["code"] == "refused"
    assert not Client.objects.exists()


# --- documentation ---


def test_openapi_lists_the_client_endpoints(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/clients", "/api/v1/clients/{client_id}", "/api/v1/clients/{client_id}/status"} <= set(
        schema["paths"]
    )
    assert set(schema["paths"]["/api/v1/clients"]) == {"get", "post"}
    assert set(schema["paths"]["/api/v1/clients/{client_id}"]) == {"get", "patch", "delete"}
    assert "ApiKeyAuth" in schema["components"]["securitySchemes"]
    assert client.get("/api/v1/docs").status_code == 200
