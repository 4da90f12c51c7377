"""The outbox: every outgoing message, written in the transaction that caused it.

The worker claims a message with a conditional UPDATE (a lease), sends it with the
message's idempotency key, then marks it sent. A lease that expires (the worker died)
lets another attempt claim it; the repeat carries the same idempotency key.
"""

from __future__ import annotations

import re

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portico.audit.models import AuditAction
from portico.audit.transitions import StateMachine

SECRETS_KEY = "secrets"
# Files sent with an email: payload["attachments"] = [{"filename", "mimetype", "content"}] (text content,
# e.g. a booking's .ics; small by design: it lives in the message row), or "encoding": "base64" for a
# binary file (a signed agreement's PDF, tens of KB).
ATTACHMENTS_KEY = "attachments"


def secret_marker(name: str) -> str:
    return f"[[secret:{name}]]"


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    PUSH = "push", _("Push")
    WEBHOOK = "webhook", _("Webhook")


class OutboxState(models.TextChoices):
    PENDING = "pending", _("Waiting to send")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class DeliveryKind(models.TextChoices):
    """What a provider reported about a message after the worker handed it over."""

    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    BOUNCED = "bounced", _("Bounced")
    FAILED = "failed", _("Failed")


class DeliveryStatus(models.TextChoices):
    """A message's ``delivery_status``: the newest provider report that moved it forward."""

    NONE = "", _("No report yet")  # blank: the diagram's start state
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    BOUNCED = "bounced", _("Bounced")
    FAILED = "failed", _("Failed")


# Reports arrive in any order, so a message's delivery only moves forward: sent < delivered <
# bounced or failed, which stand (a late "sent" after "delivered" changes nothing). Each action is
# the DeliveryKind reported, named after the state it reaches. (An invitation's delivery follows the
# same order for its newest message, with its own queued and opened, and starts over on a resend.)
_DELIVERY_FORWARD = {
    DeliveryStatus.NONE: [DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.BOUNCED, DeliveryStatus.FAILED],
    DeliveryStatus.SENT: [DeliveryStatus.DELIVERED, DeliveryStatus.BOUNCED, DeliveryStatus.FAILED],
    DeliveryStatus.DELIVERED: [DeliveryStatus.BOUNCED, DeliveryStatus.FAILED],
}
MESSAGE_DELIVERY_TRANSITIONS: dict[str, dict[str, str]] = {
    source: {str(target): target for target in forward} for source, forward in _DELIVERY_FORWARD.items()
}


MESSAGE_DELIVERY_MACHINE = StateMachine(
    "Outbox message delivery",
    DeliveryStatus,
    MESSAGE_DELIVERY_TRANSITIONS,
    "What the provider reported about a message after the worker handed it over (webhooks: Twilio "
    "status callbacks, the ESP's tracking events), blank until the first report.",
    noun=_("message delivery"),
    field="delivery_status",
    history="Every report is a DeliveryEvent row (applied once per provider event id).",
    key="message_delivery",
    tones={
        DeliveryStatus.SENT: "ok",
        DeliveryStatus.DELIVERED: "ok",
        DeliveryStatus.BOUNCED: "bad",
        DeliveryStatus.FAILED: "bad",
    },
)


OUTBOX_TRANSITIONS: dict[str, dict[str, str]] = {
    OutboxState.PENDING: {"claim": OutboxState.SENDING},  # when due
    OutboxState.SENDING: {
        "mark_sent": OutboxState.SENT,
        "retry_later": OutboxState.PENDING,
        "give_up": OutboxState.FAILED,
        "claim": OutboxState.SENDING,  # when the lease ran out: the last worker died mid-send
    },
    OutboxState.FAILED: {"retry": OutboxState.PENDING},
}
OUTBOX_MACHINE = StateMachine(
    "Outbox message",
    OutboxState,
    OUTBOX_TRANSITIONS,
    "Delivery of one outgoing message. Failures wait with exponential backoff; after the last "
    "attempt the message is failed and staff can retry it from Sent messages.",
    noun=_("message"),
    verbs={"retry": _("retry"), "claim": _("send"), "mark_sent": _("mark as sent")},
    field="state",
    audit={"give_up": AuditAction.MESSAGE_FAILED, "retry": AuditAction.MESSAGE_RETRIED},
    history="Every attempt is an OutboxAttempt row; provider reports are DeliveryEvent rows.",
    key="outbox",
    tones={OutboxState.PENDING: "warn", OutboxState.SENDING: "warn", OutboxState.SENT: "ok", OutboxState.FAILED: "bad"},
)


class OutboxMessage(models.Model):
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    idempotency_key = models.CharField(max_length=200, unique=True)
    to = models.CharField(max_length=320)
    subject = models.CharField(max_length=300, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=16, choices=OutboxState.choices, default=OutboxState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=6)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Provider webhooks (delivery reports) find their message by this id.
    provider_message_id = models.CharField(max_length=200, blank=True, db_index=True)
    # The newest provider report that moved the message forward (MESSAGE_DELIVERY_MACHINE).
    delivery_status = models.CharField(max_length=16, choices=DeliveryStatus.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["org", "-created_at"], name="outbox_org_time"),
            # "What is due?" only ever looks at unfinished rows: keep that index small.
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due",
                condition=models.Q(state__in=["pending", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.to}: {self.subject}"

    def reveal(self, text: str) -> str:
        """``text`` with its secret placeholders filled in: for the transport only."""
        for name, value in self.payload.get(SECRETS_KEY, {}).items():
            text = text.replace(secret_marker(name), value)
        return text

    @property
    def display_body(self) -> str:
        """The body as staff may read it: one-time links stay hidden (also after sending)."""
        return re.sub(r"\[\[secret:\w+\]\]", str(_("[one-time link, hidden]")), self.body_text)


class OutboxAttempt(models.Model):
    class Outcome(models.TextChoices):
        SENT = "sent", _("Sent")
        ERROR = "error", _("Error")
        UNKNOWN = "unknown", _("Unknown (worker stopped)")

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="attempt_rows")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.UNKNOWN)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint("message", "number", name="outbox_attempt_unique_number")]

    def __str__(self) -> str:
        return f"attempt {self.number}: {self.outcome}"


class DeliveryEvent(models.Model):
    """One verified provider report about a message (a webhook event), applied once: the unique
    ``event_id`` turns the provider's retries and replays of the same event into no-ops."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="delivery_events")
    provider = models.CharField(max_length=32)
    event_id = models.CharField(max_length=255, unique=True)
    kind = models.CharField(max_length=16, choices=DeliveryKind.choices)
    at = models.DateTimeField(default=timezone.now)
    detail = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.provider} {self.kind}: {self.event_id}"


class MailboxEntry(models.Model):
    """Mail (and SMS) delivered through the development and test providers: ``MailboxBackend``
    for email, ``SMS_BACKEND=console`` for SMS.

    Like an idempotent provider it keeps one copy per Message-ID, so a repeat sent after a
    worker died between sending and marking is recognised and dropped.
    """

    message_id = models.CharField(max_length=255, unique=True)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.EMAIL)
    to = models.CharField(max_length=320)
    subject = models.CharField(max_length=300, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    duplicates_dropped = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = "mailbox entries"

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"
