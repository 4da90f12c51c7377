"""Test helpers for the journey: clients invited and accepting through the real actions, and
estimates moved through ESTIMATE_MACHINE with ``estimate_changed`` sent as the estimates app does."""

from __future__ import annotations

import itertools
from typing import Any

from django.db import transaction
from django.utils import timezone

from portico.clients.models import Client
from portico.core.actors import Actor
from portico.core.tokens import token_digest
from portico.estimates.models import ESTIMATE_MACHINE, Estimate
from portico.estimates.signals import estimate_changed
from portico.invitations.actions import invitation_accept, invitation_send
from portico.invitations.models import Invitation, InvitationLink
from portico.journey.models import Journey
from portico.journey.steps import progress_derive
from testing.world import World, client_make, portal_set_up

_numbers = itertools.count(1)


def staff(w: World) -> Actor:
    return Actor(kind="staff", user=w.admin, ip="192.0.2.1", user_agent="pytest")


def invite(w: World, client: Any = None, *, channel: str = "email", name: str = "Mark Client", **fields: Any) -> Client:
    """A client of ``w`` (made if not given) with a portal invitation sent."""
    if not hasattr(w.org, "portal_settings"):
        portal_set_up(w)
    zone = fields.pop("time_zone", "")
    if client is None:
        if channel == "sms":
            fields.setdefault("phone", "+15005550006")
        client = client_make(w, name, **fields)
    if zone:  # as a booking sets it (no staff form edits it)
        Client.objects.filter(pk=client.pk).update(time_zone=zone)
        client.time_zone = zone
    invitation_send(client=client, actor=staff(w), channel=channel)
    return client


def accept(client: Any, *, password: str = "a-long-pass-phrase", email: str = "") -> Any:  # noqa: S107
    """The client opens the newest link and creates their account."""
    invitation = Invitation.objects.filter(client=client).latest("created_at")
    raw = f"raw-{invitation.pk}-{invitation.sent_count}"
    InvitationLink.objects.filter(invitation=invitation, number=invitation.sent_count).update(
        token_digest=token_digest(raw)
    )
    return invitation_accept(raw_token=raw, actor=Actor.system(), password=password, email=email)


def estimate_make(w: World, client: Any, **fields: Any) -> Estimate:
    """An estimate on ``client`` (the skeleton model's fields), a draft."""
    number = next(_numbers)
    return Estimate.objects.create(org=w.org, client=client, number=number, currency=w.org.currency or "USD", **fields)


def estimate_move(estimate: Estimate, move: str, actor: Actor | None = None) -> Estimate:
    """Move an estimate as the estimates app does: ESTIMATE_MACHINE, then ``estimate_changed``."""
    actor = actor or Actor.system()
    updates = {"decided_at": timezone.now()} if move in ("approve", "decline") else {}
    if move == "send":
        updates = {"sent_at": timezone.now()}
    with transaction.atomic():
        ESTIMATE_MACHINE.apply(estimate, move, actor=actor, updates=updates)
        estimate.refresh_from_db()
        estimate_changed.send(sender=Estimate, estimate=estimate, actor=actor)
    return estimate


def journey(client: Any) -> Journey:
    return Journey.objects.get(client=client)


def recomputed(client: Any) -> Any:
    """What the facts say the client's journey is, along its frozen steps."""
    stored = journey(client)
    return progress_derive(Client.objects.get(pk=client.pk), stored.steps, stored.started_at)


def stored_equals_facts(client: Any) -> bool:
    stored = journey(client)
    derived = recomputed(client)
    return (
        stored.steps,
        stored.started_at,
        stored.current_step,
        stored.step_entered_at,
        stored.reached,
        stored.completed_at,
        stored.source,
        stored.lead_created_at,
    ) == derived.comparable()
