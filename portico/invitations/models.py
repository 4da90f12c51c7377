"""Client portal invitations (seed 001 and the invitation parts of seeds 000, 003, 004).

An invitation is sent to one address (an email, or a mobile number for SMS) and may be resent
any number of times to that same address. Each send makes a new one-time link
(``InvitationLink``); only the newest link of a pending, unexpired invitation works. Older links
are still found, so whoever opens one gets a friendly page and can ask for a fresh link.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portico.audit.models import AuditAction
from portico.audit.transitions import StateMachine


class InvitationChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


INVITATION_TRANSITIONS: dict[str, dict[str, str]] = {
    InvitationStatus.PENDING: {
        "resend": InvitationStatus.PENDING,
        "accept": InvitationStatus.ACCEPTED,
        "revoke": InvitationStatus.REVOKED,
        "expire": InvitationStatus.EXPIRED,
    },
    # An expired invitation can be sent again (staff resend, or the client's "Send me a new link").
    InvitationStatus.EXPIRED: {"resend": InvitationStatus.PENDING, "revoke": InvitationStatus.REVOKED},
}
INVITATION_MACHINE = StateMachine(
    "Client invitation",
    InvitationStatus,
    INVITATION_TRANSITIONS,
    "A client portal invitation. Resending goes to the original address and makes a new link; only "
    "the newest link works. A pending invitation past its lifetime (7 days by default, set per "
    "organization) is expired; the sweep records it, and every read treats it as expired already.",
    noun=_("invitation"),
    verbs={"resend": _("resend"), "accept": _("accept"), "revoke": _("revoke"), "expire": _("expire")},
    # On the client's timeline (the target is the client record; the invitation is in the detail).
    audit={
        "resend": AuditAction.INVITATION_RESENT,
        "accept": AuditAction.INVITATION_ACCEPTED,
        "revoke": AuditAction.INVITATION_REVOKED,
        "expire": AuditAction.INVITATION_EXPIRED,
    },
    key="invitation",
    tones={InvitationStatus.PENDING: "warn", InvitationStatus.ACCEPTED: "ok", InvitationStatus.REVOKED: "bad"},
)


class Delivery(models.TextChoices):
    """Where the newest message of an invitation is, as far as Portico knows."""

    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    BOUNCED = "bounced", _("Bounced")
    FAILED = "failed", _("Failed")
    OPENED = "opened", _("Opened")


# Provider reports arrive in any order: the delivery only moves forward (a late "sent" after
# "delivered" changes nothing) and a bounce or failure stands until the next send queues a new
# message. Each action is named after the state it reaches.
_FORWARD = {
    Delivery.QUEUED: [Delivery.SENT, Delivery.DELIVERED, Delivery.OPENED],
    Delivery.SENT: [Delivery.DELIVERED, Delivery.OPENED],
    Delivery.DELIVERED: [Delivery.OPENED],
    Delivery.OPENED: [],
}
DELIVERY_TRANSITIONS: dict[str, dict[str, str]] = {
    **{
        source: {
            **{str(target): target for target in forward},
            "bounced": Delivery.BOUNCED,
            "failed": Delivery.FAILED,
            "queue": Delivery.QUEUED,
        }
        for source, forward in _FORWARD.items()
    },
    Delivery.BOUNCED: {"queue": Delivery.QUEUED},
    Delivery.FAILED: {"queue": Delivery.QUEUED},
}
DELIVERY_MACHINE = StateMachine(
    "Client invitation delivery",
    Delivery,
    DELIVERY_TRANSITIONS,
    "Where the newest message of an invitation is, from the outbox and the provider's reports "
    '(webhooks), and the welcome page\'s own "opened". A resend queues a new message.',
    noun=_("invitation delivery"),
    field="delivery",
    audit={"bounced": AuditAction.INVITATION_BOUNCED, "failed": AuditAction.INVITATION_BOUNCED},
    history="Every step is also an InvitationEvent row: the delivery trail on the client's record.",
    key="delivery",
    tones={
        Delivery.QUEUED: "warn",
        Delivery.SENT: "ok",
        Delivery.DELIVERED: "ok",
        Delivery.OPENED: "ok",
        Delivery.BOUNCED: "bad",
        Delivery.FAILED: "bad",
    },
)


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def live(self) -> InvitationQuerySet:
        """Pending and not yet past the expiry: the ones whose newest link works."""
        return self.filter(status=InvitationStatus.PENDING, expires_at__gt=timezone.now())

    def in_state(self, state: str) -> InvitationQuerySet:
        """Filter by the state people see: a pending invitation past its expiry is expired."""
        now = timezone.now()
        if state == InvitationStatus.PENDING:
            return self.filter(status=InvitationStatus.PENDING, expires_at__gt=now)
        if state == InvitationStatus.EXPIRED:
            return self.filter(
                models.Q(status=InvitationStatus.EXPIRED)
                | models.Q(status=InvitationStatus.PENDING, expires_at__lte=now)
            )
        return self.filter(status=state)


class Invitation(models.Model):
    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="client_invitations")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="invitations")
    channel = models.CharField(max_length=8, choices=InvitationChannel.choices)
    # The address of the original invitation: every resend goes here (seed 004).
    address = models.CharField(_("sent to"), max_length=320)
    status = models.CharField(max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.PENDING)
    sent_count = models.PositiveIntegerField(default=1)
    expires_at = models.DateTimeField()
    delivery = models.CharField(max_length=16, choices=Delivery.choices, default=Delivery.QUEUED)
    delivery_at = models.DateTimeField(default=timezone.now)
    # The newest message sent for it: provider webhooks about that message update ``delivery``.
    last_message = models.ForeignKey(
        "outbox.OutboxMessage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.CharField(max_length=32, blank=True)  # why revoked: staff, email_changed, ...
    bulk_job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )  # the bulk invitation (a job) that made it
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)  # the newest send

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "client", condition=models.Q(status="pending"), name="one_pending_invitation_per_client"
            )
        ]
        indexes = [
            models.Index(fields=["org", "-sent_at", "-id"], name="invitation_org_sent"),
            models.Index(fields=["org", "status", "-sent_at"], name="invitation_org_status"),
            # Pending invitations still valid, and those that expired this week (the start page).
            models.Index(fields=["org", "status", "expires_at"], name="invitation_org_expiry"),
            models.Index(fields=["org", "delivery", "-delivery_at"], name="invitation_org_delivery"),
            models.Index(fields=["client", "-sent_at"], name="invitation_client"),
            models.Index(fields=["last_message"], name="invitation_last_message"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.address}"

    @property
    def is_expired(self) -> bool:
        return self.status == InvitationStatus.EXPIRED or (
            self.status == InvitationStatus.PENDING and self.expires_at <= timezone.now()
        )

    @property
    def display_status(self) -> str:
        return str(InvitationStatus.EXPIRED.label) if self.is_expired else self.get_status_display()

    @property
    def display_state(self) -> str:
        return InvitationStatus.EXPIRED if self.is_expired else self.status


class InvitationLink(models.Model):
    """One sent link. Only the SHA-256 of its 256-bit token is stored."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="links")
    number = models.PositiveIntegerField()  # equals invitation.sent_count while it is the newest
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint("invitation", "number", name="invitation_link_number")]

    def __str__(self) -> str:
        return f"link {self.number} of invitation {self.invitation_id}"


class InvitationEvent(models.Model):
    """The delivery trail shown on the record: queued, sent, delivered, bounced, opened, ..."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Delivery.choices)
    at = models.DateTimeField(default=timezone.now)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["invitation", "at"], name="invitation_event_time")]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"


class BulkInvitationRow(models.Model):
    """One client's outcome in a bulk invitation (a job of kind ``invitations.bulk_send``)."""

    class Outcome(models.TextChoices):
        SENT = "sent", _("Sent")
        HAS_ACCESS = "has_access", _("Skipped: already has portal access")
        ALREADY_INVITED = "already_invited", _("Skipped: invitation already pending")
        NO_ADDRESS = "no_address", _("Skipped: no address for this channel")
        NOT_INVITABLE = "not_invitable", _("Skipped: archived or closed")

    job = models.ForeignKey("jobs.Job", on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)

    class Meta:
        constraints = [models.UniqueConstraint("job", "client", name="bulk_invitation_row_unique")]
        indexes = [models.Index(fields=["job", "outcome", "client"], name="bulk_invitation_row_outcome")]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.outcome}"
