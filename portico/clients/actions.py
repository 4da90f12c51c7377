"""Every change to client records, their profiles, case numbers, types, warnings, groups and
navigators. Each function runs in one transaction and writes its audit row."""

from __future__ import annotations

import datetime as dt
import string
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portico.accounts.models import User
from portico.audit.actions import audit_record
from portico.audit.models import AuditAction
from portico.clients.images import image_process
from portico.clients.models import (
    CLIENT_MACHINE,
    CaseNumberCounter,
    Client,
    ClientGroup,
    ClientType,
    Group,
    NavigatorAssignment,
    Profile,
    WarningIndicator,
)
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.orgs.models import Membership, MembershipStatus, Organization

# Marked for extraction; translated into the organization's language when it is created.
DEFAULT_CLIENT_TYPES = [
    gettext_noop("Potential Client"),
    gettext_noop("Direct Service Client"),
    gettext_noop("Case Management"),
]
EDITABLE_FIELDS = (
    "kind",
    "record_type",
    "name",
    "email",
    "phone",
    "date_of_birth",
    "address",
    "language",
    "notes",
    "tax_id",
)


# --- case numbers ---


def case_number_pattern_check(pattern: str) -> None:
    """Refuse a pattern with unknown placeholders or without the sequence number."""
    fields = {parsed[1] for parsed in string.Formatter().parse(pattern) if parsed[1] is not None}
    if "seq" not in fields or fields - {"seq", "year"}:
        raise PorticoError(_("A case number pattern needs {seq} and may use {year}; nothing else in braces."))
    try:
        pattern.format(seq=1, year=2026)
    except (ValueError, IndexError) as exc:
        raise PorticoError(_("This case number pattern is not valid: %(error)s") % {"error": exc}) from None


def _case_number_next(org: Organization) -> str:
    """The next number from the organization's pattern, under a row lock held until commit."""
    pattern = org.case_number_pattern
    now = timezone.now()
    scope = str(now.year) if "{year" in pattern else "all"
    CaseNumberCounter.objects.get_or_create(org=org, scope=scope)
    counter = CaseNumberCounter.objects.select_for_update().get(org=org, scope=scope)
    value = counter.last_value
    while True:  # skip numbers staff typed in by hand
        value += 1
        candidate = pattern.format(seq=value, year=now.year)
        if not Client.objects.filter(org=org, case_number=candidate).exists():
            break
    CaseNumberCounter.objects.filter(pk=counter.pk).update(last_value=value)
    return candidate


# --- set-up data ---


@transaction.atomic
def client_types_create_defaults(*, org: Organization, actor: Actor) -> list[ClientType]:
    from django.utils import translation

    with translation.override(org.language):
        return [
            client_type_create(org=org, actor=actor, name=_(name), position=i)
            for i, name in enumerate(DEFAULT_CLIENT_TYPES)
        ]


@transaction.atomic
def client_type_create(*, org: Organization, actor: Actor, name: str, position: int = 0) -> ClientType:
    name = name.strip()
    if ClientType.objects.filter(org=org, name__iexact=name).exists():
        raise PorticoError(_("A client type named “%(name)s” already exists.") % {"name": name}, code="duplicate")
    client_type = ClientType.objects.create(org=org, name=name, position=position)
    audit_record(org=org, actor=actor, action=AuditAction.CLIENT_TYPE_CREATED, target=client_type)
    return client_type


@transaction.atomic
def warning_create(*, org: Organization, actor: Actor, label: str, colour: str, icon: str) -> WarningIndicator:
    label = label.strip()
    if WarningIndicator.objects.filter(org=org, label__iexact=label).exists():
        raise PorticoError(_("A warning named “%(name)s” already exists.") % {"name": label}, code="duplicate")
    warning = WarningIndicator.objects.create(org=org, label=label, colour=colour, icon=icon)
    audit_record(org=org, actor=actor, action=AuditAction.WARNING_CREATED, target=warning)
    return warning


# --- records ---


