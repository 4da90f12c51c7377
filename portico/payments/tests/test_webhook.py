"""Stripe's webhook: verified on the raw body, recorded once per event id, applied."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet
from django.db import IntegrityError
from stripe import WebhookSignature

from portico.audit.models import AuditAction, AuditEvent
from portico.clients.actions import client_assign_navigator
from portico.core.actors import Actor
from portico.notifications.models import EventKind, Notification
from portico.payments.models import PaymentMethod, PaymentMethodState, StripeEvent
from portico.payments.signals import payment_method_changed
from portico.payments.tests.factories import card, event, intent, pending_make, stripe_account_make, webhook_post
from testing.world import client_make, run_tasks


@pytest.fixture
def record(org_a):
    stripe_account_make(org_a)
    return client_make(org_a, "Wanda Webhook", email="wanda@example.test")


def test_a_bad_or_missing_signature_is_400_and_changes_nothing(client, org_a, record):
    pm = pending_make(org_a, record)
    succeeded = event("setup_intent.succeeded", intent(pm, method=card()))
    assert webhook_post(client, org_a, succeeded, secret="whsec_someoneElsesSecret").status_code == 400
    assert webhook_post(client, org_a, succeeded, signature="").status_code == 400
    body = json.dumps(succeeded)
    tampered = body.replace("4242", "1111")
    header = WebhookSignature.generate_signature_header(body, "whsec_factoryWebhookSecret")
    assert webhook_post(client, org_a, tampered, signature=header).status_code == 400
    pm.refresh_from_db()
    assert pm.state == PaymentMethodState.PENDING
    assert not StripeEvent.objects.exists()


def test_setup_intent_succeeded_activates_and_replaces_the_old_active_method(client, org_a, record):
    old = pending_make(org_a, record)
    webhook_post(client, org_a, event("setup_intent.succeeded", intent(old, method=card("pm_old", "1111"))))
    new = pending_make(org_a, record)
    response = webhook_post(client, org_a, event("setup_intent.succeeded", intent(new, method=card("pm_new", "4242"))))
    assert response.status_code == 200
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.state == PaymentMethodState.REMOVED and old.removed_at is not None
    assert (new.state, new.brand, new.last4, new.exp_month, new.exp_year) == ("active", "visa", "4242", 12, 2034)
    assert new.payment_method_id == "pm_new" and new.confirmed_at is not None
    # No audit row of its own: each state the events moved is audited, naming its event.
    moved = AuditEvent.objects.filter(action=AuditAction.PAYMENT_METHOD_STATE_CHANGED)
    assert moved.count() == 3 and all(e.detail.get("stripe_event", "").startswith("evt_") for e in moved)


def test_a_replayed_event_is_applied_once(client, org_a, record):
    pm = pending_make(org_a, record)
    succeeded = event("setup_intent.succeeded", intent(pm, method=card()))
    assert webhook_post(client, org_a, succeeded).status_code == 200
    assert webhook_post(client, org_a, succeeded).status_code == 200
    assert StripeEvent.objects.filter(event_id=succeeded["id"]).count() == 1
    moved = AuditEvent.objects.filter(action=AuditAction.PAYMENT_METHOD_STATE_CHANGED)
    assert [e.detail["stripe_event"] for e in moved] == [succeeded["id"]]


def test_the_navigators_hear_of_an_added_and_a_failed_method(client, org_a, record):
    client_assign_navigator(client=record, actor=Actor.system(), navigator=org_a.readonly)
    ok, bad = pending_make(org_a, record), pending_make(org_a, record)
    webhook_post(client, org_a, event("setup_intent.succeeded", intent(ok, method=card())))
    webhook_post(client, org_a, event("setup_intent.setup_failed", intent(bad, "requires_payment_method")))
    run_tasks()  # the "added" notice is the worker's (after the commit the webhook answered)
    kinds = set(Notification.objects.filter(recipient=org_a.readonly).values_list("kind", flat=True))
    assert kinds == {EventKind.PAYMENT_METHOD_ADDED, EventKind.PAYMENT_METHOD_FAILED}


def test_setup_failed_fails_with_stripes_message(client, org_a, record):
    pm = pending_make(org_a, record)
    error = {"code": "card_declined", "message": "Your card has insufficient funds."}
    webhook_post(
        client, org_a, event("setup_intent.setup_failed", intent(pm, "requires_payment_method", last_setup_error=error))
    )
    pm.refresh_from_db()
    assert pm.state == PaymentMethodState.FAILED
    assert pm.failure_message == "Your card has insufficient funds."


def test_payment_method_detached_removes_it(client, org_a, record):
    pm = pending_make(org_a, record)
    webhook_post(client, org_a, event("setup_intent.succeeded", intent(pm, method=card("pm_gone"))))
    webhook_post(client, org_a, event("payment_method.detached", {**card("pm_gone"), "customer": None}))
    pm.refresh_from_db()
    assert pm.state == PaymentMethodState.REMOVED


def test_unknown_and_other_events_are_recorded_and_ignored(client, org_a, record):
    unknown = event("setup_intent.succeeded", {"id": "seti_nobody", "status": "succeeded", "payment_method": card()})
    other = event("customer.created", {"id": "cus_1", "object": "customer"})
    assert webhook_post(client, org_a, unknown).status_code == 200
    assert webhook_post(client, org_a, other).status_code == 200
    outcomes = dict(StripeEvent.objects.values_list("event_id", "outcome"))
    assert outcomes == {
        unknown["id"]: "ignored: unknown setup intent",
        other["id"]: "ignored: not an event Portico applies",
    }
    assert not AuditEvent.objects.filter(action=AuditAction.PAYMENT_METHOD_STATE_CHANGED).exists()


def test_another_organizations_setup_intent_is_unknown_here(client, org_a, org_b, record):
    stripe_account_make(org_b)
    theirs = pending_make(org_b, client_make(org_b, "Bea Beta", email="bea@example.test"))
    webhook_post(client, org_a, event("setup_intent.succeeded", intent(theirs, method=card())))
    theirs.refresh_from_db()
    assert theirs.state == PaymentMethodState.PENDING


def test_an_event_naming_the_method_by_id_confirms_at_once_and_the_worker_describes_it(client, org_a, fake_stripe):
    stripe_account_make(org_a, secret=fake_stripe.secret_key)
    record = client_make(org_a, "Iris Id", email="iris@example.test")
    client_assign_navigator(client=record, actor=Actor.system(), navigator=org_a.readonly)
    pm = pending_make(org_a, record)
    fake_stripe.payment_methods["pm_only_id"] = card("pm_only_id", "4444")
    webhook_post(client, org_a, event("setup_intent.succeeded", intent(pm, method="pm_only_id")))
    pm.refresh_from_db()
    assert (pm.state, pm.payment_method_id, pm.last4) == ("active", "pm_only_id", "")
    assert not fake_stripe.requests  # the webhook itself asks Stripe nothing
    run_tasks()
    pm.refresh_from_db()
    assert (pm.brand, pm.last4, pm.exp_year) == ("visa", "4444", 2034)
    assert [r["path"] for r in fake_stripe.requests] == ["/v1/payment_methods/pm_only_id"]
    notice = Notification.objects.get(recipient=org_a.readonly, kind=EventKind.PAYMENT_METHOD_ADDED)
    assert "4444" in notice.body


def test_no_organization_no_webhook(client, org_a):
    assert webhook_post(client, org_a, event("x.y", {})).status_code == 404
    assert PaymentMethod.objects.count() == 0


def test_the_stored_event_keeps_no_client_secret_and_no_billing_details(client, org_a, record):
    pm = pending_make(org_a, record)
    billed = {**card("pm_billed"), "billing_details": {"name": "Wanda Webhook", "email": "wanda@example.test"}}
    error = {"code": "card_declined", "message": "Declined.", "decline_code": "generic", "payment_method": billed}
    succeeded = event(
        "setup_intent.setup_failed",
        intent(pm, "requires_payment_method", billed, client_secret="seti_x_secret_y", last_setup_error=error),
    )
    detached = event("payment_method.detached", billed)
    assert webhook_post(client, org_a, succeeded).status_code == 200
    assert webhook_post(client, org_a, detached).status_code == 200
    stored = json.dumps(list(StripeEvent.objects.values_list("payload", flat=True)))
    assert "secret" not in stored and "billing_details" not in stored and "Wanda" not in stored
    kept = StripeEvent.objects.get(event_id=succeeded["id"]).payload
    assert kept == {
        "id": succeeded["id"],
        "type": "setup_intent.setup_failed",
        "livemode": False,
        "created": None,
        "data": {
            "object": {
                "id": pm.setup_intent_id,
                "object": "setup_intent",
                "status": "requires_payment_method",
                "payment_method": "pm_billed",
                "last_setup_error": {"code": "card_declined", "message": "Declined."},
            }
        },
    }


def test_an_integrity_error_from_what_the_event_set_off_is_a_500_not_a_replay(client, org_a, record):
    """Only the same event recorded by a concurrent delivery is a replay: any other integrity error
    rolls back and is answered 500, so Stripe sends the event again."""

    def broken_receiver(**kwargs):
        raise IntegrityError("a journey row conflicted")

    pm = pending_make(org_a, record)
    succeeded = event("setup_intent.succeeded", intent(pm, method=card()))
    payment_method_changed.connect(broken_receiver, dispatch_uid="test-broken")
    try:
        with pytest.raises(IntegrityError):
            webhook_post(client, org_a, succeeded)
    finally:
        payment_method_changed.disconnect(dispatch_uid="test-broken")
    pm.refresh_from_db()
    assert pm.state == PaymentMethodState.PENDING and not StripeEvent.objects.exists()
    assert webhook_post(client, org_a, succeeded).json()["outcome"] == "activated"  # Stripe's retry


def test_a_webhook_secret_this_installation_cannot_read_is_a_500_and_stripe_retries(client, org_a, record, settings):
    pm = pending_make(org_a, record)
    settings.SECRETS_KEYS = [Fernet.generate_key().decode()]  # not the key that sealed the secret
    response = webhook_post(client, org_a, event("setup_intent.succeeded", intent(pm, method=card())))
    assert response.status_code == 500
    assert not StripeEvent.objects.exists()
