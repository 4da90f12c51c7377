"""Client requests (seed 001 steps 7–9): a thread the client opens from the portal with "Make a
request", for information or a service; staff answer it, from a phone if need be."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portico.audit.models import AuditAction
from portico.audit.transitions import StateMachine


class RequestKind(models.Model):
    """What a client may ask for, configured per organization ("Information", "Service", ...)."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="request_kinds")
    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(_("offered to clients"), default=True)

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint("org", Lower("name"), name="request_kind_name_unique_per_org")]

    def __str__(self) -> str:
        return self.name


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WAITING_FOR_CLIENT = "waiting", _("Waiting for client")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", pgettext_lazy("request status", "Closed")  # "Cerrada": a request is feminine in Spanish


REQUEST_TRANSITIONS: dict[str, dict[str, str]] = {
    RequestStatus.OPEN: {
        "staff_reply": RequestStatus.WAITING_FOR_CLIENT,
        "client_reply": RequestStatus.OPEN,
        "mark_answered": RequestStatus.ANSWERED,
        "close": RequestStatus.CLOSED,
    },
    RequestStatus.WAITING_FOR_CLIENT: {
        "staff_reply": RequestStatus.WAITING_FOR_CLIENT,
        "client_reply": RequestStatus.OPEN,
        "mark_answered": RequestStatus.ANSWERED,
        "close": RequestStatus.CLOSED,
    },
    RequestStatus.ANSWERED: {
        "staff_reply": RequestStatus.ANSWERED,
        "client_reply": RequestStatus.OPEN,
        "close": RequestStatus.CLOSED,
    },
    RequestStatus.CLOSED: {"reopen": RequestStatus.OPEN, "client_reply": RequestStatus.OPEN},
}
REQUEST_MACHINE = StateMachine(
    "Client request",
    RequestStatus,
    REQUEST_TRANSITIONS,
    "A request a client sends from the portal. A staff reply waits for the client; the client's "
    "reply (also on an answered or closed request) opens it again; staff mark it answered, close "
    "and reopen it. Internal notes change nothing.",
    noun=_("request"),
    verbs={
        "staff_reply": _("reply"),
        "client_reply": _("reply"),
        "mark_answered": _("mark as answered"),
        "close": _("close"),
        "reopen": _("reopen"),
    },
    # On the client's timeline (the target is the client record; the request is in the detail).
    audit=AuditAction.REQUEST_STATUS_CHANGED,
    key="request",
    tones={RequestStatus.OPEN: "warn", RequestStatus.WAITING_FOR_CLIENT: "", RequestStatus.ANSWERED: "ok"},
)


class ClientRequest(models.Model):
    """A thread a client opened from the portal (or staff logged for them): ``client_request`` in
    code, so it is never mistaken for Django's ``request``."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="client_requests")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="requests")
    kind = models.ForeignKey(RequestKind, on_delete=models.PROTECT, related_name="requests", verbose_name=_("kind"))
    subject = models.CharField(_("subject"), max_length=200)
    status = models.CharField(max_length=16, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_activity_at", "-id"]
        indexes = [
            models.Index(fields=["org", "-last_activity_at", "-id"], name="request_org_activity"),
            models.Index(fields=["org", "status", "-last_activity_at", "-id"], name="request_org_status"),
            models.Index(fields=["client", "-last_activity_at"], name="request_client"),
        ]

    def __str__(self) -> str:
        return self.subject


class RequestMessage(models.Model):
    """One message of the thread: the client's, a staff reply, or an internal note (staff only)."""

    client_request = models.ForeignKey(ClientRequest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_client = models.BooleanField(default=False)
    internal = models.BooleanField(_("internal note"), default=False)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["client_request", "created_at"], name="request_message_time")]

    def __str__(self) -> str:
        return f"message {self.pk} on request {self.client_request_id}"


class Attachment(models.Model):
    """A file on a message: type sniffed from its content, size-checked, stored outside the web
    root and served only through a view that checks who may see the request."""

    message = models.ForeignKey(RequestMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="requests/%Y/%m/")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.name
