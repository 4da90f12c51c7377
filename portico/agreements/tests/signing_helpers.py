"""Shared steps of the signing tests: a client who consented, and a signature by the actions."""

from __future__ import annotations

from typing import Any

from portico.agreements.consent import disclosure_for
from portico.agreements.models import Agreement, AgreementSignature, ElectronicConsent, SignatureMethod
from portico.agreements.signing import agreement_seal, agreement_sign, consent_give
from portico.agreements.tests.factories import agreement_sent_make
from portico.clients.models import Client
from portico.estimates.tests.factories import client_actor
from testing.world import World

DRAWING = "M10 20L30 40Q50 60 70 80C1 2 3 4 5 6"


def sent_for(world: World) -> tuple[Agreement, Any]:
    """A sent agreement and the person who organizes its client's record."""
    agreement = agreement_sent_make(world)
    person = Client.objects.select_related("profile__organizer").get(pk=agreement.client_id).profile.organizer
    return agreement, person


def consent(world: World, person: Any, agreement: Agreement | None = None) -> ElectronicConsent:
    d = disclosure_for(world.org, "en")
    return consent_give(
        org=world.org,
        actor=client_actor(person),
        disclosure_version=d.version,
        disclosure_hash=d.sha256,
        language="en",
        agreement=agreement,
    )


def sign(agreement: Agreement, person: Any, **overrides: Any) -> AgreementSignature:
    fields: dict[str, Any] = {
        "name_typed": "Mark Client",
        "method": SignatureMethod.TYPED,
        "drawing": "",
        "intent": True,
        "session_key": "session-123",
        "document_hash_seen": agreement.document_hash,
        **overrides,
    }
    return agreement_sign(agreement=agreement, actor=client_actor(person), **fields)


def signed_and_sealed(world: World, **overrides: Any) -> Agreement:
    agreement, person = sent_for(world)
    consent(world, person, agreement)
    sign(agreement, person, **overrides)
    agreement_seal(agreement=agreement)
    agreement.refresh_from_db()
    return agreement
