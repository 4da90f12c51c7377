"""The client portal: each organization's portal set-up (branding, senders, invitation texts)
and the client's portal account status in that organization."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from portico.audit.models import AuditAction
from portico.audit.transitions import StateMachine

colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a hex colour such as #1f5fbf."))

# Marked for translation: a new portal starts with these texts in the organization's language.
DEFAULT_EMAIL_SUBJECT = gettext_noop("{org_name}: your client portal invitation")
DEFAULT_EMAIL_BODY = gettext_noop(
    "Hello {client_name},\n\n"
    "{org_name} invites you to {portal_name}, your personal client portal. There you can see our "
    "services, keep your details up to date and send us requests.\n\n"
    "Create your account here (the link works once and until {expires}):\n{link}\n\n"
    "Your email address will be your username."
)
DEFAULT_SMS_BODY = gettext_noop(
    "{org_name} invites you to {portal_name}. Create your account (link valid until {expires}): {link}"
)


def default_texts(language: str) -> dict[str, str]:
    """The invitation texts a new portal starts with, in ``language``."""
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override(language):
        return {
            "invitation_email_subject": gettext(DEFAULT_EMAIL_SUBJECT),
            "invitation_email_body": gettext(DEFAULT_EMAIL_BODY),
            "invitation_sms_body": gettext(DEFAULT_SMS_BODY),
        }


# The placeholders an invitation text may use; anything else in braces is refused at set-up.
TEXT_PLACEHOLDERS = ("client_name", "org_name", "portal_name", "link", "expires")


class PortalSettings(models.Model):
    """One per organization once its portal is set up (``Organization.portal_enabled``)."""

    org = models.OneToOneField("orgs.Organization", on_delete=models.CASCADE, related_name="portal_settings")
    portal_name = models.CharField(_("portal name"), max_length=100)
    logo = models.ImageField(_("logo"), upload_to="portal/logos/", blank=True)
    primary_colour = models.CharField(_("main colour"), max_length=7, default="#1f5fbf", validators=[colour_validator])
    accent_colour = models.CharField(_("accent colour"), max_length=7, default="#0b7a4b", validators=[colour_validator])
    sender_name = models.CharField(_("sender name"), max_length=100, help_text=_("Shown as the email's sender."))
    reply_to = models.EmailField(_("reply-to address"), blank=True)
    sms_sender = models.CharField(
        _("SMS sender"),
        max_length=20,
        blank=True,
        help_text=_("A phone number in international format (+15005550006) or an alphanumeric sender id."),
    )
    invitation_lifetime_days = models.PositiveSmallIntegerField(
        _("invitation lifetime (days)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    invitation_email_subject = models.CharField(
        _("invitation email subject"), max_length=200, default=DEFAULT_EMAIL_SUBJECT
    )
    invitation_email_body = models.TextField(_("invitation email text"), default=DEFAULT_EMAIL_BODY)
    invitation_sms_body = models.CharField(_("invitation SMS text"), max_length=320, default=DEFAULT_SMS_BODY)
    services = models.TextField(
        _("services"), blank=True, help_text=_("One per line: shown on the client's portal home.")
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.portal_name

    @property
    def services_list(self) -> list[str]:
        return [line.strip() for line in self.services.splitlines() if line.strip()]


class PortalAccountStatus(models.TextChoices):
    ENROLLMENT_PENDING = "enrollment_pending", _("Enrollment pending")
    ACTIVE = "active", _("Active")
    BANNED = "banned", _("Banned")


PORTAL_ACCOUNT_TRANSITIONS: dict[str, dict[str, str]] = {
    PortalAccountStatus.ENROLLMENT_PENDING: {
        "complete_enrollment": PortalAccountStatus.ACTIVE,
        "activate": PortalAccountStatus.ACTIVE,
        "ban": PortalAccountStatus.BANNED,
    },
    PortalAccountStatus.ACTIVE: {
        "require_enrollment": PortalAccountStatus.ENROLLMENT_PENDING,
        "ban": PortalAccountStatus.BANNED,
    },
    PortalAccountStatus.BANNED: {
        "activate": PortalAccountStatus.ACTIVE,
        "require_enrollment": PortalAccountStatus.ENROLLMENT_PENDING,
    },
}
PORTAL_ACCOUNT_MACHINE = StateMachine(
    "Portal account",
    PortalAccountStatus,
    PORTAL_ACCOUNT_TRANSITIONS,
    "A client's access to one organization's portal. Enrollment pending can sign in and becomes "
    "active by itself once the organization's enrollment steps are complete (with none configured, "
    "on account creation). Banned: every sign-in path is refused and open sessions end at once.",
    noun=_("portal account"),
    verbs={
        "complete_enrollment": _("complete enrollment"),
        "activate": _("activate"),
        "ban": _("ban"),
        "require_enrollment": _("set to enrollment pending"),
    },
    audit=AuditAction.PORTAL_ACCOUNT_STATUS_CHANGED,
    key="portal_account",
    tones={
        PortalAccountStatus.ENROLLMENT_PENDING: "warn",
        PortalAccountStatus.ACTIVE: "ok",
        PortalAccountStatus.BANNED: "bad",
    },
)
# What staff pick in the record's Status section, by the target state.
PORTAL_STATUS_CHANGE_ACTIONS: dict[str, str] = {
    PortalAccountStatus.ENROLLMENT_PENDING: "require_enrollment",
    PortalAccountStatus.ACTIVE: "activate",
    PortalAccountStatus.BANNED: "ban",
}


class PortalAccount(models.Model):
    """A login's access to one organization's portal. One login (the email) can hold several,
    one per organization that serves the person; each organization sets its own status."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="portal_accounts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_accounts")
    status = models.CharField(
        max_length=20, choices=PortalAccountStatus.choices, default=PortalAccountStatus.ENROLLMENT_PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint("org", "user", name="portal_account_unique")]
        indexes = [models.Index(fields=["user", "status"], name="portal_account_user")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.org}: {self.status}"
