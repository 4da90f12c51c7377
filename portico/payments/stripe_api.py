"""The organization's Stripe, through the official client: one ``StripeClient`` per call site
with the organization's secret key (read from its sealed column), pointed at
``settings.STRIPE_API_BASE`` when set (tests: the local fake Stripe), and the checks of the keys
an organization types in Settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import stripe
from django.conf import settings
from django.utils.translation import gettext as _

from portico.core.crypto import secret_open
from portico.core.errors import PorticoError
from portico.payments.models import StripeAccount

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
