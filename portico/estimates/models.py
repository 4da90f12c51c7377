"""Estimates: scope of work, line items and a total, sent to a client (or prepared on a lead)
and approved by the client in one tap. A sent estimate is never edited: revising makes a new
version and supersedes the old one."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portico.audit.models import AuditAction
from portico.audit.transitions import StateMachine


class DiscountKind(models.TextChoices):
    NONE = "", _("No discount")
    PERCENT = "percent", _("Percent")
    AMOUNT = "amount", _("Amount")


class EstimateState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", pgettext_lazy("estimate state", "Sent")  # "Enviada": an estimate (cotización) is feminine
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", pgettext_lazy("estimate state", "Expired")
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
    # What the client reads (copied to each new version by ``estimate_revise``).
    scope = models.TextField(_("scope of work"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    discount_kind = models.CharField(
        _("discount"), max_length=8, choices=DiscountKind.choices, default=DiscountKind.NONE, blank=True
    )
    # A percentage (0-100) or an amount in the estimate's currency, by ``discount_kind``.
    discount_value = models.DecimalField(_("discount value"), max_digits=14, decimal_places=3, default=Decimal(0))
    # Written only by ``totals.totals_store`` (from ``totals.totals_compute``), for lists and the API.
    subtotal = models.DecimalField(max_digits=18, decimal_places=3, default=Decimal(0))
    discount_total = models.DecimalField(max_digits=18, decimal_places=3, default=Decimal(0))
    tax_total = models.DecimalField(max_digits=18, decimal_places=3, default=Decimal(0))
    total = models.DecimalField(max_digits=18, decimal_places=3, default=Decimal(0))
    # SHA-256 of the canonical content the client sees, fixed when sent: approval names it.
    content_hash = models.CharField(max_length=64, blank=True)
    decline_reason = models.CharField(_("reason"), max_length=500, blank=True)
    # The client's questions: one request thread per estimate number (carried to new versions).
    question = models.ForeignKey(
        "client_requests.ClientRequest", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "number", "version"], name="estimate_number_version_unique"),
        ]
        indexes = [
            models.Index(fields=["org", "-created_at", "-id"], name="estimate_org_created"),
            models.Index(fields=["org", "state", "-created_at", "-id"], name="estimate_org_state"),
            models.Index(fields=["client", "state"], name="estimate_client_state"),
            # The expiry sweep: sent estimates by valid-until date.
            models.Index(fields=["valid_until"], name="estimate_sent_valid_until", condition=models.Q(state="sent")),
        ]

    def __str__(self) -> str:
        return f"#{self.number}-v{self.version}"

    @property
    def label(self) -> str:
        return f"#{self.number} v{self.version}"


class EstimateLine(models.Model):
    """One line item. Its total is ``totals.totals_compute``'s, never stored here."""

    estimate = models.ForeignKey(Estimate, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=3)
    tax_rate = models.DecimalField(_("tax rate %"), max_digits=6, decimal_places=3, default=Decimal(0))

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["estimate", "position"], name="estimate_line_position")]

    def __str__(self) -> str:
        return self.description


class EstimateAttachment(models.Model):
    """A file staff attach (plans, photos): content-checked like request attachments, stored outside
    the web root, served by a view that checks who may see the estimate. New versions share the file."""

    estimate = models.ForeignKey(Estimate, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="estimates/%Y/%m/")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class EstimateCounter(models.Model):
    """The organization's last estimate number, taken FOR UPDATE inside the creating transaction."""

    org = models.OneToOneField("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.org_id}: {self.last_number}"


class EstimatePdf(models.Model):
    """A rendered PDF of a sent (or decided) estimate, kept so a repeat download skips WeasyPrint.
    ``key`` names everything the PDF shows (content hash, language, branding version, the client's
    name): a change of any makes a new key, so a stale file is never served. Drafts are never kept."""

    estimate = models.ForeignKey(Estimate, on_delete=models.CASCADE, related_name="pdfs")
    language = models.CharField(max_length=16)
    key = models.CharField(max_length=64)
    file = models.FileField(upload_to="estimates/pdf/%Y/%m/")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["estimate", "key"], name="estimate_pdf_key_unique")]

    def __str__(self) -> str:
        return f"{self.estimate_id}: {self.language}"
