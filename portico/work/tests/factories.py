"""Jobs for the tests, and the onboarding facts of part 2 fired by their real actions:
``agreement_sign`` (the client's signature) and ``payment_method_activate`` (Stripe's webhook)."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from portico.agreements.consent import disclosure_for
from portico.agreements.models import Agreement, AgreementTemplate, ElectronicConsent
from portico.agreements.signing import consent_give
from portico.agreements.tests.factories import agreement_sent_make, template_make
from portico.agreements.tests.signing_helpers import sign
from portico.clients.actions import client_assign_navigator
from portico.clients.models import Client
from portico.core.actors import Actor, ActorKind
from portico.estimates.actions import estimate_approve
from portico.estimates.models import Estimate
from portico.estimates.tests.factories import estimate_make
from portico.journey.tests.helpers import accept, invite
from portico.payments.actions import stripe_event_apply
from portico.payments.models import PaymentMethod, PaymentMethodKind, StripeAccount
from portico.work.actions import job_create
from portico.work.models import Job
from testing.world import World, client_make

_serial = itertools.count(1)


def staff(world: World) -> Actor:
    return Actor(kind=ActorKind.STAFF, user=world.admin, ip="192.0.2.20", user_agent="staff-phone")


def job_make(world: World, *, client: Any = None, title: str = "Fit the new deck", **fields: Any) -> Job:
    """A job made by hand (new), for a new client unless one is given."""
    if client is None:
        n = next(_serial)
        client = client_make(world, f"Work{n} Client", email=f"work{n}@example.test")
    fields.setdefault("total", Decimal("1250.00"))
    return job_create(org=world.org, client=client, actor=staff(world), title=title, **fields)


# --- the organization's set-up for part 2 ---


def stripe_connect(world: World) -> StripeAccount:
    """The organization's Stripe connection, as a row (the keys are never read here)."""
    return StripeAccount.objects.create(
        org=world.org,
        publishable_key="pk_test_work",
        secret_key_sealed="sealed",
        secret_key_hint="sk_test_…work",
        webhook_secret_sealed="sealed",
        webhook_secret_hint="whsec_…work",
    )


# --- the facts, one function each ---


def agreement_sign(agreement: Agreement, actor: Actor | None = None) -> Agreement:
    """The client signs their agreement, by ``agreements.signing.agreement_sign`` (consenting to
    electronic records first when they have not)."""
    person = Client.objects.select_related("profile__organizer").get(pk=agreement.client_id).profile.organizer
    if not ElectronicConsent.objects.filter(org_id=agreement.org_id, user=person, withdrawn_at=None).exists():
        _consent(agreement.org, person, agreement)
    sign(agreement, person)
    agreement.refresh_from_db()
    return agreement


def payment_method_pending(
    world: World, client: Client, *, kind: str = PaymentMethodKind.CARD, created_by: Any = None
) -> PaymentMethod:
    """A method the client confirmed in Stripe's Payment Element, waiting for Stripe's webhook."""
    n = next(_serial)
    card = kind == PaymentMethodKind.CARD
    return PaymentMethod.objects.create(
        org=world.org,
        client=client,
        setup_intent_id=f"seti_work_{n}",
        payment_method_id=f"pm_work_{n}",
        kind=kind,
        brand="visa" if card else "STRIPE TEST BANK",
        last4="4242" if card else "6789",
        exp_month=12 if card else None,
        exp_year=2030 if card else None,
        created_by=created_by,
    )


def _consent(org: Any, person: Any, agreement: Agreement) -> None:
    disclosure = disclosure_for(org, "en")
    consent_give(
        org=org,
        actor=Actor(kind=ActorKind.CLIENT, user=person, ip="198.51.100.20", user_agent="phone"),
        disclosure_version=disclosure.version,
        disclosure_hash=disclosure.sha256,
        language="en",
        agreement=agreement,
    )


def payment_method_activate(payment_method: PaymentMethod, actor: Actor | None = None) -> PaymentMethod:
    """Stripe's ``setup_intent.succeeded`` webhook, applied by the webhook's action."""
    stripe_event_apply(
        org_id=payment_method.org_id,
        event={
            "id": f"evt_{payment_method.setup_intent_id}",
            "type": "setup_intent.succeeded",
            "data": {
                "object": {
                    "id": payment_method.setup_intent_id,
                    "object": "setup_intent",
                    "status": "succeeded",
                    "payment_method": payment_method.payment_method_id,
                }
            },
        },
        actor=actor or Actor.system(),
    )
    payment_method.refresh_from_db()
    return payment_method


# --- a client at the last steps of onboarding ---


def onboarding_client(world: World, *, name: str = "") -> tuple[Client, Estimate, Agreement, PaymentMethod]:
    """A client whose journey has every step (the organization uses a template and Stripe): invited
    with an estimate, account made, estimate approved, agreement sent, payment method pending. What
    is left: the signature and Stripe's webhook. The admin is its navigator."""
    if not StripeAccount.objects.filter(org=world.org).exists():
        stripe_connect(world)
    if not AgreementTemplate.objects.filter(org=world.org).exists():
        template_make(world)
    n = next(_serial)
    client = client_make(world, name or f"Onboard{n} Client", email=f"onboard{n}@example.test")
    client_assign_navigator(client=client, actor=Actor.system(), navigator=world.admin)
    estimate = estimate_make(world, client=client, sent=True, scope="Replace the roof")
    invite(world, client)
    person = accept(client).user
    client.refresh_from_db()
    client_actor = Actor(kind=ActorKind.CLIENT, user=person, ip="198.51.100.20", user_agent="phone")
    estimate_approve(estimate=estimate, actor=client_actor, content_hash=estimate.content_hash)
    agreement = agreement_sent_make(world, client=client, person=person)  # from the approved estimate
    _consent(world.org, person, agreement)  # what is left of signing is the signature itself
    payment_method = payment_method_pending(world, client, created_by=person)
    estimate.refresh_from_db()
    return client, estimate, agreement, payment_method
