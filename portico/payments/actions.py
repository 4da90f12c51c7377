"""Every change to payments: the organization connects or disconnects its Stripe account; the client
starts a payment method (a Stripe customer once, a SetupIntent per attempt, a pending row); what
Stripe says of the SetupIntent is applied (on the return page or by webhook: active, failed, or
still pending while a bank account waits for microdeposits); the client removes their method;
and a verified webhook event is recorded once and applied. Every state move goes through
PAYMENT_METHOD_MACHINE and sends ``payment_method_changed`` inside its transaction; every create
call to Stripe carries an idempotency key."""

from __future__ import annotations

from typing import Any

import stripe
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from portico.audit.actions import audit_record
from portico.audit.decorators import action
from portico.audit.models import AuditAction
from portico.clients.models import Client
from portico.core.actors import Actor
from portico.core.crypto import SecretUnreadable, secret_hint, secret_open, secret_seal
from portico.core.errors import PorticoError
from portico.notifications.actions import Event, notify_navigators
from portico.notifications.models import EventKind
from portico.orgs.models import Organization
from portico.payments.models import (
    PAYMENT_METHOD_MACHINE,
    PaymentMethod,
    PaymentMethodKind,
    PaymentMethodState,
    StripeAccount,
    StripeCustomer,
    StripeEvent,
)
from portico.payments.signals import payment_method_changed
from portico.payments.stripe_api import SetupStarted, StripeKeys, account_client, as_dict

# The webhook events Portico applies (Settings lists them for the organization to select in Stripe).
WEBHOOK_EVENTS = ("setup_intent.succeeded", "setup_intent.setup_failed", "payment_method.detached")


# --- the organization's Stripe account ---


@action
def stripe_connect(*, org: Organization, actor: Actor, keys: StripeKeys) -> StripeAccount:
    """Save the organization's keys, already accepted by Stripe (``stripe_api.keys_for_connect``
    asks it outside any transaction). Another secret key (another account, or test ↔ live) makes
    the stored Stripe customers meaningless there: they are forgotten and made again on demand."""
    account = StripeAccount.objects.select_for_update().filter(org=org).first()
    if account is not None and _stored_secret(account) != keys.secret_key:
        StripeCustomer.objects.filter(org=org).delete()
    now = timezone.now()
    values = {
        "publishable_key": keys.publishable_key,
        "secret_key_sealed": secret_seal(keys.secret_key),
        "secret_key_hint": secret_hint(keys.secret_key),
        "webhook_secret_sealed": secret_seal(keys.webhook_secret),
        "webhook_secret_hint": secret_hint(keys.webhook_secret),
        "livemode": keys.livemode,
        "updated_at": now,
    }
    if account is None:
        account = StripeAccount.objects.create(org=org, connected_by=actor.user, connected_at=now, **values)
    else:
        for name, value in values.items():
            setattr(account, name, value)
        account.save(update_fields=list(values))
    audit_record(
        org=org,
        actor=actor,
        action=AuditAction.STRIPE_CONNECTED,
        target=org,
        detail={"secret_key": account.secret_key_hint, "livemode": account.livemode},
    )
    return account


@action
def stripe_disconnect(*, org: Organization, actor: Actor) -> None:
    """Forget the keys and the Stripe customers made with them (they belong to that Stripe account);
    the payment methods stay as they are, for the record."""
    account = StripeAccount.objects.select_for_update().filter(org=org).first()
    if account is None:
        raise PorticoError(_("Stripe is not connected."), code="not_connected")
    hint = account.secret_key_hint
    StripeCustomer.objects.filter(org=org).delete()
    account.delete()
    audit_record(org=org, actor=actor, action=AuditAction.STRIPE_DISCONNECTED, target=org, detail={"secret_key": hint})


def _stored_secret(account: StripeAccount) -> str:
    try:
        return secret_open(account.secret_key_sealed)
    except SecretUnreadable:
        return ""  # unreadable counts as another key: the customers it made are forgotten


# --- the client's payment method ---


def _changed(pm: PaymentMethod, actor: Actor) -> None:
    payment_method_changed.send(sender=PaymentMethod, payment_method=pm, actor=actor)


