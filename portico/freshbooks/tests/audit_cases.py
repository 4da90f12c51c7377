"""The freshbooks app's cases for audit/tests/test_every_action_is_audited.py (action -> case(world,
settings)). Connecting and creating a customer ask FreshBooks: those cases start a local fake
FreshBooks of their own and point the SDK at it for the duration."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from portico.audit.models import AuditAction
from portico.freshbooks.actions import customer_freshbooks_connect, freshbooks_disconnect
from portico.freshbooks.tests.factories import connect, connection_make, customer_make, staff
from testing.fakes import FakeFreshbooks
from testing.world import World

_ENV = ("FRESHBOOKS_API_URL", "FRESHBOOKS_AUTH_URL")


@contextmanager
def fake_freshbooks_for(settings: Any) -> Iterator[FakeFreshbooks]:
    fake = FakeFreshbooks().start()
    saved = {name: os.environ.get(name) for name in _ENV}
    try:
        for name in _ENV:
            os.environ[name] = fake.base_url
        settings.FRESHBOOKS_CLIENT_ID, settings.FRESHBOOKS_CLIENT_SECRET = fake.client_id, fake.client_secret
        settings.FRESHBOOKS_REDIRECT_URI = ""
        yield fake
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        fake.stop()


def _connected(w: World, settings: Any) -> None:
    with fake_freshbooks_for(settings) as fake:
        connect(w, fake)


def _customer_connected(w: World, settings: Any) -> None:
    with fake_freshbooks_for(settings) as fake:
        connect(w, fake)
        customer_freshbooks_connect(customer=customer_make(w), actor=staff(w))


AUDIT_CASES: dict[str, Callable[..., object]] = {
    AuditAction.FRESHBOOKS_CONNECTED: _connected,
    AuditAction.FRESHBOOKS_DISCONNECTED: lambda w, s: (
        connection_make(w),
        freshbooks_disconnect(org=w.org, actor=staff(w)),
    ),
    AuditAction.FRESHBOOKS_CUSTOMER_CONNECTED: _customer_connected,
}
