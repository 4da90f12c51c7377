"""Every organization URL, four ways (pretix's table): logged out, another organization's staff,
a role without the permission, a role with it. The URL list comes from the URL conf, so a new
page is covered without editing this file; an id parameter it cannot fill fails the test.

"A role with the permission" must really get through: a page answers 200, and an action (a POST)
is done. An action refused by its rules answers with the ``X-Portico-Refusal`` header, so the
matrix tells the two apart; the few actions whose objects here cannot be moved name the refusal
they expect (``EXPECTED_REFUSALS``), and any other refusal fails."""

from __future__ import annotations

import importlib
import importlib.util
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from portico.clients.actions import (
    client_assign_navigator,
    client_create,
    client_delete,
    client_set_image,
    group_create,
)
from portico.clients.bulk import group_bulk_start
from portico.core.actors import Actor
from portico.core.middleware import REFUSAL_HEADER
from portico.invitations.actions import invitation_send
from portico.notifications.actions import Event, notify_user
from portico.orgs.actions import api_key_create, membership_add, role_create, staff_invitation_send
from portico.orgs.context import SUPPORT
from portico.orgs.models import Membership
from portico.outbox.models import OutboxMessage
from testing.requests import png_upload, request_make
from testing.world import World, portal_set_up, user_create


@dataclass
class OrgUrl:
    name: str
    kwargs: list[str]
    permission: str | None


def _patterns(entries: list[Any], prefix_kwargs: list[str]) -> list[OrgUrl]:
    found = []
    for entry in entries:
        kwargs = [*prefix_kwargs, *entry.pattern.converters]
        if isinstance(entry, URLResolver):
            found += _patterns(entry.url_patterns, kwargs)
        elif isinstance(entry, URLPattern):
            found.append(OrgUrl(entry.name or "", kwargs, getattr(entry.callback, "org_permission", "missing")))
    return found


# Pages whose permission depends on the object (a job's kind names it): the one the factory's object needs.
OBJECT_PERMISSIONS = {"job_detail": "groups.manage"}


def _org_urls() -> list[OrgUrl]:
    found = []
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and "org_slug" in str(entry.pattern):
            found += _patterns(entry.url_patterns, [])
    for url in found:
        url.permission = OBJECT_PERMISSIONS.get(url.name, url.permission)
    return found


ORG_URLS = _org_urls()


def _staff_invitation(world: World) -> Any:
    return staff_invitation_send(
        org=world.org, actor=Actor(kind="staff", user=world.admin), email="new@x.test", role=world.roles["Sales"]
    )


def _client(w: World) -> Any:
    return client_create(org=w.org, actor=Actor.system(), name="Matrix Client", email="matrix@x.test")


def _assigned(w: World) -> dict[str, int]:
    client = _client(w)
    client_assign_navigator(client=client, actor=Actor.system(), navigator=w.readonly)
    return {"client_id": client.pk, "user_id": w.readonly.pk}


def _deleted(w: World) -> dict[str, int]:
    return {"client_id": client_delete(client=_client(w), actor=Actor.system()).pk}


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(buffer, format="PNG")
    return SimpleUploadedFile("x.png", buffer.getvalue(), content_type="image/png")


def _with_image(w: World) -> dict[str, Any]:
    client = client_set_image(client=_client(w), actor=Actor.system(), upload=_png())
    return {"client_id": client.pk, "size": "thumb"}


def _request_attachment(w: World) -> dict[str, int]:
    client_request = request_make(w, files=[png_upload()])
    attachment = client_request.messages.get().attachments.get()
    return {"client_request_id": client_request.pk, "attachment_id": attachment.pk}


def _notification(w: World) -> int:
    event = Event(kind="test", key=f"matrix:{w.org.slug}", title="Matrix", url="/")
    notification = notify_user(org=w.org, user=w.admin, event=event)
    assert notification is not None
    return notification.pk


# URLs whose parameters must fit together (or need a special object).
URL_FACTORIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "request_attachment": _request_attachment,
    "client_image_file": _with_image,
    "client_navigator_unassign": _assigned,
    "client_restore": _deleted,
}


def _group(w: World) -> Any:
    return group_create(org=w.org, actor=Actor.system(), name=f"Matrix group {w.org.slug}")


def _job(w: World) -> int:
    return group_bulk_start(group=_group(w), actor=Actor.system(), operation="add", client_ids=[_client(w).pk]).pk