@action
def payment_method_start(*, client: Client, actor: Actor, started: SetupStarted) -> PaymentMethod:
    """The pending row of a SetupIntent Stripe already made (``stripe_api.setup_intent_create``,
    outside any transaction) and the client's Stripe customer. The same SetupIntent recorded twice
    (a reload of the same attempt) is one row."""
    account = StripeAccount.objects.filter(org_id=client.org_id).first()
    if account is None or account.updated_at != started.account_updated_at:
        # The keys changed while Stripe was asked: that customer may belong to another account.
        raise PorticoError(_("The organization changed its Stripe settings: try again."), code="conflict")
    StripeCustomer.objects.filter(client=client).exclude(customer_id=started.customer_id).delete()
    StripeCustomer.objects.bulk_create(
        [
            StripeCustomer(
                org_id=client.org_id, client=client, customer_id=started.customer_id, livemode=account.livemode
            )
        ],
        ignore_conflicts=True,
    )
    pm, created = PaymentMethod.objects.get_or_create(
        org_id=client.org_id,
        setup_intent_id=started.setup_intent_id,
        defaults={"client": client, "created_by": actor.user},
    )
    if created:
        audit_record(
            org=client.org_id,
            actor=actor,
            action=AuditAction.PAYMENT_METHOD_STARTED,
            target=client,
            to_state=pm.state,
            detail={"payment_method": pm.pk, "setup_intent": started.setup_intent_id},
        )
        _changed(pm, actor)
    return pm


def _method_details(obj: dict[str, Any] | None) -> dict[str, Any]:
    """What Portico keeps of a Stripe PaymentMethod object: kind, brand or bank, last 4, expiry."""
    if not obj:
        return {}
    kind = obj.get("type", "")
    if kind == PaymentMethodKind.CARD:
        card = obj.get("card") or {}
        return {
            "payment_method_id": obj.get("id", ""),
            "kind": kind,
            "brand": str(card.get("brand") or "")[:64],
            "last4": str(card.get("last4") or "")[:4],
            "exp_month": card.get("exp_month"),
            "exp_year": card.get("exp_year"),
        }
    if kind == PaymentMethodKind.US_BANK_ACCOUNT:
        bank = obj.get("us_bank_account") or {}
        return {
            "payment_method_id": obj.get("id", ""),
            "kind": kind,
            "brand": str(bank.get("bank_name") or "")[:64],
            "last4": str(bank.get("last4") or "")[:4],
        }
    return {"payment_method_id": obj.get("id", "")}


def _locked(pm: PaymentMethod) -> PaymentMethod:
    """The row again, locked until the transaction ends: the return page and the webhook may apply
    the same SetupIntent at the same moment; the second sees the first's result."""
    return PaymentMethod.objects.select_for_update(of=("self",)).select_related("org", "client").get(pk=pm.pk)


def _staff_url(pm: PaymentMethod) -> str:
    return reverse("client_detail", args=[pm.org.slug, pm.client_id])


def _confirm(pm: PaymentMethod, details: dict[str, Any], actor: Actor, method_id: Any = None, **detail: Any) -> None:
    """Pending → active with Stripe's description; the client's previous active method is removed in
    the same transaction (the database allows one active per client)."""
    # One confirmation per client at a time (the return page and a webhook, or two methods at once).
    # NO KEY UPDATE: it must not block rows that merely point at the client (a notification, an
    # agreement's signature holding the journey lock would otherwise deadlock with this webhook).
    Client.objects.select_for_update(no_key=True).filter(pk=pm.client_id).values_list("pk", flat=True).first()
    for old in PaymentMethod.objects.filter(client_id=pm.client_id, state=PaymentMethodState.ACTIVE).exclude(pk=pm.pk):
        PAYMENT_METHOD_MACHINE.apply(
            old,
            "remove",
            actor=actor,
            updates={"removed_at": timezone.now()},
            audit_target=pm.client,
            target_label=str(old),
            detail={"payment_method": old.pk, "replaced_by": pm.pk, **detail},
        )
        _changed(old, actor)
    updates = {**details, "confirmed_at": timezone.now(), "failure_message": ""}
    if not updates.get("payment_method_id") and isinstance(method_id, str) and method_id:
        updates["payment_method_id"] = method_id  # an event names the method by id only: described later
    PAYMENT_METHOD_MACHINE.apply(
        pm,
        "confirm",
        actor=actor,
        updates=updates,
        audit_target=pm.client,
        detail={"payment_method": pm.pk, "kind": details.get("kind", pm.kind), **detail},
    )
    for name, value in updates.items():
        setattr(pm, name, value)
    _changed(pm, actor)
    # The navigators' notice (and, when a webhook confirmed it before the return page described
    # it, the card's description) waits for the worker: the webhook answers without calling Stripe.
    # The task row is written in this transaction, so the notice cannot be lost.
    payment_method_added.enqueue(pm.pk)


@task()
def payment_method_added(payment_method_id: int) -> str:
    return payment_method_added_notify(payment_method_id=payment_method_id)


