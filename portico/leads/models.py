"""Leads: first contacts from the organization's website (contact form, booking widget, referral
landing page, or the API), with where they came from, until they become a client record or are
disqualified."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portico.audit.models import AuditAction
from portico.audit.transitions import StateMachine


class LeadSource(models.TextChoices):
    CONTACT_FORM = "form", _("Contact form")
    BOOKING = "booking", _("Booking")
    REFERRAL = "referral", _("Referral")
    API = "api", _("API")
    STAFF = "staff", _("Entered by staff")


class LeadState(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    CONVERTED = "converted", _("Converted")
    DISQUALIFIED = "disqualified", _("Disqualified")


LEAD_TRANSITIONS: dict[str, dict[str, str]] = {
    LeadState.NEW: {
        "contact": LeadState.CONTACTED,
        "convert": LeadState.CONVERTED,
        "disqualify": LeadState.DISQUALIFIED,
    },
    LeadState.CONTACTED: {"convert": LeadState.CONVERTED, "disqualify": LeadState.DISQUALIFIED},
    LeadState.DISQUALIFIED: {"requalify": LeadState.NEW},
}
LEAD_MACHINE = StateMachine(
    "Lead",
    LeadState,
    LEAD_TRANSITIONS,
    "A first contact from the website or the API. Staff mark it contacted, convert it (a new client "
    "record, or attached to the existing client it matches) or disqualify it with a reason; a "
    "disqualified lead can be taken up again. A converted lead is final: its client record lives on.",
    noun=_("lead"),
    verbs={
        "contact": _("mark as contacted"),
        "convert": _("convert"),
        "disqualify": _("disqualify"),
        "requalify": _("take up again"),
    },
    audit=AuditAction.LEAD_STATE_CHANGED,
    key="lead",
    field="state",
    tones={LeadState.NEW: "warn", LeadState.CONVERTED: "ok", LeadState.DISQUALIFIED: "bad"},
)


class Lead(models.Model):
    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="leads")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("mobile"), max_length=20, blank=True, help_text=_("Stored in E.164"))
    message = models.TextField(_("message"), blank=True)
    service = models.CharField(_("service of interest"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=LeadSource.choices)
    # A referral: the client or staff member whose personal link brought the lead.
    referrer_client = models.ForeignKey(
        "clients.Client", on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    referrer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    utm = models.JSONField(_("UTM parameters"), default=dict, blank=True)
    page = models.URLField(_("page"), max_length=500, blank=True, help_text=_("The page the visitor was on."))
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    state = models.CharField(max_length=16, choices=LeadState.choices, default=LeadState.NEW)
    disqualify_reason = models.CharField(_("reason"), max_length=300, blank=True)
    # The client record it became (converted) or was attached to.
    client = models.ForeignKey("clients.Client", on_delete=models.SET_NULL, null=True, blank=True, related_name="leads")
    created_at = models.DateTimeField(default=timezone.now)
    converted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["org", "-created_at", "-id"], name="lead_org_created"),
            models.Index(fields=["org", "state", "-created_at", "-id"], name="lead_org_state"),
            models.Index(fields=["org", "source", "-created_at", "-id"], name="lead_org_source"),
            models.Index(fields=["org", "email"], name="lead_org_email"),
            models.Index(fields=["org", "phone"], name="lead_org_phone"),
        ]

    def __str__(self) -> str:
        return self.name


class LeadSettings(models.Model):
    """One per organization, made the first time its settings are saved (until then, the defaults
    of ``lead_settings_of``): who hears of new leads, whether the public pages answer, the thanks."""

    org = models.OneToOneField("orgs.Organization", on_delete=models.CASCADE, related_name="lead_settings")
    navigators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("notify about new leads"),
        help_text=_("Active staff members told of every new lead (by their notification preferences)."),
    )
    public_forms = models.BooleanField(
        _("public forms on"),
        default=True,
        help_text=_("The contact form and referral pages answer on the web (and in any site that embeds them)."),
    )
    thank_you = models.TextField(
        _("thank-you text"), blank=True, help_text=_("Shown after a visitor sends the form. Blank: a standard text.")
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"lead settings of {self.org_id}"


class ReferralLink(models.Model):
    """A personal referral link: a client's or a staff member's (one each per organization). The
    code is public (it is shared with friends), short and random; a lead from it keeps who referred it."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="referral_links")
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, null=True, blank=True, related_name="referral_links"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="referral_links"
    )
    code = models.CharField(max_length=16, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(client__isnull=False, user__isnull=True)
                | models.Q(client__isnull=True, user__isnull=False),
                name="referral_link_client_xor_user",
            ),
            models.UniqueConstraint(
                "org", "client", condition=models.Q(client__isnull=False), name="one_referral_link_per_client"
            ),
            models.UniqueConstraint(
                "org", "user", condition=models.Q(user__isnull=False), name="one_referral_link_per_staff"
            ),
        ]

    def __str__(self) -> str:
        return self.code
