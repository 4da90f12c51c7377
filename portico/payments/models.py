"""Payment methods through Stripe (seed 003 step 4: "adds a payment method (card or ACH)").

The client enters card or bank details in Stripe's Payment Element (Stripe.js, an iframe served by
Stripe): they never reach Portico. Portico creates a SetupIntent with the organization's keys and
keeps only what Stripe returns: the customer id, the payment method id, the brand or bank name,
the last four digits and the expiry. Stripe's webhooks (verified on the raw body, deduplicated by
event id) move a method from pending to active; an ACH account verified by microdeposits stays
pending until Stripe says so.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portico.audit.models import AuditAction
from portico.audit.transitions import StateMachine


class StripeAccount(models.Model):
    """The organization's Stripe connection, set in Settings. The secret key and the webhook
    signing secret are stored encrypted (``core.crypto``) and never shown again in full."""

    org = models.OneToOneField("orgs.Organization", on_delete=models.CASCADE, related_name="stripe_account")
    publishable_key = models.CharField(_("publishable key"), max_length=255)
    secret_key_sealed = models.TextField()
    secret_key_hint = models.CharField(max_length=40)
    webhook_secret_sealed = models.TextField()
    webhook_secret_hint = models.CharField(max_length=40)
    livemode = models.BooleanField(default=False)  # from the key: sk_live_… / sk_test_…
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    connected_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"stripe account of {self.org_id}"


class StripeCustomer(models.Model):
    """The Stripe customer made for a client (once: its create call carries an idempotency key)."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    client = models.OneToOneField("clients.Client", on_delete=models.CASCADE, related_name="stripe_customer")
    customer_id = models.CharField(max_length=255)
    livemode = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "customer_id"], name="stripe_customer_unique")]

    def __str__(self) -> str:
        return self.customer_id


class PaymentMethodKind(models.TextChoices):
    CARD = "card", _("Card")
    US_BANK_ACCOUNT = "us_bank_account", _("Bank account (ACH)")


class PaymentMethodState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("payment method state", "Pending")  # set up, not yet confirmed by Stripe
    ACTIVE = "active", pgettext_lazy("payment method state", "Active")
    FAILED = "failed", pgettext_lazy("payment method state", "Failed")
    REMOVED = "removed", pgettext_lazy("payment method state", "Removed")


PAYMENT_METHOD_TRANSITIONS: dict[str, dict[str, str]] = {
    PaymentMethodState.PENDING: {
        "confirm": PaymentMethodState.ACTIVE,
        "fail": PaymentMethodState.FAILED,
        "remove": PaymentMethodState.REMOVED,
    },
    PaymentMethodState.ACTIVE: {"remove": PaymentMethodState.REMOVED},
}
PAYMENT_METHOD_MACHINE = StateMachine(
    "Payment method",
    PaymentMethodState,
    PAYMENT_METHOD_TRANSITIONS,
    "A SetupIntent the client completes in Stripe's Payment Element makes a pending method; Stripe's "
    "setup_intent.succeeded webhook (or, for a card, the confirmed SetupIntent read back on return) "
    "makes it active, setup_intent.setup_failed makes it failed. An ACH account verified by "
    "microdeposits stays pending until Stripe's webhook says so. A new active method replaces the "
    "old one (removed); the client can remove theirs, and payment_method.detached removes it too.",
    noun=_("payment method"),
    verbs={"confirm": _("confirm"), "fail": _("fail"), "remove": _("remove")},
    audit=AuditAction.PAYMENT_METHOD_STATE_CHANGED,
    key="payment_method",
    field="state",
    tones={
        PaymentMethodState.PENDING: "warn",
        PaymentMethodState.ACTIVE: "ok",
        PaymentMethodState.FAILED: "bad",
        PaymentMethodState.REMOVED: "",
    },
)


class PaymentMethod(models.Model):
    """A client's card or bank account as Stripe describes it: never a card or account number."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="payment_methods")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="payment_methods")
    setup_intent_id = models.CharField(max_length=255)
    payment_method_id = models.CharField(max_length=255, blank=True)  # known once the client confirmed
    kind = models.CharField(max_length=16, choices=PaymentMethodKind.choices, blank=True)
    brand = models.CharField(max_length=64, blank=True)  # card brand ("visa") or bank name
    last4 = models.CharField(max_length=4, blank=True)
    exp_month = models.PositiveSmallIntegerField(null=True, blank=True)
    exp_year = models.PositiveSmallIntegerField(null=True, blank=True)
    state = models.CharField(max_length=8, choices=PaymentMethodState.choices, default=PaymentMethodState.PENDING)
    failure_message = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "setup_intent_id"], name="payment_method_setup_intent_unique"),
            # One active method per client: a new one replaces (removes) the old in the same transaction.
            models.UniqueConstraint(
                fields=["client"], name="payment_method_one_active", condition=models.Q(state="active")
            ),
        ]
        indexes = [
            models.Index(fields=["client", "state"], name="payment_method_client_state"),
            models.Index(fields=["org", "payment_method_id"], name="payment_method_pm_id"),
        ]

    def __str__(self) -> str:
        return f"{self.brand} •••• {self.last4}" if self.last4 else self.setup_intent_id


class StripeEvent(models.Model):
    """A webhook event, recorded once (its id is unique): a replay finds the row and changes nothing."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    livemode = models.BooleanField(default=False)
    received_at = models.DateTimeField(default=timezone.now)
    # What applying it did ("activated pm_…", "ignored: unknown setup intent", ...), for support.
    outcome = models.CharField(max_length=200, blank=True)
    payload = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "event_id"], name="stripe_event_once")]
        indexes = [models.Index(fields=["org", "-received_at"], name="stripe_event_org_received")]

    def __str__(self) -> str:
        return self.event_id
