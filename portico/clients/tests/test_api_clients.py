"""/api/v1/clients: the client operations as JSON, with an organization's API key or a session."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from portico.audit.models import AuditAction, AuditEvent
from portico.clients.actions import (
    client_assign_navigator,
    client_change_groups,
    client_create,
    client_profile_assign,
    group_create,
    warning_create,
)
from portico.clients.models import Client, ClientGroup, ClientType, NavigatorAssignment, Profile
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


def _png_upload(size=(60, 40), name="me.png"):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


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
    assert response.status_code == 422 and response.json()["extra"]["field"] == "client_type"
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
    from portico.clients.actions import client_status_change

    client_status_change(action="archive", client=second, actor=Actor.system())
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
    assert event.detail == {"action": "archive"}
    assert event.actor_label.startswith("API key ") and nav_key.split("_")[1] in event.actor_label


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
        ("put", "/{id}/case-number", {"case_number": "X-1"}, "clients.change_case_number"),
        ("post", "/{id}/groups", {"add": [], "remove": []}, "groups.manage"),
        ("post", "/{id}/navigators", {"user_id": 1}, "navigators.assign"),
        ("delete", "/{id}/navigators/1", None, "navigators.assign"),
        ("put", "/{id}/warnings", {"warnings": []}, "clients.edit"),
        ("post", "/{id}/profile", None, "clients.change_status"),
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


# --- the record's other operations ---


def test_list_filters_by_warning_record_type_portal_account_and_dates_and_sorts(client, org_a, org_b, nav_key):
    staff = Actor(kind="staff", user=org_a.admin)
    warning = warning_create(org=org_a.org, actor=staff, label="Allergy", colour="#b3261e", icon="alert")
    zoe = _client(org_a, name="Zoe")
    bob = _client(org_a, name="Bob", record_type="employee")
    amy = _client(org_a, name="Amy")
    zoe.warnings.add(warning)
    profile = Profile.objects.create(full_name="Amy", organizer=org_a.readonly)
    client_profile_assign(client=amy, profile=profile, actor=staff)
    Client.objects.filter(pk=zoe.pk).update(created_at=dt.datetime(2024, 1, 10, 12, tzinfo=dt.UTC))
    Client.objects.filter(pk=bob.pk).update(created_at=dt.datetime(2024, 2, 10, 12, tzinfo=dt.UTC))
    Client.objects.filter(pk=amy.pk).update(created_at=dt.datetime(2024, 3, 10, 12, tzinfo=dt.UTC))
    _client(org_b, name="Beta's")

    def names(query):
        response = _send(client, "get", f"{URL}?{query}", nav_key)
        assert response.status_code == 200, response.content
        return [c["name"] for c in response.json()["items"]]

    assert names(f"warning={warning.pk}") == ["Zoe"]
    assert names("record_type=employee") == ["Bob"]
    assert names("record_type=client") == ["Amy", "Zoe"]
    assert names("has_portal_account=true") == ["Amy"]
    assert names("has_portal_account=false") == ["Bob", "Zoe"]
    assert names("created_from=2024-02-01") == ["Amy", "Bob"]
    assert names("created_to=2024-02-10") == ["Bob", "Zoe"]
    assert names("created_from=2024-02-01&created_to=2024-02-28") == ["Bob"]
    assert names("sort=oldest") == ["Zoe", "Bob", "Amy"]
    assert names("sort=name") == ["Amy", "Bob", "Zoe"]
    assert names("sort=case_number") == [c.name for c in sorted([zoe, bob, amy], key=lambda c: c.case_number)]
    assert names("") == ["Amy", "Bob", "Zoe"]  # newest first
    other_warning = warning_create(org=org_b.org, actor=Actor.system(), label="Other", colour="#000000", icon="flag")
    assert names(f"warning={other_warning.pk}") == []
    for bad in ["warning=0", f"warning={2**63}", "sort=random", "record_type=robot", "created_from=yesterday"]:
        response = _send(client, "get", f"{URL}?{bad}", nav_key)
        assert response.status_code == 422, bad
        assert response.json()["code"] == "invalid"


def test_case_number_changes_and_a_duplicate_is_409(client, org_a, nav_key):
    record = _client(org_a)
    other = _client(org_a, name="Other")
    admin_key = _key(org_a, role="Admin")
    response = _send(client, "put", f"{URL}/{record.pk}/case-number", admin_key, {"case_number": " A-77 "})
    assert response.status_code == 200, response.content
    assert response.json()["case_number"] == "A-77"
    record.refresh_from_db()
    assert record.case_number == "A-77"
    event = AuditEvent.objects.get(action=AuditAction.CLIENT_CASE_NUMBER_CHANGED)
    assert event.detail["to"] == "A-77" and event.actor_kind == "system"

    response = _send(client, "put", f"{URL}/{record.pk}/case-number", admin_key, {"case_number": other.case_number})
    assert response.status_code == 409
    data = response.json()
    assert data["code"] == "duplicate" and other.case_number in data["message"] and data["extra"] == {}
    assert _send(client, "put", f"{URL}/{record.pk}/case-number", admin_key, {"case_number": "  "}).status_code == 400
    assert (
        _send(client, "put", f"{URL}/{record.pk}/case-number", admin_key, {"case_number": "x" * 41}).status_code == 422
    )
    record.refresh_from_db()
    assert record.case_number == "A-77"

    # The Navigator role cannot change case numbers.
    response = _send(client, "put", f"{URL}/{record.pk}/case-number", nav_key, {"case_number": "N-1"})
    assert response.status_code == 403
    assert response.json()["extra"] == {"permission": "clients.change_case_number"}


def test_groups_are_added_and_removed_within_the_organization(client, org_a, org_b, nav_key):
    staff = Actor(kind="staff", user=org_a.admin)
    red, blue, green = (group_create(org=org_a.org, actor=staff, name=n) for n in ("Red", "Blue", "Green"))
    foreign = group_create(org=org_b.org, actor=Actor.system(), name="Beta group")
    record = _client(org_a)
    client_change_groups(client=record, actor=staff, add=[red, green], remove=[])
    url = f"{URL}/{record.pk}/groups"

    response = _send(client, "post", url, nav_key, {"add": [blue.pk], "remove": [red.pk]})
    assert response.status_code == 200, response.content
    assert response.json()["groups"] == [{"id": blue.pk, "name": "Blue"}, {"id": green.pk, "name": "Green"}]
    event = AuditEvent.objects.get(action=AuditAction.CLIENT_GROUPS_CHANGED, actor_kind="system")
    assert event.detail == {"added": ["Blue"], "removed": ["Red"]}

    def groups():
        return set(ClientGroup.objects.filter(client=record).values_list("group_id", flat=True))

    for body in [
        {"add": [foreign.pk], "remove": [blue.pk]},
        {"add": [red.pk], "remove": [foreign.pk]},
        {"add": [red.pk, 2**62]},
    ]:
        response = _send(client, "post", url, nav_key, body)
        assert response.status_code == 404, body
        assert response.json()["code"] == "not_found"
        assert groups() == {blue.pk, green.pk}
    assert _send(client, "post", url, nav_key, {"add": [0]}).status_code == 422
    assert _send(client, "post", url, nav_key, {"add": [red.pk], "extra": 1}).status_code == 422
    assert groups() == {blue.pk, green.pk}
    detail = _send(client, "get", f"{URL}/{record.pk}", nav_key).json()
    assert [g["name"] for g in detail["groups"]] == ["Blue", "Green"] and detail["navigators"] == []


def test_navigators_are_assigned_and_unassigned_among_the_staff(client, org_a, org_b, nav_key):
    record = _client(org_a)
    url = f"{URL}/{record.pk}/navigators"
    response = _send(client, "post", url, nav_key, {"user_id": org_a.readonly.pk})
    assert response.status_code == 200, response.content
    assert response.json()["navigators"] == [{"id": org_a.readonly.pk, "name": "Alpha Reader"}]
    assert AuditEvent.objects.filter(action=AuditAction.CLIENT_NAVIGATOR_ASSIGNED, actor_kind="system").count() == 1

    again = _send(client, "post", url, nav_key, {"user_id": org_a.readonly.pk})
    assert again.status_code == 409 and again.json()["code"] == "already"
    # Another organization's staff member, or no user at all, is not found in this organization.
    for user_id in [org_b.admin.pk, 2**62]:
        response = _send(client, "post", url, nav_key, {"user_id": user_id})
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert list(NavigatorAssignment.objects.values_list("user_id", flat=True)) == [org_a.readonly.pk]

    # Unassigning someone who is not assigned (here or anywhere) is a 404.
    other = _client(org_b, name="Beta's")
    client_assign_navigator(client=other, actor=Actor.system(), navigator=org_b.admin)
    for user_id in [org_a.admin.pk, org_b.admin.pk]:
        assert _send(client, "delete", f"{url}/{user_id}", nav_key).status_code == 404
    response = _send(client, "delete", f"{url}/{org_a.readonly.pk}", nav_key)
    assert response.status_code == 200 and response.json()["navigators"] == []
    assert not NavigatorAssignment.objects.filter(client=record).exists()
    assert NavigatorAssignment.objects.filter(client=other).exists()
    assert _send(client, "delete", f"{url}/{org_a.readonly.pk}", nav_key).status_code == 404


def test_warnings_are_set_from_the_organizations_indicators(client, org_a, org_b, nav_key):
    staff = Actor(kind="staff", user=org_a.admin)
    allergy = warning_create(org=org_a.org, actor=staff, label="Allergy", colour="#b3261e", icon="alert")
    safety = warning_create(org=org_a.org, actor=staff, label="Safety", colour="#000000", icon="shield")
    foreign = warning_create(org=org_b.org, actor=Actor.system(), label="Beta only", colour="#000000", icon="flag")
    record = _client(org_a)
    url = f"{URL}/{record.pk}/warnings"

    response = _send(client, "put", url, nav_key, {"warnings": [safety.pk, allergy.pk]})
    assert response.status_code == 200, response.content
    assert response.json()["warnings"] == ["Allergy", "Safety"]
    for body in [{"warnings": [foreign.pk]}, {"warnings": [allergy.pk, 2**62]}]:
        response = _send(client, "put", url, nav_key, body)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
        assert sorted(record.warnings.values_list("label", flat=True)) == ["Allergy", "Safety"]
    assert _send(client, "put", url, nav_key, {}).status_code == 422
    response = _send(client, "put", url, nav_key, {"warnings": []})
    assert response.status_code == 200 and response.json()["warnings"] == []
    assert not record.warnings.exists()


def test_an_image_is_uploaded_and_served_and_a_text_file_is_422(client, org_a, nav_key):
    record = _client(org_a)
    url = f"{URL}/{record.pk}/image"
    assert _send(client, "get", url, nav_key).status_code == 404  # no image yet

    fake = SimpleUploadedFile("photo.jpg", b"just some text, not a picture", content_type="image/jpeg")
    response = client.post(url, {"image": fake}, headers=_bearer(nav_key))
    assert response.status_code == 422
    data = response.json()
    assert data["code"] == "not_image" and data["message"].startswith("This file is not an image")
    record.refresh_from_db()
    assert not record.image
    missing = client.post(url, {}, headers=_bearer(nav_key))
    assert missing.status_code == 422 and missing.json()["code"] == "invalid"

    response = client.post(url, {"image": _png_upload()}, headers=_bearer(nav_key))
    assert response.status_code == 200, response.content
    assert response.json()["has_image"] is True
    record.refresh_from_db()
    assert record.image and record.thumbnail and "me.png" not in record.image.name
    assert AuditEvent.objects.filter(action=AuditAction.CLIENT_IMAGE_CHANGED, actor_kind="system").count() == 1

    from PIL import Image

    readonly_key = _key(org_a, role="Read-only")  # clients.view is enough to see it
    for size, side in [("thumb", 128), ("full", 60)]:
        served = _send(client, "get", f"{url}?size={size}", readonly_key)
        assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
        with Image.open(io.BytesIO(b"".join(served.streaming_content))) as img:
            assert img.size[0] == side
    assert _send(client, "get", f"{url}?size=huge", readonly_key).status_code == 422

    # Uploading needs clients.edit.
    response = client.post(url, {"image": _png_upload()}, headers=_bearer(readonly_key))
    assert response.status_code == 403 and response.json()["extra"] == {"permission": "clients.edit"}


def test_too_big_an_image_is_422(client, org_a, nav_key):
    record = _client(org_a)
    huge = SimpleUploadedFile("big.jpg", b"\xff" * (6 * 1024 * 1024), content_type="image/jpeg")
    response = client.post(f"{URL}/{record.pk}/image", {"image": huge}, headers=_bearer(nav_key))
    assert response.status_code == 422
    assert response.json() == {
        "code": "too_big",
        "message": "Images can be at most 5 MB.",
        "extra": {"max_bytes": 5 * 1024 * 1024},
    }


def test_a_profile_is_created_and_the_client_becomes_active(client, org_a, nav_key):
    record = _client(org_a, email="ana@example.com")
    response = _send(client, "post", f"{URL}/{record.pk}/profile", nav_key)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "active"
    record.refresh_from_db()
    assert record.profile is not None and record.profile.email == "ana@example.com"
    again = _send(client, "post", f"{URL}/{record.pk}/profile", nav_key)
    assert again.status_code == 409 and again.json()["code"] == "has_profile"


def test_a_session_changes_groups_with_the_org_named(client, org_a):
    group = group_create(org=org_a.org, actor=Actor.system(), name="Red")
    record = _client(org_a)
    client.force_login(org_a.admin)
    response = _send(client, "post", f"{URL}/{record.pk}/groups?org=alpha", body={"add": [group.pk]})
    assert response.status_code == 200, response.content
    assert response.json()["groups"] == [{"id": group.pk, "name": "Red"}]
    event = AuditEvent.objects.get(action=AuditAction.CLIENT_GROUPS_CHANGED)
    assert event.actor_kind == "staff" and event.actor_user == org_a.admin
    client.force_login(org_a.readonly)
    response = _send(client, "post", f"{URL}/{record.pk}/groups?org=alpha", body={"remove": [group.pk]})
    assert response.status_code == 403 and response.json()["extra"] == {"permission": "groups.manage"}
    assert ClientGroup.objects.filter(client=record).count() == 1


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
        ("put", "/case-number", {"case_number": "B-1"}),
        ("post", "/groups", {"add": [], "remove": []}),
        ("post", "/navigators", {"user_id": org_b.admin.pk}),
        ("delete", f"/navigators/{org_b.admin.pk}", None),
        ("put", "/warnings", {"warnings": []}),
        ("post", "/profile", None),
        ("get", "/image", None),
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
    assert record.profile_id is None and record.case_number != "B-1" and not NavigatorAssignment.objects.exists()
    upload = client.post(f"{URL}/{record.pk}/image", {"image": _png_upload()}, headers=_bearer(beta_key))
    assert upload.status_code == 404
    record.refresh_from_db()
    assert not record.image


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
    assert {
        "/api/v1/clients/{client_id}/case-number",
        "/api/v1/clients/{client_id}/groups",
        "/api/v1/clients/{client_id}/navigators",
        "/api/v1/clients/{client_id}/navigators/{user_id}",
        "/api/v1/clients/{client_id}/warnings",
        "/api/v1/clients/{client_id}/image",
        "/api/v1/clients/{client_id}/profile",
    } <= set(schema["paths"])
    assert set(schema["paths"]["/api/v1/clients/{client_id}/image"]) == {"get", "post"}
    assert "ApiKeyAuth" in schema["components"]["securitySchemes"]
    assert client.get("/api/v1/docs").status_code == 200
