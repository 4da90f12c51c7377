"""Stripe's webhook, one address per organization: the signature is checked on the raw body with
the organization's signing secret (400 otherwise, nothing changed), a replayed event id is
answered 200 and changes nothing, and the rest goes to ``stripe_event_apply``.

Speed (target p95 ≤ 20 ms): Stripe is never called here. An event carries its object; a
``setup_intent.succeeded`` names its payment method by id only, so a row the return page has not
described yet is confirmed at once and described (brand, last 4, expiry) by the worker, which then
notifies the navigators (``actions.payment_method_added``). Creating the SetupIntent with its
payment method expanded cannot help: the method does not exist until the client confirms it in
the browser, and events are never expanded. The webhook secret is decrypted once per process (keyed
by its sealed value: new keys are a new token); the StripeEvent row records the outcome (no audit
row of its own: a state the event moves is audited, naming the event).

If the stored secret cannot be read with this installation's keys (SECRET_KEY changed without
SECRET_KEY_FALLBACKS or SECRETS_KEYS), the answer is 500 with a log line: Stripe retries for days,
time enough to enter the keys again."""

from __future__ import annotations

import json
import logging
from functools import lru_cache

import stripe
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseServerError, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portico.core.actors import Actor, ActorKind, client_ip
from portico.core.crypto import SecretUnreadable, secret_open
from portico.payments import actions, selectors
from portico.payments.models import StripeEvent

logger = logging.getLogger(__name__)
TOLERANCE_SECONDS = 300  # Stripe's default: a signature older than this is refused (replays of old captures)


@lru_cache(maxsize=256)
def _webhook_secret(sealed: str) -> str:
    return secret_open(sealed)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest, org_slug: str) -> HttpResponse:
    account = selectors.stripe_account_for_webhook(org_slug=org_slug)
    try:
        secret = _webhook_secret(account.webhook_secret_sealed)
    except SecretUnreadable:
        logger.error("Stripe webhook for %s: the stored webhook secret cannot be read: enter the keys again", org_slug)
        return HttpResponseServerError("Webhook secret unreadable")
    try:
        payload = request.body.decode()
        stripe.WebhookSignature.verify_header(
            payload,
            request.headers.get("Stripe-Signature", ""),
            secret,
            TOLERANCE_SECONDS,
        )
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError):
        logger.warning("Stripe webhook for %s refused: missing or wrong signature", org_slug)
        return HttpResponseBadRequest("Bad signature")
    if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
        return HttpResponseBadRequest("Not an event")
    actor = Actor(kind=ActorKind.SYSTEM, ip=client_ip(request), user_agent="Stripe webhook")
    try:
        recorded = actions.stripe_event_apply(org_id=account.org_id, event=event, actor=actor)
    except IntegrityError:
        # The same event delivered twice at once: the other delivery recorded it. Any other integrity
        # error (raised by what the event set off) is a failure: 500, and Stripe retries.
        if not StripeEvent.objects.filter(org_id=account.org_id, event_id=str(event["id"])[:255]).exists():
            raise
        recorded = None
    return JsonResponse({"received": True, "outcome": recorded.outcome if recorded else "replay"})