@action(
    audited=False,
    why="the confirmation was audited (PAYMENT_METHOD_STATE_CHANGED); this adds Stripe's description "
    "(brand, last 4, expiry: no state moves) and the navigators' notification rows",
)
def payment_method_added_notify(*, payment_method_id: int) -> str:
    """Run by the worker after a method became active: describe it from Stripe if its row does not
    know its card or bank yet, then tell the client's navigators. Returns what it did."""
    pm = PaymentMethod.objects.select_related("org", "client").filter(pk=payment_method_id).first()
    if pm is None or pm.state != PaymentMethodState.ACTIVE:
        return "skipped: not active"
    done = "notified"
    if not pm.last4 and pm.payment_method_id:
        account = StripeAccount.objects.filter(org_id=pm.org_id).first()
        try:
            method = account_client(account).v1.payment_methods.retrieve(pm.payment_method_id) if account else None
        except stripe.StripeError:
            method = None  # notified without the description; the page shows the kind only
        details = _method_details(as_dict(method)) if method is not None else {}
        if details:
            PaymentMethod.objects.filter(pk=pm.pk).update(**details)
            for name, value in details.items():
                setattr(pm, name, value)
            done = "described and notified"
    notify_navigators(
        client=pm.client,
        event=Event(
            kind=EventKind.PAYMENT_METHOD_ADDED,
            key=f"payment-method-added:{pm.pk}",
            title=_("%(client)s added a payment method") % {"client": pm.client.name},
            body=str(pm),
            url=_staff_url(pm),
        ),
    )
    return done


def _fail(pm: PaymentMethod, message: str, actor: Actor, **detail: Any) -> None:
    PAYMENT_METHOD_MACHINE.apply(
        pm,
        "fail",
        actor=actor,
        updates={"failure_message": message[:500]},
        audit_target=pm.client,
        detail={"payment_method": pm.pk, "message": message[:200], **detail},
    )
    pm.failure_message = message[:500]
    _changed(pm, actor)
    notify_navigators(
        client=pm.client,
        event=Event(
            kind=EventKind.PAYMENT_METHOD_FAILED,
            key=f"payment-method-failed:{pm.pk}",
            title=_("%(client)s's payment method could not be set up") % {"client": pm.client.name},
            body=message[:200],
            url=_staff_url(pm),
        ),
    )


def _remove(pm: PaymentMethod, actor: Actor, **detail: Any) -> None:
    PAYMENT_METHOD_MACHINE.apply(
        pm,
        "remove",
        actor=actor,
        updates={"removed_at": timezone.now()},
        audit_target=pm.client,
        target_label=str(pm),
        detail={"payment_method": pm.pk, **detail},
    )
    _changed(pm, actor)


def _awaiting(pm: PaymentMethod, details: dict[str, Any], actor: Actor, **detail: Any) -> None:
    """A bank account entered and waiting for microdeposits: still pending, but now described."""
    if pm.payment_method_id == details.get("payment_method_id") and pm.last4:
        return
    PaymentMethod.objects.filter(pk=pm.pk).update(**details)
    for name, value in details.items():
        setattr(pm, name, value)
    audit_record(
        org=pm.org_id,
        actor=actor,
        action=AuditAction.PAYMENT_METHOD_SUBMITTED,
        target=pm.client,
        to_state=pm.state,
        detail={"payment_method": pm.pk, "kind": pm.kind, **detail},
    )
    _changed(pm, actor)


def _failure_text(intent: dict[str, Any]) -> str:
    error = intent.get("last_setup_error") or {}
    return str(error.get("message") or _("The payment method could not be set up."))


def _apply_intent(
    pm: PaymentMethod, intent: dict[str, Any], details: dict[str, Any], actor: Actor, **detail: Any
) -> str:
    """Apply what Stripe says of the SetupIntent to the locked row. Returns the outcome, in words
    for support ("activated", "awaiting verification", "failed", "unchanged: …")."""
    status = intent.get("status", "")
    if pm.state != PaymentMethodState.PENDING:
        return f"unchanged: already {pm.state}"
    if status == "succeeded":
        _confirm(pm, details, actor, intent.get("payment_method"), **detail)
        return "activated"
    next_action = intent.get("next_action") or {}
    if status == "processing" or (
        status == "requires_action" and next_action.get("type") == "verify_with_microdeposits"
    ):
        if details:
            _awaiting(pm, details, actor, **detail)
        return "awaiting verification"
    if status == "canceled" or (status == "requires_payment_method" and intent.get("last_setup_error")):
        _fail(pm, _failure_text(intent), actor, **detail)
        return "failed"
    return f"unchanged: {status or 'no status'}"


