"""Estimates for the tests: a draft or sent estimate of a client, a client who joined the portal."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from portico.core.actors import Actor, ActorKind
from portico.core.tokens import token_digest
from portico.estimates.actions import LineInput, estimate_create, estimate_send
from portico.estimates.models import Estimate
from portico.invitations.actions import invitation_accept, invitation_send
from portico.invitations.models import InvitationLink
from portico.portal.models import PortalSettings
from testing.world import PASSWORD, World, client_make, portal_set_up

_serial = itertools.count(1)


def staff(world: World) -> Actor:
    return Actor(kind=ActorKind.STAFF, user=world.admin, ip="192.0.2.10", user_agent="staff-browser")


def lines(n: int = 2) -> list[LineInput]:
    """``n`` lines: line i is i units at 10.50 + i, taxed 16 % (odd) or 0 % (even)."""
    return [
        LineInput(
            description=f"Work item {i}",
            quantity=Decimal(i),
            unit="h",
            unit_price=Decimal("10.50") + i,
            tax_rate=Decimal(16) if i % 2 else Decimal(0),
        )
        for i in range(1, n + 1)
    ]


def estimate_make(world: World, *, client: Any = None, n_lines: int = 2, sent: bool = False, **fields: Any) -> Estimate:
    if client is None and "lead" not in fields:
        n = next(_serial)
        client = client_make(world, f"Esti{n} Client", email=f"esti{n}@example.test")
    estimate = estimate_create(
        org=world.org, actor=staff(world), client=client, lines=fields.pop("lines", lines(n_lines)), **fields
    )
    if sent:
        estimate_send(estimate=estimate, actor=staff(world))
    return estimate


def joined(world: World, name: str = "Mark Client", email: str = "mark@example.test") -> tuple[Any, Any]:
    """A client record of ``world`` whose portal invitation was accepted: (record, person)."""
    if not PortalSettings.objects.filter(org=world.org).exists():
        portal_set_up(world)
    record = client_make(world, name, email=email)
    invitation = invitation_send(client=record, actor=Actor.system())
    raw = f"tok-{world.org.slug}-{record.pk}"
    InvitationLink.objects.filter(invitation=invitation).update(token_digest=token_digest(raw))
    account = invitation_accept(raw_token=raw, actor=Actor.system(), password=PASSWORD)
    record.refresh_from_db()
    return record, account.user


def client_actor(person: Any) -> Actor:
    return Actor(kind=ActorKind.CLIENT, user=person, ip="198.51.100.7", user_agent="phone-browser/1.0")
