"""API keys: the admin page (list, create, revoke) and the actions behind it."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from portico.audit.models import AuditAction, AuditEvent
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.orgs.actions import api_key_authenticate, api_key_create, api_key_revoke, membership_add, role_create
from portico.orgs.models import ApiKey
from portico.orgs.selectors import api_key_get, api_key_list
from testing.world import user_create

KEY_PATTERN = r"pk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}"


def _staff(world):
    return Actor(kind="staff", user=world.admin)


def _key(world, role="Navigator", name="Intake form"):
    return api_key_create(org=world.org, actor=_staff(world), name=name, role=world.roles[role])


# --- actions ---


def test_it_returns_the_key_once_and_stores_only_its_digest(org_a):
    api_key, raw = _key(org_a)
    assert re.fullmatch(KEY_PATTERN, raw)
    stored = ApiKey.objects.get(pk=api_key.pk)
    assert stored.key_digest == hashlib.sha256(raw.encode()).hexdigest()
    assert stored.prefix == raw[3:11]
    secret = raw.split("_", 2)[2]
    row = ApiKey.objects.filter(pk=api_key.pk).values().get()
    assert not any(secret in str(value) for value in row.values())
    assert stored.created_by == org_a.admin and stored.role == org_a.roles["Navigator"]
    assert stored.revoked_at is None and stored.last_used_at is None


def test_it_audits_creation_without_the_key(org_a):
    api_key, raw = _key(org_a)
    event = AuditEvent.objects.get(org=org_a.org, action=AuditAction.API_KEY_CREATED)
    assert event.target_id == str(api_key.pk) and event.actor_user == org_a.admin
    assert event.detail == {"name": "Intake form", "prefix": api_key.prefix, "role": "Navigator"}
    assert raw.split("_", 2)[2] not in str(event.detail)


def test_keys_are_unique(org_a):
    raws = {_key(org_a, name=f"k{i}")[1] for i in range(5)}
    assert len(raws) == 5


def test_it_refuses_an_empty_name_or_another_organizations_role(org_a, org_b):
    with pytest.raises(PorticoError):
        api_key_create(org=org_a.org, actor=_staff(org_a), name="  ", role=org_a.roles["Navigator"])
    with pytest.raises(PorticoError):
        api_key_create(org=org_a.org, actor=_staff(org_a), name="x", role=org_b.roles["Navigator"])
    assert not ApiKey.objects.exists()


def test_revoke_stops_the_key_and_is_audited(org_a):
    api_key, raw = _key(org_a)
    assert api_key_authenticate(raw_key=raw) == api_key
    api_key_revoke(api_key=api_key, actor=_staff(org_a))
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is not None
    assert api_key_authenticate(raw_key=raw) is None
    event = AuditEvent.objects.get(org=org_a.org, action=AuditAction.API_KEY_REVOKED)
    assert event.target_id == str(api_key.pk) and event.detail == {"name": "Intake form", "prefix": api_key.prefix}


def test_revoking_twice_is_refused(org_a):
    api_key, _ = _key(org_a)
    stale_copy = ApiKey.objects.get(pk=api_key.pk)
    api_key_revoke(api_key=api_key, actor=_staff(org_a))
    with pytest.raises(PorticoError) as exc:
        api_key_revoke(api_key=stale_copy, actor=_staff(org_a))  # a second tab that still saw it live
    assert exc.value.code == "already_revoked"
    assert AuditEvent.objects.filter(action=AuditAction.API_KEY_REVOKED).count() == 1


@pytest.mark.parametrize(
    "mangle",
    [
        lambda raw: raw[:-1] + ("A" if raw[-1] != "A" else "B"),  # wrong secret
        lambda raw: "pk_00000000_" + raw.split("_", 2)[2],  # wrong prefix
        lambda raw: raw.split("_", 2)[2],  # no prefix at all
        lambda raw: "",
        lambda raw: raw + "x" * 300,
    ],
)
def test_a_wrong_key_authenticates_nothing(org_a, mangle):
    _, raw = _key(org_a)
    assert api_key_authenticate(raw_key=mangle(raw)) is None


def test_last_use_is_written_at_most_once_a_minute(org_a, django_assert_num_queries):
    api_key, raw = _key(org_a)
    with django_assert_num_queries(2):  # the key (+ org, role); the conditional UPDATE of last_used_at
        api_key_authenticate(raw_key=raw)
    first = ApiKey.objects.get(pk=api_key.pk).last_used_at
    assert first is not None
    with django_assert_num_queries(1):  # the key only: used less than a minute ago
        api_key_authenticate(raw_key=raw)
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at == first
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now() - dt.timedelta(minutes=2))
    api_key_authenticate(raw_key=raw)
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at > first


def test_selectors_stay_inside_the_organization(org_a, org_b):
    key_a, _ = _key(org_a)
    key_b, _ = _key(org_b)
    assert list(api_key_list(org=org_a.org)) == [key_a]
    assert api_key_get(org=org_a.org, api_key_id=key_a.pk) == key_a
    from django.http import Http404

    with pytest.raises(Http404):
        api_key_get(org=org_a.org, api_key_id=key_b.pk)


# --- the page ---


def test_the_list_shows_prefixes_never_keys(client, org_a):
    api_key, raw = _key(org_a)
    client.force_login(org_a.admin)
    response = client.get(reverse("api_key_list", args=["alpha"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"pk_{api_key.prefix}_" in html and "Intake form" in html
    assert raw not in html and raw.split("_", 2)[2] not in html


def test_create_shows_the_key_once(client, org_a):
    client.force_login(org_a.admin)
    role = org_a.roles["Navigator"]
    response = client.post(reverse("api_key_create", args=["alpha"]), {"name": "Website", "role": role.pk})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raws = re.findall(KEY_PATTERN, response.content.decode())
    assert raws, "the new key is on the page"
    raw = raws[0]
    api_key = ApiKey.objects.get(org=org_a.org)
    assert api_key.name == "Website" and api_key.role == role and api_key.created_by == org_a.admin
    assert api_key.key_digest == hashlib.sha256(raw.encode()).hexdigest()
    again = client.get(reverse("api_key_list", args=["alpha"])).content.decode()
    assert raw not in again and f"pk_{api_key.prefix}_" in again
    event = AuditEvent.objects.get(action=AuditAction.API_KEY_CREATED)
    assert event.actor_kind == "staff" and event.actor_user == org_a.admin


def test_create_refuses_get(client, org_a):
    client.force_login(org_a.admin)
    assert client.get(reverse("api_key_create", args=["alpha"])).status_code == 405


def test_create_with_a_missing_name_shows_the_form_again(client, org_a):
    client.force_login(org_a.admin)
    response = client.post(reverse("api_key_create", args=["alpha"]), {"name": "", "role": org_a.roles["Sales"].pk})
    assert response.status_code == 200
    assert b"This field is required" in response.content
    assert not ApiKey.objects.exists()


def test_roles_offered_stay_within_the_creators_permissions(client, org_a):
    # Someone who may change settings but not much else cannot mint an all-powerful key.
    role = role_create(
        org=org_a.org,
        actor=Actor.system(),
        name="Settings",
        permissions=["org.settings", "clients.view", "customers.view"],
    )
    user = user_create("settings@alpha.test")
    membership_add(org=org_a.org, user=user, role=role, actor=Actor.system())
    client.force_login(user)
    page = client.get(reverse("api_key_list", args=["alpha"]))
    offered = {r.name for r in page.context["form"].fields["role"].queryset}
    assert offered == {"Settings", "Read-only"}
    response = client.post(
        reverse("api_key_create", args=["alpha"]), {"name": "Sneaky", "role": org_a.roles["Admin"].pk}
    )
    assert response.status_code == 200 and not ApiKey.objects.exists()


def test_another_organizations_role_cannot_be_chosen(client, org_a, org_b):
    client.force_login(org_a.admin)
    response = client.post(
        reverse("api_key_create", args=["alpha"]), {"name": "x", "role": org_b.roles["Navigator"].pk}
    )
    assert response.status_code == 200 and not ApiKey.objects.exists()


def test_revoke(client, org_a):
    api_key, raw = _key(org_a)
    client.force_login(org_a.admin)
    response = client.post(reverse("api_key_revoke", args=["alpha", api_key.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("api_key_list", args=["alpha"])
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is not None
    assert api_key_authenticate(raw_key=raw) is None
    page = client.get(response["Location"]).content.decode()
    assert "Revoked" in page and "revoked; it no longer works" in page


def test_revoke_refuses_get_and_a_second_revoke_says_why(client, org_a):
    api_key, _ = _key(org_a)
    client.force_login(org_a.admin)
    url = reverse("api_key_revoke", args=["alpha", api_key.pk])
    assert client.get(url).status_code == 405
    client.post(url)
    response = client.post(url, follow=True)
    assert "already revoked" in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.API_KEY_REVOKED).count() == 1


def test_another_organizations_key_is_404(client, org_a, org_b):
    api_key, _ = _key(org_a)
    client.force_login(org_b.admin)
    assert client.post(reverse("api_key_revoke", args=["beta", api_key.pk])).status_code == 404
    assert client.post(reverse("api_key_revoke", args=["alpha", api_key.pk])).status_code == 404
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is None


def test_without_org_settings_it_is_403_naming_the_permission(client, org_a):
    api_key, _ = _key(org_a)
    client.force_login(org_a.readonly)
    for response in (
        client.get(reverse("api_key_list", args=["alpha"])),
        client.post(reverse("api_key_create", args=["alpha"]), {"name": "x", "role": org_a.roles["Read-only"].pk}),
        client.post(reverse("api_key_revoke", args=["alpha", api_key.pk])),
    ):
        assert response.status_code == 403
        assert b"org.settings" in response.content
    assert ApiKey.objects.count() == 1 and ApiKey.objects.get().revoked_at is None
