"""Estimates: scope of work, line items and a total, sent to a client (or prepared on a lead)
and approved by the client in one tap. A sent estimate is never edited: revising makes a new
version and supersedes the old one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portico.audit.models import AuditAction
from portico.audit.transitions import StateMachine


class EstimateState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    SUPERSEDED = "superseded", _("Superseded")


ESTIMATE_TRANSITIONS: dict[str, dict[str, str]] = {
    EstimateState.DRAFT: {"send": EstimateState.SENT},
    EstimateState.SENT: {
        "approve": EstimateState.APPROVED,
        "decline": EstimateState.DECLINED,
        "expire": EstimateState.EXPIRED,
        "supersede": EstimateState.SUPERSEDED,
    },
    EstimateState.DECLINED: {"supersede": EstimateState.SUPERSEDED},
    EstimateState.EXPIRED: {"supersede": EstimateState.SUPERSEDED},
}
ESTIMATE_MACHINE = StateMachine(
    "Estimate",
    EstimateState,
    ESTIMATE_TRANSITIONS,
    "Staff write a draft and send it; the client approves or declines the version they saw; an "
    "unanswered estimate expires after its valid-until date. A sent, declined or expired estimate "
    "is never edited: revising makes a new draft version and supersedes this one.",
    noun=_("estimate"),
    verbs={
        "send": _("send"),
        "approve": _("approve"),
        "decline": _("decline"),
        "expire": _("expire"),
        "supersede": _("revise"),
    },
    audit=AuditAction.ESTIMATE_STATE_CHANGED,
    key="estimate",
    field="state",
    tones={
        EstimateState.SENT: "warn",
        EstimateState.APPROVED: "ok",
        EstimateState.DECLINED: "bad",
        EstimateState.EXPIRED: "bad",
    },
)


class Estimate(models.Model):
    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="estimates")
    # On a client, or on a lead until it is converted (then moved to the client).
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, null=True, blank=True, related_name="estimates"
    )
    lead = models.ForeignKey("leads.Lead", on_delete=models.SET_NULL, null=True, blank=True, related_name="estimates")
    number = models.PositiveIntegerField(help_text="Per organization; every version of an estimate shares it.")
    version = models.PositiveSmallIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    state = models.CharField(max_length=16, choices=EstimateState.choices, default=EstimateState.DRAFT)
    currency = models.CharField(max_length=3)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "number", "version"], name="estimate_number_version_unique"),
        ]
        indexes = [
            models.Index(fields=["org", "-created_at", "-id"], name="estimate_org_created"),
            models.Index(fields=["org", "state", "-created_at", "-id"], name="estimate_org_state"),
            models.Index(fields=["client", "state"], name="estimate_client_state"),
        ]

    def __str__(self) -> str:
        return f"#{self.number}-v{self.version}"
