"""The organization's Stripe, through the official client: one ``StripeClient`` per call site
with the organization's secret key (read from its sealed column), pointed at
``settings.STRIPE_API_BASE`` when set (tests: the local fake Stripe), the checks of the keys
an organization types in Settings, and the calls the views make BEFORE their action: Stripe is
never called inside a transaction holding row locks (a slow Stripe would hold them for seconds).
Every create call carries an idempotency key, so a retry gets the same object."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import stripe
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portico.clients.models import Client
from portico.core.crypto import SecretUnreadable, secret_open
from portico.core.errors import PorticoError
from portico.orgs.models import Organization
from portico.payments.models import StripeAccount, StripeCustomer

# Retries reuse the call's idempotency key, so a retried create never makes a second object.
NETWORK_RETRIES = 2


class StripeUnavailable(PorticoError):
    """Stripe refused the call or could not be reached: nothing was changed in Portico."""

    status_code = 502


def stripe_client(secret_key: str) -> stripe.StripeClient:
    base = settings.STRIPE_API_BASE or stripe.DEFAULT_API_BASE
    return stripe.StripeClient(secret_key, base_addresses={"api": base}, max_network_retries=NETWORK_RETRIES)


def account_client(account: StripeAccount) -> stripe.StripeClient:
    return stripe_client(secret_open(account.secret_key_sealed))


def stripe_message(exc: stripe.StripeError) -> str:
    """What Stripe said, for the person who asked (never a key: Stripe's messages carry none in full)."""
    return str(exc.user_message or getattr(exc, "_message", "") or exc.__class__.__name__)


@dataclass(frozen=True)
class StripeKeys:
    publishable_key: str
    secret_key: str
    webhook_secret: str

    @property
    def livemode(self) -> bool:
        return self.secret_key.startswith(("sk_live_", "rk_live_"))


def _mode(key: str) -> str:
    parts = key.split("_")
    return parts[1] if len(parts) > 2 and parts[1] in ("test", "live") else ""


def keys_check(keys: StripeKeys) -> None:
    """The three values look like Stripe's (pk_…, sk_… or a restricted rk_…, whsec_…) and the two
    API keys are of the same mode (test or live); otherwise a refusal naming the field."""
    problems = [
        ("publishable_key", not keys.publishable_key.startswith("pk_") or not _mode(keys.publishable_key),
         _("A publishable key starts with pk_test_ or pk_live_.")),
        ("secret_key", not keys.secret_key.startswith(("sk_", "rk_")) or not _mode(keys.secret_key),
         _("A secret key starts with sk_test_, sk_live_ (or a restricted key with rk_).")),
        ("webhook_secret", not keys.webhook_secret.startswith("whsec_") or len(keys.webhook_secret) < 10,
         _("A webhook signing secret starts with whsec_.")),
    ]  # fmt: skip
    for field, wrong, message in problems:
        if wrong:
            raise PorticoError(message, code="invalid", extra={"field": field})
    if _mode(keys.publishable_key) != _mode(keys.secret_key):
        raise PorticoError(
            _("The publishable key and the secret key must both be test keys or both live keys."),
            code="invalid",
            extra={"field": "publishable_key"},
        )


def keys_verify(keys: StripeKeys) -> None:
    """One cheap call with the secret key (the balance): Stripe accepts the key or says why not."""
    try:
        stripe_client(keys.secret_key).v1.balance.retrieve()
    except stripe.AuthenticationError as exc:
        raise StripeUnavailable(
            _("Stripe refused the secret key: %(why)s") % {"why": stripe_message(exc)},
            code="stripe_refused",
            extra={"field": "secret_key"},
        ) from None
    except stripe.StripeError as exc:
        raise StripeUnavailable(
            _("Stripe could not be reached to check the keys: %(why)s") % {"why": stripe_message(exc)},
            code="stripe_unavailable",
        ) from None


def as_dict(obj: Any) -> dict[str, Any]:
    """A Stripe object as plain data (what the actions read)."""
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj or {})


UNREADABLE = gettext_lazy("The stored keys cannot be read with this installation's keys: enter them again.")


