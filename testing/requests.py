"""Test helpers for client requests: a client with a portal user, a request, a PNG upload."""

from __future__ import annotations

import itertools
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from portico.core.actors import Actor
from portico.requests.actions import request_open
from portico.requests.models import ClientRequest
from portico.requests.selectors import request_kinds
from testing.world import World, client_make, user_create

_serial = itertools.count(1)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def png_upload(name: str = "scan.png", data: bytes = PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def client_actor(world: World) -> Actor:
    """A portal user (a client) to act as."""
    n = next(_serial)
    return Actor(kind="client", user=user_create(f"client{n}@{world.org.slug}.example"))


def request_make(
    world: World, *, client: Any = None, subject: str = "Help with a form", files: list[Any] | None = None
) -> ClientRequest:
    """A request of a (new, unassigned unless given) client of ``world``, opened by a portal user."""
    n = next(_serial)
    client = client or client_make(world, name=f"Rita{n} Client", email=f"rita{n}@example.test")
    kind = request_kinds(org=world.org, offered_only=True)[0]
    return request_open(
        client=client, actor=client_actor(world), kind=kind, subject=subject, body="Please help.", files=files
    )
