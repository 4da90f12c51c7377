"""Client records: the organization's record of one client (a person or a company; a client
or an employee of the organization), its profile, case numbers, types, warnings, groups and
assigned navigators."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from portico.audit.models import AuditAction
from portico.audit.transitions import StateMachine
from portico.core.timezones import time_zone_validate


class ClientStatus(models.TextChoices):
    NOT_INVITED = "not_invited", _("Not invited")
    INVITE_SENT = "invite_sent", _("Invite sent")
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    CLOSED = "closed", _("Closed")
    ARCHIVED = "archived", _("Archived")


# Seed 000 (the client lifecycle) as a table. Profile moves come in two kinds: the point of
# contact organizes the profile (active) or does not (inactive until something changes).
CLIENT_TRANSITIONS: dict[str, dict[str, str]] = {
    ClientStatus.NOT_INVITED: {
        "archive": ClientStatus.ARCHIVED,
        "send_invitation": ClientStatus.INVITE_SENT,
        "create_profile": ClientStatus.ACTIVE,
        "assign_profile": ClientStatus.ACTIVE,
        "assign_profile_not_organizer": ClientStatus.INACTIVE,
    },
    ClientStatus.ARCHIVED: {"unarchive": ClientStatus.NOT_INVITED},
    ClientStatus.INVITE_SENT: {
        "revoke_invitation": ClientStatus.NOT_INVITED,
        "accept_invitation": ClientStatus.ACTIVE,
        "create_profile": ClientStatus.ACTIVE,
        "assign_profile": ClientStatus.ACTIVE,
        "assign_profile_not_organizer": ClientStatus.INACTIVE,
    },
    ClientStatus.ACTIVE: {"deactivate": ClientStatus.INACTIVE, "close": ClientStatus.CLOSED},
    ClientStatus.INACTIVE: {"reactivate": ClientStatus.ACTIVE, "close": ClientStatus.CLOSED},
    ClientStatus.CLOSED: {"reopen": ClientStatus.ACTIVE},
}
CLIENT_MACHINE = StateMachine(
    "Client status",
    ClientStatus,
    CLIENT_TRANSITIONS,
    "A client record's lifecycle (seed 000). Without a profile a client is not invited; an invitation "
    "makes it invite sent; accepting, or staff creating or assigning the profile, makes it active, "
    "unless the point of contact is not the profile's organizer (inactive).",
    noun=_("client"),
    verbs={
        "archive": _("archive"),
        "unarchive": _("unarchive"),
        "send_invitation": _("send an invitation"),
        "revoke_invitation": _("revoke the invitation"),
        "accept_invitation": _("accept the invitation"),
        "create_profile": _("create a profile"),
        "assign_profile": _("assign a profile"),
        "assign_profile_not_organizer": _("assign a profile"),
        "deactivate": _("deactivate"),
        "reactivate": _("reactivate"),
        "close": _("close"),
        "reopen": _("reopen"),
    },
    audit=AuditAction.CLIENT_STATUS_CHANGED,
    key="client",
    tones={
        ClientStatus.NOT_INVITED: "",
        ClientStatus.INVITE_SENT: "warn",
        ClientStatus.ACTIVE: "ok",
        ClientStatus.INACTIVE: "warn",
        ClientStatus.CLOSED: "bad",
        ClientStatus.ARCHIVED: "",
    },
)

# The moves staff choose in the record's Status section and the API (seed 004: Inactive, Active or
# Closed, plus archiving records never invited); the others happen through invitations and profiles.
STAFF_STATUS_ACTIONS = ("archive", "unarchive", "deactivate", "reactivate", "close", "reopen")


def client_status_choices(status: str) -> list[tuple[str, str, str]]:
    """(action, verb, target status) of each move staff may choose from ``status``."""
    return [
        (action, CLIENT_MACHINE.verb(action), CLIENT_MACHINE.table[status][action])
        for action in CLIENT_MACHINE.allowed_actions(status)
        if action in STAFF_STATUS_ACTIONS
    ]


class ClientKind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")


class RecordType(models.TextChoices):
    CLIENT = "client", _("Client")
    EMPLOYEE = "employee", _("Employee")


class Profile(models.Model):
    """The client's primary record: their own data, which outlives one organization's record."""

    full_name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    address = models.TextField(_("address"), blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="organized_profiles"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.full_name


class ClientType(models.Model):
    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="client_types")
    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint("org", Lower("name"), name="client_type_name_unique_per_org")]

    def __str__(self) -> str:
        return self.name


class WarningIndicator(models.Model):
    class Icon(models.TextChoices):
        ALERT = "alert", _("Alert")
        SHIELD = "shield", _("Safety")
        HEART = "heart", _("Health")
        LANGUAGE = "language", _("Language")
        FLAG = "flag", _("Flag")

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="warning_indicators")
    label = models.CharField(_("label"), max_length=60)
    colour = models.CharField(_("colour"), max_length=7, default="#b3261e", help_text=_("Hex colour, e.g. #b3261e"))
    icon = models.CharField(_("icon"), max_length=16, choices=Icon.choices, default=Icon.ALERT)

    class Meta:
        ordering = ["label"]
        constraints = [models.UniqueConstraint("org", Lower("label"), name="warning_label_unique_per_org")]

    def __str__(self) -> str:
        return self.label


class Group(models.Model):
    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="client_groups")
    name = models.CharField(_("name"), max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint("org", Lower("name"), name="group_name_unique_per_org")]

    def __str__(self) -> str:
        return self.name


class Client(models.Model):
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="clients")
    kind = models.CharField(_("person or company"), max_length=8, choices=ClientKind.choices, default=ClientKind.PERSON)
    record_type = models.CharField(
        _("client or employee"), max_length=8, choices=RecordType.choices, default=RecordType.CLIENT
    )
    name = models.CharField(_("name"), max_length=200)  # a company's legal name
    # A company's trade name (nombre comercial), when it differs from the legal name.
    trade_name = models.CharField(_("trade name"), max_length=200, blank=True, default="", db_default="")
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, help_text=_("Stored in E.164, e.g. +525512345678"))
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    address = models.TextField(_("address"), blank=True)
    language = models.CharField(_("preferred language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    # The client's own time zone (IANA name) when known, e.g. from a booking; blank: the organization's.
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, default="", db_default="", validators=[time_zone_validate]
    )
    client_type = models.ForeignKey(
        ClientType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="clients",
        verbose_name=_("client type"),
    )
    notes = models.TextField(_("notes"), blank=True)
    tax_id = models.CharField(_("tax id"), max_length=20, blank=True)
    case_number = models.CharField(_("case number"), max_length=40)
    status = models.CharField(max_length=16, choices=ClientStatus.choices, default=ClientStatus.NOT_INVITED)
    profile = models.ForeignKey(Profile, on_delete=models.PROTECT, null=True, blank=True, related_name="client_records")
    image = models.ImageField(upload_to="clients/images/", blank=True)
    thumbnail = models.ImageField(upload_to="clients/thumbs/", blank=True)
    warnings = models.ManyToManyField(WarningIndicator, blank=True, related_name="clients")
    groups: models.ManyToManyField[Group, ClientGroup] = models.ManyToManyField(
        Group, through="ClientGroup", related_name="clients"
    )
    navigators: models.ManyToManyField[Any, NavigatorAssignment] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="NavigatorAssignment", related_name="assigned_clients"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint("org", "case_number", name="case_number_unique_per_org"),
        ]
        indexes = [
            # Lists read live records of one organization, newest first, optionally by status or type.
            models.Index(
                fields=["org", "-created_at", "-id"], name="client_org_created", condition=models.Q(deleted_at=None)
            ),
            models.Index(
                fields=["org", "status", "-created_at", "-id"],
                name="client_org_status_created",
                condition=models.Q(deleted_at=None),
            ),
            models.Index(
                fields=["org", "client_type", "-created_at", "-id"],
                name="client_org_type_created",
                condition=models.Q(deleted_at=None),
            ),
            models.Index(fields=["org", "name", "id"], name="client_org_name", condition=models.Q(deleted_at=None)),
            models.Index(fields=["org", "email"], name="client_org_email"),
            models.Index(fields=["org", "phone"], name="client_org_phone"),
            models.Index(
                fields=["org", "-deleted_at"], name="client_org_deleted", condition=~models.Q(deleted_at=None)
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def warning_badges(self) -> list[dict[str, str]]:
        """Label, colour and icon of each warning indicator, by label. Lists annotate
        ``warnings_data`` (selectors: ids in their own query, named from the cached reference lists); otherwise one query."""
        data = getattr(self, "warnings_data", None)
        if data is None and not hasattr(self, "warnings_data"):
            data = [{"id": w.pk, "label": w.label, "colour": w.colour, "icon": w.icon} for w in self.warnings.all()]
        return sorted(data or [], key=lambda w: w["label"])

    @cached_property
    def group_refs(self) -> list[dict[str, Any]]:
        """{id, name} of each group, by name: loaded with the record (``groups_data``, see
        selectors.client_get), otherwise one query."""
        data = getattr(self, "groups_data", None)
        if data is None and not hasattr(self, "groups_data"):
            data = [{"id": g.pk, "name": g.name} for g in self.groups.all()]
        return sorted(data or [], key=lambda g: (g["name"].lower(), g["id"]))

    @cached_property
    def navigator_refs(self) -> list[dict[str, Any]]:
        """{id, name} of each assigned navigator (user id), by name, like ``group_refs``."""
        data = getattr(self, "navigators_data", None)
        if data is None and not hasattr(self, "navigators_data"):
            data = [{"id": u.pk, "name": u.display_name} for u in self.navigators.all()]
        return sorted(data or [], key=lambda n: (n["name"].lower(), n["id"]))

    @property
    def has_portal_account(self) -> bool:
        return self.profile_id is not None and self.profile is not None and self.profile.organizer_id is not None


class ClientGroup(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE)
    group = models.ForeignKey(Group, on_delete=models.CASCADE)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint("group", "client", name="client_group_unique")]
        indexes = [models.Index(fields=["client"], name="client_group_client")]

    def __str__(self) -> str:
        return f"client {self.client_id} in group {self.group_id}"


class NavigatorAssignment(models.Model):
    """Staff assigned to a client record: the only people who get its notifications."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint("user", "client", name="navigator_assignment_unique")]
        indexes = [models.Index(fields=["client"], name="navigator_client")]

    def __str__(self) -> str:
        return f"user {self.user_id} navigates client {self.client_id}"


class CaseNumberCounter(models.Model):
    """The last sequence number used per organization and scope (the year, when the pattern has one).

    Taken with SELECT … FOR UPDATE in the creating transaction: concurrent creates wait, and a
    rolled-back create gives its number back, so there are neither duplicates nor gaps."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE)
    scope = models.CharField(max_length=16)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint("org", "scope", name="case_counter_unique")]

    def __str__(self) -> str:
        return f"{self.org_id}/{self.scope}: {self.last_value}"


class GroupOperation(models.TextChoices):
    """A bulk change of one group (clients/bulk.py)."""

    ADD = "add", _("Add to group")
    REMOVE = "remove", _("Remove from group")
