"""The payments app's cases for audit/tests/test_every_action_is_audited.py (action -> case(world, settings)).

Connecting checks the keys with Stripe: those cases start a local fake Stripe of their own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from portico.audit.models import AuditAction
from portico.core.actors import Actor
from portico.payments.actions import (
    payment_method_setup_apply,
    payment_method_start,
    stripe_connect,
    stripe_disconnect,
)
from portico.payments.stripe_api import keys_for_connect, setup_intent_create
from portico.payments.tests.factories import card, intent, pending_make, stripe_account_make
from testing.fakes import FakeStripe
from testing.world import World, client_make


def _with_fake(settings: Any, run: Callable[[FakeStripe], object]) -> None:
    fake = FakeStripe().start()
    try:
        settings.STRIPE_API_BASE = fake.base_url
        run(fake)
    finally:
        fake.stop()


def _connect(w: World, settings: Any) -> None:
    def run(fake: FakeStripe) -> None:
        keys = keys_for_connect(
            org=w.org,
            publishable_key=fake.publishable_key,
            secret_key=fake.secret_key,
            webhook_secret=fake.webhook_secret,
        )
        stripe_connect(org=w.org, actor=Actor.system(), keys=keys)

    _with_fake(settings, run)


def _start(w: World, settings: Any) -> None:
    def run(fake: FakeStripe) -> None:
        stripe_account_make(w, secret=fake.secret_key)
        record = client_make(w)
        started = setup_intent_create(client=record, attempt="a1")
        payment_method_start(client=record, actor=Actor.system(), started=started)

    _with_fake(settings, run)


def _confirmed(w: World) -> None:
    pm = pending_make(w, client_make(w))
    payment_method_setup_apply(payment_method=pm, setup_intent=intent(pm, method=card()), actor=Actor.system())


def _submitted(w: World) -> None:
    pm = pending_make(w, client_make(w))
    bank = {
        "id": "pm_bank",
        "type": "us_bank_account",
        "us_bank_account": {"bank_name": "STRIPE TEST BANK", "last4": "6789"},
    }
    waiting = intent(pm, "requires_action", bank, next_action={"type": "verify_with_microdeposits"})
    payment_method_setup_apply(payment_method=pm, setup_intent=waiting, actor=Actor.system())


AUDIT_CASES: dict[str, Callable[..., object]] = {
    AuditAction.STRIPE_CONNECTED: _connect,
    AuditAction.STRIPE_DISCONNECTED: lambda w, s: (
        stripe_account_make(w),
        stripe_disconnect(org=w.org, actor=Actor.system()),
    ),
    AuditAction.PAYMENT_METHOD_STARTED: _start,
    AuditAction.PAYMENT_METHOD_STATE_CHANGED: lambda w, s: _confirmed(w),
    AuditAction.PAYMENT_METHOD_SUBMITTED: lambda w, s: _submitted(w),
}