def _client_invitation(w: World) -> int:
    portal_set_up(w)
    return invitation_send(client=_client(w), actor=Actor.system()).pk


# How to make one object of the organization for each id parameter.
ID_FACTORIES: dict[str, Callable[[World], int]] = {
    "client_request_id": lambda w: request_make(w).pk,
    "notification_id": _notification,
    "client_invitation_id": _client_invitation,
    "client_id": lambda w: _client(w).pk,
    "group_id": lambda w: _group(w).pk,
    "job_id": _job,
    "role_id": lambda w: w.roles["Navigator"].pk,
    "membership_id": lambda w: Membership.objects.get(org=w.org, user=w.readonly).pk,
    "invitation_id": lambda w: _staff_invitation(w).pk,
    "message_id": lambda w: (_staff_invitation(w), OutboxMessage.objects.filter(org=w.org).latest("id"))[1].pk,
    "api_key_id": lambda w: api_key_create(org=w.org, actor=Actor.system(), name="Intake", role=w.roles["Sales"])[0].pk,
}


def _with_portal(data: dict[str, Any]) -> Callable[[World], dict[str, Any]]:
    def build(w: World) -> dict[str, Any]:
        portal_set_up(w)
        return data

    return build


# What an action (a POST-only URL) is sent, so that it can succeed.
POST_DATA: dict[str, Callable[[World], dict[str, Any]]] = {
    "client_status": lambda w: {"action": "archive"},
    "client_set_type": lambda w: {"client_type": ""},
    "client_navigator_assign": lambda w: {"navigator": w.readonly.pk},
    "client_image": lambda w: {"image": _png()},
    "group_bulk": lambda w: {"operation": "add", "client": _client(w).pk},
    "invitation_bulk": lambda w: _with_portal({"channel": "email", "client": _client(w).pk})(w),
    "request_status": lambda w: {"move": "close"},
    # The page's script posts the browser's subscription as JSON.
    "push_subscribe": lambda w: {
        "json": {"endpoint": f"https://push.example/{w.org.slug}", "keys": {"p256dh": "BNc", "auth": "k1"}}
    },
}
# Actions whose factory objects cannot move: the refusal each must give (any other fails the test).
EXPECTED_REFUSALS: dict[str, str] = {
    "client_portal_status": "no_account",  # the factory's client has no portal account
    "staff_reactivate": "invalid_transition",  # the factory's membership is active
    "message_retry": "invalid_transition",  # the factory's message is waiting, not failed
}


# Pages that exist only once something is set up.
NEEDS_PORTAL = {"client_invite", "invitation_preview"}
# A support operator is nobody's navigator: taking a request (becoming one) is refused to them.
OPERATOR_REFUSALS = {"request_take": "not_staff"}

# Apps may keep their factories beside their own tests: ``portico/<app>/tests/matrix.py`` with any
# of URL_FACTORIES, ID_FACTORIES, POST_DATA, EXPECTED_REFUSALS (dicts) and NEEDS_PORTAL (a set).
for _app in settings.INSTALLED_APPS:
    if _app.startswith("portico.") and importlib.util.find_spec(f"{_app}.tests.matrix") is not None:
        _module = importlib.import_module(f"{_app}.tests.matrix")
        URL_FACTORIES.update(getattr(_module, "URL_FACTORIES", {}))
        ID_FACTORIES.update(getattr(_module, "ID_FACTORIES", {}))
        POST_DATA.update(getattr(_module, "POST_DATA", {}))
        EXPECTED_REFUSALS.update(getattr(_module, "EXPECTED_REFUSALS", {}))
        NEEDS_PORTAL |= getattr(_module, "NEEDS_PORTAL", set())


def _url(world: World, org_url: OrgUrl, owner: World | None = None) -> str:
    owner = owner or world
    if org_url.name in NEEDS_PORTAL:
        portal_set_up(owner)
    kwargs: dict[str, Any] = {"org_slug": world.org.slug}
    if org_url.name in URL_FACTORIES:
        return reverse(org_url.name, kwargs={**kwargs, **URL_FACTORIES[org_url.name](owner)})
    for name in org_url.kwargs:
        if name == "org_slug":
            continue
        assert name in ID_FACTORIES, f"add a factory for URL parameter {name!r} ({org_url.name})"
        kwargs[name] = ID_FACTORIES[name](owner)
    return reverse(org_url.name, kwargs=kwargs)


