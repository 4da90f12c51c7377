"""Customers and FreshBooks connections for the freshbooks tests. Customers are made directly with
the ORM (a company client record + its Customer row), so these tests stand on the skeleton alone."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.utils import timezone

from portico.clients.models import Client, ClientKind
from portico.core.actors import Actor, ActorKind
from portico.core.crypto import secret_seal
from portico.customers.models import Customer, CustomerStatus
from portico.freshbooks.actions import freshbooks_connect_finish, freshbooks_connect_start
from portico.freshbooks.models import FreshbooksConnection
from testing.world import World

_serial = itertools.count(1)


def staff(world: World) -> Actor:
    return Actor(kind=ActorKind.STAFF, user=world.admin, ip="192.0.2.30", user_agent="pytest")


def customer_make(
    world: World,
    *,
    name: str = "",
    trade_name: str = "",
    tax_id: str = "",
    status: str = CustomerStatus.PARTIAL,
    **client_fields: Any,
) -> Customer:
    n = next(_serial)
    client = Client.objects.create(
        org=world.org,
        kind=ClientKind.COMPANY,
        name=name or f"Comercializadora {n} S.A. de C.V.",
        trade_name=trade_name or f"Comer {n}",
        tax_id=tax_id or f"CME{n:06d}AB{n % 10}",
        case_number=f"FB-{world.org.slug}-{n}",
        **client_fields,
    )
    return Customer.objects.create(client=client, org=world.org, status=status)


def connection_make(world: World, **fields: Any) -> FreshbooksConnection:
    """A stored connection (tokens nobody accepts): for pages that only need one to exist."""
    values: dict[str, Any] = {
        "account_id": "acct1",
        "business_name": "Stored Books",
        "access_token": secret_seal("stored-access"),
        "refresh_token": secret_seal("stored-refresh"),
        "expires_at": timezone.now() + dt.timedelta(hours=12),
        "connected_by": world.admin,
        **fields,
    }
    return FreshbooksConnection.objects.create(org=world.org, **values)


def state_of(authorize_url: str) -> str:
    return parse_qs(urlsplit(authorize_url).query)["state"][0]


def connect(world: World, fake: Any) -> FreshbooksConnection:
    """The whole OAuth flow against the fake FreshBooks, as the administrator."""
    url = freshbooks_connect_start(org=world.org, user=world.admin)
    return freshbooks_connect_finish(state=state_of(url), code=fake.code(), actor=staff(world))