@transaction.atomic
def client_create(
    *,
    org: Organization,
    actor: Actor,
    name: str,
    client_type: ClientType | None = None,
    create_profile: bool = False,
    **fields: Any,
) -> Client:
    """A new record with the next case number. With ``create_profile`` the client's profile is
    made now ("create before acceptance") and the client is active; otherwise not invited."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not client fields: {sorted(unknown)}")
    if client_type is not None and client_type.org_id != org.pk:
        raise PorticoError(_("Choose one of this organization's client types."))
    client = Client.objects.create(
        org=org,
        name=name.strip(),
        client_type=client_type,
        case_number=_case_number_next(org),
        created_by=actor.user,
        **fields,
    )
    audit_record(
        org=org,
        actor=actor,
        action=AuditAction.CLIENT_CREATED,
        target=client,
        to_state=client.status,
        detail={"case_number": client.case_number, "record_type": client.record_type},
    )
    if create_profile:
        client_profile_create(client=client, actor=actor)
        client.refresh_from_db()
    return client


@transaction.atomic
def client_update(*, client: Client, actor: Actor, **fields: Any) -> Client:
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"client_type"}
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    if "client_type" in fields and fields["client_type"] is not None and fields["client_type"].org_id != client.org_id:
        raise PorticoError(_("Choose one of this organization's client types."))
    changes = {}
    for field, value in fields.items():
        old = getattr(client, field)
        if old != value:
            changes[field] = {"from": _jsonable(old), "to": _jsonable(value)}
            setattr(client, field, value)
    if changes:
        client.save(update_fields=list(changes))
        audit_record(org=client.org, actor=actor, action=AuditAction.CLIENT_CHANGED, target=client, detail=changes)
        # A new address cancels invitations sent to the old one (they would make the old
        # address the username).
        from portico.invitations.actions import invitations_revoke_open

        for field, channel in (("email", "email"), ("phone", "sms")):
            if field in changes:
                invitations_revoke_open(client=client, actor=actor, reason=f"{channel}_changed", channel=channel)
    return client


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


@transaction.atomic
def client_transition(*, client: Client, action: str, actor: Actor, detail: dict[str, Any] | None = None) -> Client:
    """Move a client along the lifecycle table. The UPDATE is conditional on the status the
    caller saw, so two staff acting at once cannot both move it."""
    new_status = CLIENT_MACHINE.target(client.status, action)
    changed = Client.objects.filter(pk=client.pk, status=client.status, deleted_at=None).update(status=new_status)
    if not changed:
        raise PorticoError(_("Someone else changed this client just now. Reload and try again."), code="stale")
    audit_record(
        org=client.org,
        actor=actor,
        action=AuditAction.CLIENT_STATUS_CHANGED,
        target=client,
        from_state=client.status,
        to_state=new_status,
        detail={"action": action, **(detail or {})},
    )
    client.status = new_status
    return client


# Named moves, so `grep client_` lists every way a client changes.
def client_archive(*, client: Client, actor: Actor) -> Client:
    return client_transition(client=client, action="archive", actor=actor)


def client_unarchive(*, client: Client, actor: Actor) -> Client:
    return client_transition(client=client, action="unarchive", actor=actor)


def client_deactivate(*, client: Client, actor: Actor) -> Client:
    return client_transition(client=client, action="deactivate", actor=actor)


def client_reactivate(*, client: Client, actor: Actor) -> Client:
    return client_transition(client=client, action="reactivate", actor=actor)


@transaction.atomic
def client_close(*, client: Client, actor: Actor) -> Client:
    from portico.invitations.actions import invitations_revoke_open

    invitations_revoke_open(client=client, actor=actor, reason="closed")
    return client_transition(client=client, action="close", actor=actor)


def client_reopen(*, client: Client, actor: Actor) -> Client:
    return client_transition(client=client, action="reopen", actor=actor)


def client_invitation_sent(*, client: Client, actor: Actor) -> Client:
    """Called by the invitations capability when it sends a portal invitation to a client who
    was not invited (clients with a profile but no portal account keep their status)."""
    return client_transition(client=client, action="send_invitation", actor=actor)


def client_invitation_revoked(*, client: Client, actor: Actor) -> Client:
    return client_transition(client=client, action="revoke_invitation", actor=actor)


@transaction.atomic
def client_invitation_accepted(*, client: Client, actor: Actor, profile: Profile) -> Client:
    """The client accepted with a new profile (which they organize): linked, and active."""
    if client.profile_id is not None:
        raise PorticoError(_("This client already has a profile."), code="has_profile")
    CLIENT_MACHINE.target(client.status, "accept_invitation")
    Client.objects.filter(pk=client.pk).update(profile=profile)
    client.profile = profile
    audit_record(
        org=client.org,
        actor=actor,
        action=AuditAction.CLIENT_PROFILE_LINKED,
        target=client,
        detail={"profile": profile.pk, "created": True, "by_invitation": True},
    )
    return client_transition(client=client, action="accept_invitation", actor=actor)


@transaction.atomic
def client_profile_create(*, client: Client, actor: Actor) -> Client:
    """Create the client's profile from the record now, before any acceptance: active."""
    if client.profile_id is not None:
        raise PorticoError(_("This client already has a profile."), code="has_profile")
    CLIENT_MACHINE.target(client.status, "create_profile")
    profile = Profile.objects.create(
        full_name=client.name,
        email=client.email,
        phone=client.phone,
        date_of_birth=client.date_of_birth,
        address=client.address,
        language=client.language,
    )
    Client.objects.filter(pk=client.pk).update(profile=profile)
    client.profile = profile
    audit_record(
        org=client.org,
        actor=actor,
        action=AuditAction.CLIENT_PROFILE_LINKED,
        target=client,
        detail={"profile": profile.pk, "created": True},
    )
    return client_transition(client=client, action="create_profile", actor=actor)