def _request(client: Client, url: str, world: World | None = None, name: str = "") -> Any:
    response = client.get(url)
    if response.status_code == 405:  # an action: POST only
        data = POST_DATA[name](world) if world is not None and name in POST_DATA else {}
        if "json" in data:
            response = client.post(url, data["json"], content_type="application/json")
        else:
            response = client.post(url, data)
    return response


def _assert_gets_through(response: Any, name: str, expected: dict[str, str] = EXPECTED_REFUSALS) -> None:
    refusal = response.get(REFUSAL_HEADER)
    if name in expected:
        assert refusal == expected[name], (name, response.status_code, refusal)
        return
    assert refusal is None, f"{name} was refused: {refusal}"
    assert response.status_code in (200, 201, 302), (name, response.status_code)


def test_every_org_view_declares_its_permission():
    assert ORG_URLS, "no organization URLs found"
    undeclared = [u.name for u in ORG_URLS if u.permission == "missing"]
    assert not undeclared, f"wrap these views in org_view(): {undeclared}"


@pytest.mark.parametrize("org_url", ORG_URLS, ids=lambda u: u.name)
def test_logged_out_visitors_are_sent_to_sign_in(client, org_a, org_url):
    response = _request(client, _url(org_a, org_url))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("org_url", ORG_URLS, ids=lambda u: u.name)
def test_another_organizations_staff_get_404_on_its_pages(client, org_a, org_b, org_url):
    # To prevent information leakage, "not yours" looks exactly like "does not exist".
    client.force_login(org_b.admin)
    assert _request(client, _url(org_a, org_url)).status_code == 404


@pytest.mark.parametrize("org_url", [u for u in ORG_URLS if u.kwargs], ids=lambda u: u.name)
def test_ids_of_another_organization_are_404_inside_your_own(client, org_a, org_b, operator, org_url):
    # Support pages are refused to staff before any lookup; the operator shows their isolation.
    client.force_login(operator if org_url.permission == SUPPORT else org_b.admin)
    assert _request(client, _url(org_b, org_url, owner=org_a)).status_code == 404


@pytest.fixture
def powerless(org_a):
    """A staff member whose role has no permission at all."""
    role = role_create(org=org_a.org, actor=Actor.system(), name="Nothing", permissions=[])
    user = user_create("nobody@alpha.test")
    membership_add(org=org_a.org, user=user, role=role, actor=Actor.system())
    return user


@pytest.mark.parametrize("org_url", [u for u in ORG_URLS if u.permission], ids=lambda u: u.name)
def test_a_role_without_the_permission_gets_403_naming_it(client, org_a, powerless, org_url):
    client.force_login(powerless)
    response = _request(client, _url(org_a, org_url))
    assert response.status_code == 403
    assert org_url.permission.encode() in response.content


@pytest.mark.parametrize("org_url", [u for u in ORG_URLS if u.permission != SUPPORT], ids=lambda u: u.name)
def test_a_role_with_the_permission_gets_the_page_or_the_action_done(client, org_a, org_url):
    client.force_login(org_a.admin)
    _assert_gets_through(_request(client, _url(org_a, org_url), org_a, org_url.name), org_url.name)


@pytest.mark.parametrize("org_url", [u for u in ORG_URLS if u.permission], ids=lambda u: u.name)
def test_support_operators_can_open_any_organization(client, org_a, operator, org_url):
    client.force_login(operator)
    response = _request(client, _url(org_a, org_url), org_a, org_url.name)
    _assert_gets_through(response, org_url.name, {**EXPECTED_REFUSALS, **OPERATOR_REFUSALS})


@pytest.mark.parametrize("org_url", [u for u in ORG_URLS if u.permission == SUPPORT], ids=lambda u: u.name)
def test_support_pages_refuse_even_the_admin(client, org_a, org_url):
    client.force_login(org_a.admin)
    assert _request(client, _url(org_a, org_url)).status_code == 403


def test_a_refused_action_is_told_apart_from_a_done_one(client, org_a):
    """The matrix's yardstick itself: the same URL, once refused by its rules, once done."""
    client.force_login(org_a.admin)
    url = reverse("client_status", args=[org_a.org.slug, _client(org_a).pk])
    refused = client.post(url, {"action": "reopen"})  # a not-invited client cannot be reopened
    done = client.post(url, {"action": "archive"})
    assert refused.status_code == done.status_code == 302
    assert refused[REFUSAL_HEADER] == "invalid_transition"
    assert REFUSAL_HEADER not in done