@action
def payment_method_setup_apply(
    *, payment_method: PaymentMethod, setup_intent: dict[str, Any], actor: Actor
) -> tuple[PaymentMethod, str]:
    """What the return page read back from Stripe (the SetupIntent, its payment_method expanded)."""
    pm = _locked(payment_method)
    if setup_intent.get("id") != pm.setup_intent_id:
        raise PorticoError(_("That is not this payment method's set-up."), code="invalid")
    method = setup_intent.get("payment_method")
    outcome = _apply_intent(pm, setup_intent, _method_details(method if isinstance(method, dict) else None), actor)
    return pm, outcome


@action
def payment_method_remove(*, payment_method: PaymentMethod, actor: Actor) -> PaymentMethod:
    """The client removes their method, after ``stripe_api.payment_method_detach`` detached it at
    Stripe (it can no longer be charged). The state is checked again under the row's lock."""
    pm = _locked(payment_method)
    PAYMENT_METHOD_MACHINE.target(pm.state, "remove")  # a failed or removed one cannot be removed
    _remove(pm, actor)
    return pm


# --- webhooks ---


def _event_target(org_id: int, event: dict[str, Any]) -> PaymentMethod | None:
    obj = (event.get("data") or {}).get("object") or {}
    rows = PaymentMethod.objects.select_for_update(of=("self",)).select_related("org", "client")
    if event.get("type", "").startswith("setup_intent."):
        return rows.filter(org_id=org_id, setup_intent_id=obj.get("id", "")).first()
    if event.get("type") == "payment_method.detached":
        live = (PaymentMethodState.PENDING, PaymentMethodState.ACTIVE)
        return rows.filter(org_id=org_id, payment_method_id=obj.get("id", ""), state__in=live).first()
    return None


def _event_kept(event: dict[str, Any]) -> dict[str, Any]:
    """What the StripeEvent row keeps of an event: enough for support, nothing more. A SetupIntent
    carries its client_secret and a PaymentMethod its billing_details (personal data): neither is
    stored."""
    obj = (event.get("data") or {}).get("object") or {}
    method = obj.get("payment_method")
    error = obj.get("last_setup_error") or {}
    kept_obj = {
        "id": obj.get("id"),
        "object": obj.get("object"),
        "status": obj.get("status"),
        "payment_method": method.get("id") if isinstance(method, dict) else method,
        "last_setup_error": {"code": error.get("code"), "message": error.get("message")} if error else None,
    }
    return {
        "id": event.get("id"),
        "type": event.get("type"),
        "livemode": event.get("livemode"),
        "created": event.get("created"),
        "data": {"object": {k: v for k, v in kept_obj.items() if v is not None}},
    }


@action(
    audited=False,
    why="the StripeEvent row records every event received and its outcome; a state it moves is audited "
    "(PAYMENT_METHOD_STATE_CHANGED, naming the event)",
)
def stripe_event_apply(*, org_id: int, event: dict[str, Any], actor: Actor) -> StripeEvent | None:
    """A verified webhook event, once: applied, then recorded with its outcome (unique per
    organization and event id). A replay returns None and changes nothing; the same event delivered
    twice at the same moment waits on the payment method's lock, then its INSERT fails
    (IntegrityError: the whole action rolls back). Stripe is not called here: an event carries its
    object (a SetupIntent names its method by id; ``payment_method_added`` describes it later)."""
    event_id = str(event.get("id", ""))[:255]
    if StripeEvent.objects.filter(org_id=org_id, event_id=event_id).exists():
        return None
    kind = str(event.get("type", ""))[:100]
    if kind not in WEBHOOK_EVENTS:
        outcome = "ignored: not an event Portico applies"
    else:
        pm = _event_target(org_id, event)
        obj = event["data"]["object"]
        if pm is None:
            outcome = "ignored: unknown setup intent" if kind.startswith("setup_intent.") else "ignored: unknown method"
        elif kind == "payment_method.detached":
            if pm.state in (PaymentMethodState.PENDING, PaymentMethodState.ACTIVE):
                _remove(pm, actor, stripe_event=event_id)
                outcome = "removed"
            else:
                outcome = f"unchanged: already {pm.state}"
        elif kind == "setup_intent.setup_failed":
            outcome = f"unchanged: already {pm.state}"
            if pm.state == PaymentMethodState.PENDING:
                _fail(pm, _failure_text(obj), actor, stripe_event=event_id)
                outcome = "failed"
        else:  # setup_intent.succeeded (for a bank account: its microdeposits were verified)
            embedded = obj.get("payment_method")
            details = _method_details(embedded if isinstance(embedded, dict) else None)
            outcome = _apply_intent(pm, obj, details, actor, stripe_event=event_id)
    return StripeEvent.objects.create(
        org_id=org_id,
        event_id=event_id,
        type=kind,
        livemode=bool(event.get("livemode")),
        outcome=outcome[:200],
        payload=_event_kept(event),
    )
