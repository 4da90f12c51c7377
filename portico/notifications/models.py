"""Staff notifications: only a client's assigned navigators hear about it (seed 004), in the
app (the bell), by email, SMS or phone push, as each person chooses per event kind."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    REQUEST_OPENED = "request_opened", _("A client opened a request")
    CLIENT_REPLIED = "client_replied", _("A client replied to a request")
    INVITATION_ACCEPTED = "invitation_accepted", _("A client accepted the portal invitation")
    INVITATION_BOUNCED = "invitation_bounced", _("A portal invitation could not be delivered")
    PORTAL_ACCOUNT_CREATED = "portal_account_created", _("A client's portal account was created")
    INVITATION_NEW_LINK_REQUESTED = "invitation_new_link", _("A client asked for a new invitation link")
    LEAD_RECEIVED = "lead_received", _("A new lead came from the website")
    BOOKING_MADE = "booking_made", _("A visitor booked a time with you")
    BOOKING_CANCELLED = "booking_cancelled", _("A booking was cancelled or moved")
    ESTIMATE_APPROVED = "estimate_approved", _("A client approved an estimate")
    ESTIMATE_DECLINED = "estimate_declined", _("A client declined an estimate")
    ONBOARDING_COMPLETED = "onboarding_completed", _("A client completed onboarding")
    AGREEMENT_SIGNED = "agreement_signed", _("A client signed an agreement")
    PAYMENT_METHOD_ADDED = "payment_method_added", _("A client added a payment method")
    PAYMENT_METHOD_FAILED = "payment_method_failed", _("A client's payment method could not be set up")
    JOB_CREATED = "job_created", _("A job was created")
    JOB_ASSIGNED = "job_assigned", _("A job was assigned to you")
    CUSTOMER_SCREENING_CHANGED = "customer_screening", _("A customer's SAT 69-B situation changed")
    DOCUMENT_EXPIRING = "document_expiring", _("A customer's compliance document expires soon")
    TEST = "test", _("Test notification")


# The kinds a person chooses channels for (a test notification goes by the default channels).
PREFERENCE_KINDS = [kind for kind in EventKind if kind != EventKind.TEST]


class NotifyChannel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    PUSH = "push", _("Phone push")


# Without a saved choice: in the app and by email.
DEFAULT_CHANNELS = [NotifyChannel.IN_APP, NotifyChannel.EMAIL]


class Notification(models.Model):
    """One event for one staff member: the bell's row (unread until read)."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    title = models.CharField(max_length=200)
    body = models.CharField(max_length=500, blank=True)
    url = models.CharField(max_length=300, blank=True)
    # The event this is about, so the same event never notifies the same person twice.
    event_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint("recipient", "event_key", name="notification_once_per_event")]
        indexes = [
            models.Index(fields=["recipient", "org", "-created_at", "-id"], name="notification_bell"),
            models.Index(fields=["recipient", "org"], name="notification_unread", condition=models.Q(read_at=None)),
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """A staff member's channels for one event kind (in one organization)."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    channels = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint("org", "user", "kind", name="notification_preference_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}/{self.kind}: {self.channels}"


class PushSubscription(models.Model):
    """One device's Web Push subscription (a browser's endpoint and keys)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"push subscription {self.pk} of user {self.user_id}"
