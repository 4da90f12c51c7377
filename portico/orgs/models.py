"""Organizations (tenants), roles, staff memberships and staff invitations."""

from __future__ import annotations

import string

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portico.audit.models import AuditAction
from portico.audit.transitions import StateMachine
from portico.core.errors import PorticoError
from portico.core.money import CURRENCY_CHOICES
from portico.core.timezones import time_zone_validate
from portico.orgs.permissions import ALL


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(
        _("short name"), max_length=60, unique=True, help_text=_("Used in addresses, e.g. /o/northwind/")
    )
    language = models.CharField(
        _("default language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("Used for messages to people who have not chosen a language."),
    )
    require_mfa = models.BooleanField(
        _("require two-factor authentication"),
        default=False,
        help_text=_("Staff must turn on an authenticator app before they can open this organization."),
    )
    case_number_pattern = models.CharField(
        _("case number pattern"),
        max_length=40,
        default="{year}-{seq:05}",
        help_text=_("{year} is the current year, {seq:05} the next number with 5 digits; e.g. NW-{year}-{seq:05}"),
    )
    portal_enabled = models.BooleanField(
        _("client portal set up"), default=False, help_text=_("Clients can be invited to the portal.")
    )
    mute_closed_clients = models.BooleanField(
        _("disable notifications for closed client records"),
        default=False,
        help_text=_("No notifications of any kind about closed or inactive clients while this is on."),
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        choices=CURRENCY_CHOICES,
        default="USD",
        help_text=_("ISO 4217 code used for estimates, e.g. USD, MXN, EUR."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[time_zone_validate],
        help_text=_("IANA name, e.g. America/Mexico_City: schedules, quiet hours and booking slots use it."),
    )
    # Bumped whenever a reference list of its client records changes (client types, warnings,
    # groups, staff), so per-process caches of those lists know they are stale (clients/reference.py).
    reference_version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def org_reference_changed(org: Organization | int) -> None:
    """A reference list of the organization changed (client types, warnings, groups, staff): the
    per-process caches of those lists (clients/reference.py) reload on their next page. Called by
    the action that changed it, inside its transaction."""
    org_id = org if isinstance(org, int) else org.pk
    Organization.objects.filter(pk=org_id).update(reference_version=models.F("reference_version") + 1)


def case_number_pattern_check(pattern: str) -> None:
    """Refuse a pattern with unknown placeholders or without the sequence number."""
    invalid = gettext("This case number pattern is not valid: %(error)s")
    try:
        fields = {parsed[1] for parsed in string.Formatter().parse(pattern) if parsed[1] is not None}
    except ValueError as exc:
        raise PorticoError(invalid % {"error": exc}) from None
    if "seq" not in fields or fields - {"seq", "year"}:
        raise PorticoError(gettext("A case number pattern needs {seq} and may use {year}; nothing else in braces."))
    try:
        pattern.format(seq=1, year=2026)
    except (ValueError, IndexError) as exc:
        raise PorticoError(invalid % {"error": exc}) from None


class Role(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="roles")
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=300, blank=True)
    grants_all = models.BooleanField(
        default=False, help_text=_("Every permission, including ones added later (the Admin role).")
    )
    permissions = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint("org", Lower("name"), name="role_name_unique_per_org")]

    def __str__(self) -> str:
        return self.name

    @property
    def permission_set(self) -> frozenset[str]:
        if self.grants_all:
            return ALL
        # Codes removed from the catalogue are ignored rather than trusted.
        return frozenset(self.permissions) & ALL


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DEACTIVATED = "deactivated", _("Deactivated")


MEMBERSHIP_TRANSITIONS: dict[str, dict[str, str]] = {
    MembershipStatus.ACTIVE: {"deactivate": MembershipStatus.DEACTIVATED},
    MembershipStatus.DEACTIVATED: {"reactivate": MembershipStatus.ACTIVE},
}
MEMBERSHIP_MACHINE = StateMachine(
    "Staff membership",
    MembershipStatus,
    MEMBERSHIP_TRANSITIONS,
    "A person's access to one organization. Deactivating ends their sessions at once.",
    noun=_("staff membership"),
    verbs={"deactivate": _("deactivate"), "reactivate": _("reactivate")},
    audit={"deactivate": AuditAction.STAFF_DEACTIVATED, "reactivate": AuditAction.STAFF_REACTIVATED},
    key="membership",
    tones={MembershipStatus.ACTIVE: "ok", MembershipStatus.DEACTIVATED: "bad"},
)


class Membership(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="memberships")
    status = models.CharField(max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint("org", "user", name="membership_unique_per_org")]
        indexes = [models.Index(fields=["user", "status"], name="membership_user_status")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.org}"

    @property
    def is_active(self) -> bool:
        return self.status == MembershipStatus.ACTIVE


class StaffInvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", _("Revoked")


STAFF_INVITATION_TRANSITIONS: dict[str, dict[str, str]] = {
    StaffInvitationStatus.PENDING: {
        "resend": StaffInvitationStatus.PENDING,
        "accept": StaffInvitationStatus.ACCEPTED,
        "revoke": StaffInvitationStatus.REVOKED,
    },
}
STAFF_INVITATION_MACHINE = StateMachine(
    "Staff invitation",
    StaffInvitationStatus,
    STAFF_INVITATION_TRANSITIONS,
    "A one-time link to join an organization as staff. A pending invitation past its expiry "
    "shows as expired and its link no longer works; resending issues a new link and a new expiry.",
    noun=_("staff invitation"),
    verbs={"resend": _("resend"), "accept": _("accept"), "revoke": _("revoke")},
    audit={
        "resend": AuditAction.STAFF_INVITATION_RESENT,
        "accept": AuditAction.STAFF_INVITATION_ACCEPTED,
        "revoke": AuditAction.STAFF_INVITATION_REVOKED,
    },
    key="staff_invitation",
    tones={
        StaffInvitationStatus.PENDING: "warn",
        StaffInvitationStatus.ACCEPTED: "ok",
        StaffInvitationStatus.REVOKED: "bad",
    },
)


class StaffInvitation(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="staff_invitations")
    email = models.EmailField(_("email address"))
    # Pending invitations keep their role from deletion (role_delete checks); past ones just lose the link.
    role = models.ForeignKey(Role, on_delete=models.SET_NULL, null=True, related_name="invitations")
    status = models.CharField(
        max_length=16, choices=StaffInvitationStatus.choices, default=StaffInvitationStatus.PENDING
    )
    token_digest = models.CharField(max_length=64, unique=True)
    sent_count = models.PositiveIntegerField(default=1)
    expires_at = models.DateTimeField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "org",
                Lower("email"),
                condition=models.Q(status="pending"),
                name="one_pending_staff_invitation_per_email",
            )
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_expired(self) -> bool:
        return self.status == StaffInvitationStatus.PENDING and self.expires_at <= timezone.now()

    @property
    def display_status(self) -> str:
        return str(_("Expired")) if self.is_expired else self.get_status_display()


class ApiKey(models.Model):
    """A per-organization key for the JSON API: ``pk_<prefix>_<secret>``. Only the SHA-256 digest
    of the whole key is stored; the prefix identifies it in lists. Its role gives its permissions."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8, db_index=True)
    key_digest = models.CharField(max_length=64, unique=True)
    # Live keys keep their role from deletion (role_delete checks); revoked ones just lose the link.
    role = models.ForeignKey(
        Role, on_delete=models.SET_NULL, null=True, related_name="api_keys", verbose_name=_("role")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} (pk_{self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