def keys_for_connect(
    *, org: Organization, publishable_key: str, secret_key: str = "", webhook_secret: str = ""
) -> StripeKeys:
    """The keys typed in Settings, checked in form and with Stripe (no transaction is open). On an
    edit, a secret left blank keeps the stored one (it is never shown again, so it cannot be typed
    back) — unless the stored one cannot be read, which the form then says."""
    account = StripeAccount.objects.filter(org=org).first()

    def kept(typed: str, sealed: str, field: str) -> str:
        if typed.strip() or account is None:
            return typed.strip()
        try:
            return secret_open(sealed)
        except SecretUnreadable:
            raise PorticoError(str(UNREADABLE), code="unreadable", extra={"field": field}) from None

    keys = StripeKeys(
        publishable_key=publishable_key.strip(),
        secret_key=kept(secret_key, account.secret_key_sealed if account else "", "secret_key"),
        webhook_secret=kept(webhook_secret, account.webhook_secret_sealed if account else "", "webhook_secret"),
    )
    keys_check(keys)
    keys_verify(keys)
    return keys


def connected_account(org_id: int) -> StripeAccount:
    account = StripeAccount.objects.filter(org_id=org_id).first()
    if account is None:
        raise PorticoError(
            _("Payment methods cannot be added yet: the organization has not connected Stripe."), code="not_connected"
        )
    return account


def _call(call: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return call(*args, **kwargs)
    except stripe.StripeError as exc:
        raise StripeUnavailable(
            _("Stripe could not do this just now: %(why)s") % {"why": stripe_message(exc)}, code="stripe_error"
        ) from None


@dataclass(frozen=True)
class SetupStarted:
    """What Stripe made for one attempt, for ``actions.payment_method_start`` to record."""

    customer_id: str
    setup_intent_id: str
    client_secret: str  # for Stripe.js in the client's browser; never stored
    account_updated_at: dt.datetime  # the keys it was made with (the action refuses if they changed since)


def setup_intent_create(*, client: Client, attempt: str) -> SetupStarted:
    """The client's Stripe customer (made once: its idempotency key is the client's, so a retry or a
    double tap gets the same one) and a SetupIntent (card or US bank account, kept for off-session
    charges). ``attempt`` names the tap that asked (a token on the page): the same attempt sent twice
    makes one SetupIntent."""
    if not attempt or len(attempt) > 64:
        raise PorticoError(_("Reload the page and try again."), code="invalid")
    account = connected_account(client.org_id)
    api = account_client(account)
    # A customer made in the other mode (test ↔ live) does not exist here.
    customer_id = (
        StripeCustomer.objects.filter(client=client, livemode=account.livemode)
        .values_list("customer_id", flat=True)
        .first()
    )
    if customer_id is None:
        customer = _call(
            api.v1.customers.create,
            params={
                "name": client.name[:250],
                **({"email": client.email} if client.email else {}),
                "metadata": {"org": client.org.slug, "client": str(client.pk)},
            },
            options={"idempotency_key": f"portico-customer-{client.org_id}-{client.pk}"},
        )
        customer_id = str(customer.id)
    intent = _call(
        api.v1.setup_intents.create,
        params={
            "customer": customer_id,
            "payment_method_types": ["card", "us_bank_account"],
            "usage": "off_session",
            "metadata": {"org": client.org.slug, "client": str(client.pk)},
        },
        options={"idempotency_key": f"portico-setup-{client.org_id}-{client.pk}-{attempt}"},
    )
    return SetupStarted(
        customer_id=customer_id,
        setup_intent_id=str(intent.id),
        client_secret=str(intent.client_secret),
        account_updated_at=account.updated_at,
    )


def payment_method_detach(*, org_id: int, payment_method_id: str) -> None:
    """Detach the method at Stripe (it can no longer be charged), before the removal is recorded."""
    if not payment_method_id:
        return  # never confirmed: nothing at Stripe to detach
    try:
        account_client(connected_account(org_id)).v1.payment_methods.detach(payment_method_id)
    except stripe.InvalidRequestError:
        pass  # already detached at Stripe (its payment_method.detached webhook may be on its way)
    except stripe.StripeError as exc:
        raise StripeUnavailable(
            _("Stripe could not remove it just now: %(why)s") % {"why": stripe_message(exc)}, code="stripe_error"
        ) from None