@transaction.atomic
def client_profile_assign(
    *, client: Client, profile: Profile, actor: Actor, contact_is_organizer: bool = True
) -> Client:
    """Link an existing profile. If the point of contact does not organize that profile, the
    client stays inactive until something changes (seed 000)."""
    if client.profile_id is not None:
        raise PorticoError(_("This client already has a profile."), code="has_profile")
    action = "assign_profile" if contact_is_organizer else "assign_profile_not_organizer"
    CLIENT_MACHINE.target(client.status, action)
    Client.objects.filter(pk=client.pk).update(profile=profile)
    client.profile = profile
    audit_record(
        org=client.org,
        actor=actor,
        action=AuditAction.CLIENT_PROFILE_LINKED,
        target=client,
        detail={"profile": profile.pk, "created": False, "contact_is_organizer": contact_is_organizer},
    )
    return client_transition(client=client, action=action, actor=actor)


@transaction.atomic
def client_change_case_number(*, client: Client, actor: Actor, case_number: str) -> Client:
    case_number = case_number.strip()
    if not case_number:
        raise PorticoError(_("A case number cannot be empty."), code="empty")
    if len(case_number) > 40:
        raise PorticoError(_("A case number has at most 40 characters."), code="too_long")
    if case_number == client.case_number:
        return client
    if Client.objects.filter(org=client.org, case_number=case_number).exclude(pk=client.pk).exists():
        raise PorticoError(
            _("The case number %(number)s is already used by another record.") % {"number": case_number},
            code="duplicate",
        )
    old = client.case_number
    try:
        with transaction.atomic():  # a parallel edit may take the number first
            Client.objects.filter(pk=client.pk).update(case_number=case_number)
    except IntegrityError:
        raise PorticoError(
            _("The case number %(number)s is already used by another record.") % {"number": case_number},
            code="duplicate",
        ) from None
    client.case_number = case_number
    audit_record(
        org=client.org,
        actor=actor,
        action=AuditAction.CLIENT_CASE_NUMBER_CHANGED,
        target=client,
        detail={"from": old, "to": case_number},
    )
    return client


@transaction.atomic
def client_set_image(*, client: Client, actor: Actor, upload: UploadedFile) -> Client:
    """Replace the record image with a re-encoded copy (see images.py: sniffed, size- and
    bomb-checked, EXIF stripped) and its thumbnail. Old files are removed after commit."""
    processed = image_process(upload)
    old = [f.name for f in (client.image, client.thumbnail) if f]
    client.image.save(processed.image.name, processed.image, save=False)
    client.thumbnail.save(processed.thumbnail.name, processed.thumbnail, save=False)
    client.save(update_fields=["image", "thumbnail"])
    audit_record(org=client.org, actor=actor, action=AuditAction.CLIENT_IMAGE_CHANGED, target=client)
    storage = client.image.storage
    transaction.on_commit(lambda: [storage.delete(name) for name in old])
    return client


@transaction.atomic
def client_set_warnings(*, client: Client, actor: Actor, warnings: list[WarningIndicator]) -> Client:
    if any(w.org_id != client.org_id for w in warnings):
        raise PorticoError(_("Choose this organization's warning indicators."))
    before = sorted(w.label for w in client.warnings.all())
    client.warnings.set(warnings)
    client.__dict__.pop("warnings_data", None)  # a list annotation loaded earlier is now stale
    after = sorted(w.label for w in warnings)
    if before != after:
        audit_record(
            org=client.org,
            actor=actor,
            action=AuditAction.CLIENT_CHANGED,
            target=client,
            detail={"warnings": {"from": before, "to": after}},
        )
    return client


@transaction.atomic
def client_set_groups(*, client: Client, actor: Actor, groups: list[Group]) -> Client:
    """Make the record's groups exactly ``groups``."""
    current = set(ClientGroup.objects.filter(client=client).values_list("group_id", flat=True))
    wanted = {g.pk for g in groups}
    by_pk = {g.pk: g for g in groups}
    return client_change_groups(
        client=client,
        actor=actor,
        add=[by_pk[pk] for pk in wanted - current],
        remove=list(Group.objects.filter(pk__in=current - wanted)),
    )


