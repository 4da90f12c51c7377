"""Payment benchmarks (`make bench`, PostgreSQL; `BENCH_ONLY=payments` alone, with a floor of its own run).

The organization "payments-bench" gets BENCH_PAYMENT_CLIENTS (default 2,000) clients, one removed
payment method each and BENCH_PAYMENT_EVENTS (default 20,000) recorded Stripe events (the tables as
a year of webhooks leaves them), inserted set-based, and a Stripe connection (keys of a local
fake Stripe, testing.fakes.FakeStripe, which the webhook never calls). Then, through the Django test client (no session: Stripe
signs, it does not sign in):

- ``stripe.webhook``: a signed ``setup_intent.succeeded`` for a fresh pending method (made untimed
  before each run, as ``payment_method_start`` leaves it): the signature checked on the raw body,
  the event id deduplicated, the method confirmed (the client's previous one removed), the audit
  rows, the journey's signal receivers and the worker's task row (the card's description and the
  navigators' notice: not timed, the worker's). Stripe is not called. Target p95 ≤ 20 ms.
- ``stripe.webhook.replay``: the same event delivered again: answered 200, nothing changed.
- ``stripe.webhook.last_step``: the same event for a client whose journey waits only for it (an
  organization of its own, "payments-last-bench": invited, account made, estimate approved, agreement
  signed; made untimed before each run by the real actions, the signature written as a row plus
  ``journey_refresh``): the webhook completes the onboarding and creates the job (navigators told).
  BENCH_PAYMENT_LAST_REPEAT runs (default 30: each client takes a second or two to prepare).
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import time
from collections.abc import Callable
from typing import Any

import stripe
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from bench.estimates import CLIENTS_INSERT
from portico.core.crypto import secret_hint, secret_seal
from portico.orgs.models import Organization

CLIENTS = int(os.environ.get("BENCH_PAYMENT_CLIENTS", "2000"))
LAST_REPEAT = int(os.environ.get("BENCH_PAYMENT_LAST_REPEAT", "30"))
LAST_SLUG = "payments-last-bench"
EVENTS = int(os.environ.get("BENCH_PAYMENT_EVENTS", "20000"))
SLUG = "payments-bench"

METHODS_INSERT = """
INSERT INTO payments_paymentmethod (org_id, client_id, setup_intent_id, payment_method_id, kind, brand, last4,
    exp_month, exp_year, state, failure_message, created_by_id, created_at, confirmed_at, removed_at)
SELECT %(org)s, c.id, 'seti_bench_' || c.id, 'pm_bench_' || c.id, 'card', 'visa', '4242', 12, 2034, 'removed', '',
       NULL, now() - interval '30 days', now() - interval '30 days', now() - interval '1 day'
