"""Every organization URL, four ways (pretix's table): logged out, another organization's staff,
a role without the permission, a role with it. The URL list comes from the URL conf, so a new
page is covered without editing this file; an id parameter it cannot fill fails the test."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portico.core.actors import Actor
from portico.orgs.actions import api_key_create, staff_invitation_send
from portico.orgs.context import SUPPORT
from portico.orgs.models import Membership
from portico.outbox.models import OutboxMessage
from testing.world import World


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


def _org_urls() -> list[OrgUrl]:
    found = []
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and "org_slug" in str(entry.pattern):
            found += _patterns(entry.url_patterns, [])
    return found


ORG_URLS = _org_urls()


def _invitation(world: World) -> Any:
    return staff_invitation_send(
        org=world.org, actor=Actor(kind="staff", user=world.admin), email="new@x.test", role=world.roles["Sales"]
    )


def _client(w: World) -> Any:
    from portico.clients.actions import client_create

    return client_create(org=w.org, actor=Actor.system(), name="Matrix Client", email="matrix@x.test")


def _assigned(w: World) -> dict[str, int]:
    from portico.clients.actions import client_assign_navigator

    client = _client(w)
    client_assign_navigator(client=client, actor=Actor.system(), navigator=w.readonly)
    return {"client_id": client.pk, "user_id": w.readonly.pk}


def _deleted(w: World) -> dict[str, int]:
    from portico.clients.actions import client_delete

    return {"client_id": client_delete(client=_client(w), actor=Actor.system()).pk}


def _with_image(w: World) -> dict[str, Any]:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from portico.clients.actions import client_set_image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(buffer, format="PNG")
    client = client_set_image(
        client=_client(w), actor=Actor.system(), upload=SimpleUploadedFile("x.png", buffer.getvalue())
    )
    return {"client_id": client.pk, "size": "thumb"}


def _request_attachment(w: World) -> dict[str, int]:
    from testing.requests import png_upload, request_make

    request = request_make(w, files=[png_upload()])
    attachment = request.messages.get().attachments.get()
    return {"request_id": request.pk, "attachment_id": attachment.pk}


def _request(w: World) -> int:
    from testing.requests import request_make

    return request_make(w).pk


def _notification(w: World) -> int:
    from portico.notifications.actions import Event, notify_user

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


# How to make one object of the organization for each id parameter.
def _group(w: World) -> Any:
    from portico.clients.actions import group_create

    return group_create(org=w.org, actor=Actor.system(), name=f"Matrix group {w.org.slug}")


def _job(w: World) -> int:
    from portico.clients.models import BulkJob

    return BulkJob.objects.create(org=w.org, group=_group(w), operation="add", total=0).pk


def _client_invitation(w: World) -> int:
    from portico.invitations.actions import invitation_send
    from testing.world import portal_set_up

    portal_set_up(w)
    return invitation_send(client=_client(w), actor=Actor.system()).pk


def _bulk_invitation(w: World) -> int:
    from portico.invitations.models import BulkInvitation

    return BulkInvitation.objects.create(org=w.org, total=0).pk


ID_FACTORIES: dict[str, Callable[[World], int]] = {
    "request_id": _request,
    "notification_id": _notification,
    "client_invitation_id": _client_invitation,
    "client_id": lambda w: _client(w).pk,
    "group_id": lambda w: _group(w).pk,
    "job_id": _job,
    "bulk_id": _bulk_invitation,
    "role_id": lambda w: w.roles["Navigator"].pk,
    "membership_id": lambda w: Membership.objects.get(org=w.org, user=w.readonly).pk,
    "invitation_id": lambda w: _invitation(w).pk,
    "message_id": lambda w: (_invitation(w), OutboxMessage.objects.filter(org=w.org).latest("id"))[1].pk,
    "api_key_id": lambda w: api_key_create(org=w.org, actor=Actor.system(), name="Intake", role=w.roles["Sales"])[0].pk,
}


def _url(world: World, org_url: OrgUrl, owner: World | None = None) -> str:
    owner = owner or world
    kwargs: dict[str, Any] = {"org_slug": world.org.slug}
    if org_url.name in URL_FACTORIES:
        return reverse(org_url.name, kwargs={**kwargs, **URL_FACTORIES[org_url.name](owner)})
    for name in org_url.kwargs:
        if name == "org_slug":
            continue
        assert name in ID_FACTORIES, f"add a factory for URL parameter {name!r} ({org_url.name})"
        kwargs[name] = ID_FACTORIES[name](owner)
    return reverse(org_url.name, kwargs=kwargs)


def _request(client: Client, url: str) -> Any:
    response = client.get(url)
    if response.status_code == 405:  # POST-only action
        response = client.post(url)
    return response


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
    from portico.orgs.actions import membership_add, role_create
    from testing.world import user_create

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
def test_a_role_with_the_permission_gets_the_page(client, org_a, org_url):
    client.force_login(org_a.admin)
    response = _request(client, _url(org_a, org_url))
    assert response.status_code in (200, 302), response.status_code


@pytest.mark.parametrize("org_url", [u for u in ORG_URLS if u.permission], ids=lambda u: u.name)
def test_support_operators_can_open_any_organization(client, org_a, operator, org_url):
    client.force_login(operator)
    assert _request(client, _url(org_a, org_url)).status_code in (200, 302)


@pytest.mark.parametrize("org_url", [u for u in ORG_URLS if u.permission == SUPPORT], ids=lambda u: u.name)
def test_support_pages_refuse_even_the_admin(client, org_a, org_url):
    client.force_login(org_a.admin)
    assert _request(client, _url(org_a, org_url)).status_code == 403