@transaction.atomic
def client_change_groups(*, client: Client, actor: Actor, add: list[Group], remove: list[Group]) -> Client:
    """Add and remove groups on one record (the "Manage groups" overlay sends what changed)."""
    if any(g.org_id != client.org_id for g in [*add, *remove]):
        raise PorticoError(_("Choose this organization's groups."))
    current = set(ClientGroup.objects.filter(client=client).values_list("group_id", flat=True))
    added = {g.pk for g in add} - current
    removed = {g.pk for g in remove} & current
    if not added and not removed:
        return client
    ClientGroup.objects.filter(client=client, group_id__in=removed).delete()
    ClientGroup.objects.bulk_create([ClientGroup(client=client, group_id=pk) for pk in added], ignore_conflicts=True)
    names = dict(Group.objects.filter(pk__in=added | removed).values_list("pk", "name"))
    audit_record(
        org=client.org,
        actor=actor,
        action=AuditAction.CLIENT_GROUPS_CHANGED,
        target=client,
        detail={"added": sorted(names[pk] for pk in added), "removed": sorted(names[pk] for pk in removed)},
    )
    return client


def _staff_of(org: Organization, user: User) -> bool:
    return Membership.objects.filter(org=org, user=user, status=MembershipStatus.ACTIVE).exists()


@transaction.atomic
def client_assign_navigator(*, client: Client, actor: Actor, navigator: User) -> Client:
    if not _staff_of(client.org, navigator):
        raise PorticoError(_("Only active staff of this organization can be assigned."), code="not_staff")
    _assignment, created = NavigatorAssignment.objects.get_or_create(client=client, user=navigator)
    if not created:
        raise PorticoError(_("%(name)s is already assigned to this client.") % {"name": navigator}, code="already")
    audit_record(
        org=client.org,
        actor=actor,
        action=AuditAction.CLIENT_NAVIGATOR_ASSIGNED,
        target=client,
        detail={"navigator": navigator.pk, "name": navigator.display_name},
    )
    return client


@transaction.atomic
def client_unassign_navigator(*, client: Client, actor: Actor, navigator: User) -> Client:
    deleted, _by_model = NavigatorAssignment.objects.filter(client=client, user=navigator).delete()
    if not deleted:
        raise PorticoError(_("%(name)s is not assigned to this client.") % {"name": navigator}, code="not_assigned")
    audit_record(
        org=client.org,
        actor=actor,
        action=AuditAction.CLIENT_NAVIGATOR_UNASSIGNED,
        target=client,
        detail={"navigator": navigator.pk, "name": navigator.display_name},
    )
    return client


@transaction.atomic
def client_delete(*, client: Client, actor: Actor) -> Client:
    """Delete the client record only: it leaves every list, search and the API, but is kept
    (never scrubbed) with its profile, so support can restore it."""
    from portico.invitations.actions import invitations_revoke_open

    # First, while the record is live: an invite-sent client goes back to not invited with them.
    invitations_revoke_open(client=client, actor=actor, reason="deleted")
    now = timezone.now()
    changed = Client.objects.filter(pk=client.pk, deleted_at=None).update(deleted_at=now, deleted_by=actor.user)
    if not changed:
        raise PorticoError(_("This client record is already deleted."), code="already_deleted")
    audit_record(
        org=client.org,
        actor=actor,
        action=AuditAction.CLIENT_DELETED,
        target=client,
        detail={"case_number": client.case_number},
    )
    client.deleted_at = now
    return client


@transaction.atomic
def client_restore(*, client: Client, actor: Actor) -> Client:
    if actor.user is None or not actor.user.is_operator:
        raise PorticoError(_("Only support can restore deleted records."), code="support_only")
    changed = Client.objects.filter(pk=client.pk).exclude(deleted_at=None).update(deleted_at=None, deleted_by=None)
    if not changed:
        raise PorticoError(_("This client record is not deleted."), code="not_deleted")
    audit_record(org=client.org, actor=actor, action=AuditAction.CLIENT_RESTORED, target=client)
    client.deleted_at = None
    return client


# --- groups ---


@transaction.atomic
def group_create(*, org: Organization, actor: Actor, name: str) -> Group:
    name = name.strip()
    if not name:
        raise PorticoError(_("A group needs a name."))
    if Group.objects.filter(org=org, name__iexact=name).exists():
        raise PorticoError(_("A group named “%(name)s” already exists.") % {"name": name}, code="duplicate")
    try:
        with transaction.atomic():
            group = Group.objects.create(org=org, name=name)
    except IntegrityError:
        raise PorticoError(_("A group named “%(name)s” already exists.") % {"name": name}, code="duplicate") from None
    audit_record(org=org, actor=actor, action=AuditAction.GROUP_CREATED, target=group)
    return group


@transaction.atomic
def group_delete(*, group: Group, actor: Actor) -> None:
    members = ClientGroup.objects.filter(group=group).count()
    audit_record(
        org=group.org, actor=actor, action=AuditAction.GROUP_DELETED, target=group, detail={"clients": members}
    )
    group.delete()