FROM clients_client c WHERE c.org_id = %(org)s
"""
EVENTS_INSERT = """
INSERT INTO payments_stripeevent (org_id, event_id, type, livemode, received_at, outcome, payload)
SELECT %(org)s, 'evt_bench_' || g, 'setup_intent.succeeded', false, now() - g * interval '1 minute', 'activated', '{}'
FROM generate_series(1, %(n)s) AS g
"""


def seed() -> Organization:
    from bench.clients import world_ensure
    from portico.clients.models import Client as ClientRecord
    from portico.payments.models import StripeEvent

    data = world_ensure(SLUG)
    org = data.org
    if StripeEvent.objects.filter(org=org, event_id__startswith="evt_bench_").count() != EVENTS:
        print(f"payments: loading {CLIENTS:,} clients and {EVENTS:,} Stripe events into '{SLUG}'")
        params: dict[str, Any] = {"org": org.pk, "admin": data.admin_id, "n": EVENTS}
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM payments_stripeevent WHERE org_id = %s", [org.pk])
            cursor.execute("DELETE FROM payments_paymentmethod WHERE org_id = %s", [org.pk])
            if not ClientRecord.objects.filter(org=org).exists():
                cursor.execute(CLIENTS_INSERT, {**params, "n": CLIENTS})
            cursor.execute(METHODS_INSERT, params)
            cursor.execute(EVENTS_INSERT, params)
        with connection.cursor() as cursor:
            for table in ("clients_client", "payments_paymentmethod", "payments_stripeevent"):
                cursor.execute(f"VACUUM (ANALYZE) {table}")
    return org


def run(time_measure: Callable[..., dict[str, Any]], measure_class: Callable[..., Any]) -> list[dict[str, Any]]:
    from django.conf import settings

    from portico.clients.models import Client as ClientRecord
    from portico.payments.models import PaymentMethod, StripeAccount
    from testing.fakes import FakeStripe

    org = seed()
    fake = FakeStripe().start()
    api_base, settings.STRIPE_API_BASE = settings.STRIPE_API_BASE, fake.base_url
    StripeAccount.objects.filter(org=org).delete()
    StripeAccount.objects.create(
        org=org,
        publishable_key=fake.publishable_key,
        secret_key_sealed=secret_seal(fake.secret_key),
        secret_key_hint=secret_hint(fake.secret_key),
        webhook_secret_sealed=secret_seal(fake.webhook_secret),
        webhook_secret_hint=secret_hint(fake.webhook_secret),
    )
    client_ids = list(ClientRecord.objects.filter(org=org).order_by("id").values_list("id", flat=True)[:500])
    url = reverse("stripe_webhook", args=[org.slug])
    current: dict[str, Any] = {}
    serial = iter(range(10**9))

    def fresh() -> None:
        """A new pending method of the next client and its signed event (untimed)."""
        n = next(serial)
        pm_id = f"pm_{secrets.token_hex(8)}"
        fake.payment_methods[pm_id] = {
            "id": pm_id,
            "object": "payment_method",
            "type": "card",
            "card": {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2034},
        }
        pm = PaymentMethod.objects.create(
            org=org, client_id=client_ids[n % len(client_ids)], setup_intent_id=f"seti_{secrets.token_hex(10)}"
        )
        event = fake.event(
            "setup_intent.succeeded",
            {"id": pm.setup_intent_id, "object": "setup_intent", "status": "succeeded", "payment_method": pm_id},
        )
        payload = json.dumps(event)
        current.update(
            payload=payload, header=stripe.WebhookSignature.generate_signature_header(payload, fake.webhook_secret)
        )

    def post(c: Client) -> Any:
        response = c.post(
            url, current["payload"], content_type="application/json", HTTP_STRIPE_SIGNATURE=current["header"]
        )
        assert response.status_code == 200, response.content
        return response

    client = Client()
    fresh()
    assert json.loads(post(client).content)["outcome"] == "activated", "the bench event was not applied"
    last_step = _last_step(fake, current)
    try:
        results = [
            time_measure(measure_class("stripe.webhook", EVENTS, post, before=fresh), client),
            time_measure(measure_class("stripe.webhook.replay", EVENTS, post), client),
            time_measure(
                measure_class(
                    "stripe.webhook.last_step",
                    1,
                    last_step["post"],
                    repeat=min(LAST_REPEAT, int(os.environ.get("BENCH_REPEAT", LAST_REPEAT))),
                    before=last_step["fresh"],
                    after=last_step["check"],
                ),
                client,
            ),
        ]
    finally:
        fake.stop()
        settings.STRIPE_API_BASE = api_base
    return results


def _last_world() -> Any:
    """The last-step organization (made once, reused), connected to the fake Stripe."""
    from portico.accounts.models import User
    from portico.orgs.models import Role
    from testing.world import World, world_create

    org = Organization.objects.filter(slug=LAST_SLUG).first()
    if org is None:
        return world_create(LAST_SLUG)
    return World(
        org=org,
        admin=User.objects.get(email=f"admin@{LAST_SLUG}.test"),
        readonly=User.objects.get(email=f"reader@{LAST_SLUG}.test"),
        roles={role.name: role for role in Role.objects.filter(org=org)},
    )


def _last_step(fake: Any, current: dict[str, Any]) -> dict[str, Callable[..., Any]]:
    """Before each run: a client at the payment step; the run: its setup_intent.succeeded."""
    from django.utils import timezone

    from portico.agreements.models import Agreement, AgreementState
    from portico.core.actors import Actor
    from portico.journey.actions import journey_refresh
    from portico.payments.models import StripeAccount
    from portico.work import models as work_models
    from portico.work.tests import factories as work_factories

    world = _last_world()
    StripeAccount.objects.filter(org=world.org).delete()
    StripeAccount.objects.create(
        org=world.org,
        publishable_key=fake.publishable_key,
        secret_key_sealed=secret_seal(fake.secret_key),
        secret_key_hint=secret_hint(fake.secret_key),
        webhook_secret_sealed=secret_seal(fake.webhook_secret),
        webhook_secret_hint=secret_hint(fake.webhook_secret),
        connected_at=timezone.now(),
    )
    # The factories number their rows (emails, SetupIntent ids) from 1 in each process: start past every earlier run.
    work_factories._serial = itertools.count(int(time.time() * 1000))
    url = reverse("stripe_webhook", args=[LAST_SLUG])
    made: list[int] = []

    def fresh() -> None:
        client, _estimate, agreement, pm = work_factories.onboarding_client(world)
        # The signature as the signing leaves it (the seal's PDF work is agreements.sign's bench).
        Agreement.objects.filter(pk=agreement.pk).update(state=AgreementState.SIGNED, signed_at=timezone.now())
        journey_refresh(client=client, actor=Actor.system())
        fake.payment_methods[pm.payment_method_id] = {
            "id": pm.payment_method_id,
            "object": "payment_method",
            "type": "card",
            "card": {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2034},
        }
        event = fake.event(
            "setup_intent.succeeded",
            {
                "id": pm.setup_intent_id,
                "object": "setup_intent",
                "status": "succeeded",
                "payment_method": pm.payment_method_id,
            },
        )
        payload = json.dumps(event)
        current.update(
            payload=payload, header=stripe.WebhookSignature.generate_signature_header(payload, fake.webhook_secret)
        )
        made.append(client.pk)

    def post(c: Client) -> Any:
        response = c.post(
            url, current["payload"], content_type="application/json", HTTP_STRIPE_SIGNATURE=current["header"]
        )
        assert response.status_code == 200 and response.json()["outcome"] == "activated", response.content
        return response

    def check() -> None:
        jobs = work_models.Job.objects.filter(client_id__in=made).count()
        assert jobs == len(made), f"the last-step webhook made {jobs} jobs for {len(made)} clients"

    return {"fresh": fresh, "post": post, "check": check}


def note(results: list[dict[str, Any]]) -> str:
    return (
        f"stripe.webhook: a signed setup_intent.succeeded POSTed to the organization's webhook (Django test client) "
        f"with {EVENTS:,} events already recorded and {CLIENTS:,} clients: signature on the raw body, dedup by event "
        f"id, the method confirmed with the client's old one removed, audit, journey signal and the worker's "
        f"task row (its description from Stripe and the navigators' notice run in the worker, untimed); no call to "
        f"Stripe. Target p95 ≤ 20 ms. stripe.webhook.replay: the same event again (200, nothing changed). "
        f"stripe.webhook.last_step: the same event for a client whose journey waits only for it (invited, account, "
        f"estimate approved, agreement signed): the webhook also completes the onboarding and creates the job "
        f"(navigators notified); {LAST_REPEAT} runs at most."
    )
