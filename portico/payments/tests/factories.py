"""Payments for the tests: a connected Stripe account, a pending payment method, signed webhook posts."""

from __future__ import annotations

import json
import secrets
from typing import Any

import stripe
from django.urls import reverse

from portico.core.crypto import secret_hint, secret_seal
from portico.payments.models import PaymentMethod, StripeAccount
from testing.world import World

SECRET = "sk_test_factorySecretKey9876"
PUBLISHABLE = "pk_test_factoryPublishable9876"
WEBHOOK_SECRET = "whsec_factoryWebhookSecret"


def stripe_account_make(
    world: World, *, secret: str = SECRET, publishable: str = PUBLISHABLE, webhook_secret: str = WEBHOOK_SECRET
) -> StripeAccount:
    """The organization's connection as ``stripe_connect`` stores it, without asking Stripe (tests
    with a fake Stripe connect through the action instead)."""
    return StripeAccount.objects.create(
        org=world.org,
        publishable_key=publishable,
        secret_key_sealed=secret_seal(secret),
        secret_key_hint=secret_hint(secret),
        webhook_secret_sealed=secret_seal(webhook_secret),
        webhook_secret_hint=secret_hint(webhook_secret),
    )


def pending_make(world: World, client: Any, *, setup_intent_id: str = "") -> PaymentMethod:
    """A pending row as ``payment_method_start`` leaves it (its SetupIntent exists only by name)."""
    return PaymentMethod.objects.create(
        org=world.org, client=client, setup_intent_id=setup_intent_id or "seti_" + secrets.token_hex(8)
    )


def event(kind: str, obj: dict[str, Any], *, event_id: str = "") -> dict[str, Any]:
    return {
        "id": event_id or "evt_" + secrets.token_hex(10),
        "object": "event",
        "type": kind,
        "livemode": False,
        "data": {"object": obj},
    }


def card(pm_id: str = "pm_card4242", last4: str = "4242") -> dict[str, Any]:
    return {
        "id": pm_id,
        "object": "payment_method",
        "type": "card",
        "card": {"brand": "visa", "last4": last4, "exp_month": 12, "exp_year": 2034},
    }


def intent(pm: PaymentMethod, status: str = "succeeded", method: Any = None, **more: Any) -> dict[str, Any]:
    return {"id": pm.setup_intent_id, "object": "setup_intent", "status": status, "payment_method": method, **more}


def webhook_post(
    client: Any,
    world: World,
    payload: dict[str, Any] | str,
    *,
    secret: str = WEBHOOK_SECRET,
    signature: str | None = None,
) -> Any:
    """Post ``payload`` to the organization's webhook as Stripe does (signed with ``secret``, or
    with ``signature`` as given)."""
    body = payload if isinstance(payload, str) else json.dumps(payload)
    header = stripe.WebhookSignature.generate_signature_header(body, secret) if signature is None else signature
    return client.post(
        reverse("stripe_webhook", args=[world.org.slug]),
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )
