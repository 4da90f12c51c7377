"""Every change to client records, their profiles, case numbers, types, warnings, groups and
navigators. Each is an ``@action``: one transaction, its audit row, its rules (contact data and
tax ids are normalized and checked here, whoever calls)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portico.accounts.models import User
from portico.audit.actions import audit_record
from portico.audit.decorators import action
from portico.audit.models import AuditAction
from portico.clients.images import image_process
from portico.clients.models import (
    CLIENT_MACHINE,
    STAFF_STATUS_ACTIONS,
    CaseNumberCounter,
    Client,
    ClientGroup,
    ClientKind,
    ClientType,
    Group,
    NavigatorAssignment,
    Profile,
    RecordType,
    WarningIndicator,
)
from portico.clients.signals import client_changing, client_contact_changed, client_leaving, client_returning
from portico.clients.taxid import tax_id_normalize
from portico.core.actors import Actor
from portico.core.contact import email_normalize, phone_normalize
from portico.core.errors import PorticoError
from portico.core.timezones import time_zone_names
from portico.orgs.models import Membership, MembershipStatus, Organization, org_reference_changed

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
    "trade_name",
    "email",
    "phone",
    "date_of_birth",
    "address",
    "language",
    "notes",
    "tax_id",
    "client_type",
    "time_zone",
)


def _fields_clean(*, org: Organization, fields: dict[str, Any]) -> dict[str, Any]:
    """The rules for a record's fields, in one place: every create and update goes through here.
    Every refused field is reported at once (``extra["errors"]``), the first one also as the
    refusal's message."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not client fields: {sorted(unknown)}")
    clean = dict(fields)
    errors: list[dict[str, str]] = []

    def check(name: str, rule: Any) -> None:
        if name in clean:
            try:
                clean[name] = rule(clean[name])
            except PorticoError as exc:
                errors.append({"field": name, "message": str(exc.message)})

    check("name", _name)
    check("email", email_normalize)
    check("phone", phone_normalize)
    check("tax_id", tax_id_normalize)
    check("kind", lambda v: _choice(v or ClientKind.PERSON, ClientKind, _("Choose person or company.")))
    check("record_type", lambda v: _choice(v or RecordType.CLIENT, RecordType, _("Choose client or employee.")))
    check("language", _language)
    check("client_type", lambda v: _client_type(org, v))
    check("time_zone", _time_zone)
    for name in ("address", "notes", "trade_name"):
        check(name, lambda v: (v or "").strip())
    for name, value in clean.items():  # PostgreSQL text cannot hold NUL: refused, not a database error
        if isinstance(value, str) and "\x00" in value:
            errors.append({"field": name, "message": str(_("Text may not contain NUL characters."))})
    if errors:
        raise PorticoError(errors[0]["message"], code="invalid", extra={"field": errors[0]["field"], "errors": errors})
    return clean


def _time_zone(value: str | None) -> str:
    value = (value or "").strip()
    if value and value not in time_zone_names():
        raise PorticoError(_("Choose a time zone from the list."), code="invalid")
    return value


def _refused(message: str) -> PorticoError:
    return PorticoError(message, code="invalid")


def _name(value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        raise _refused(_("A client needs a name."))
    return value


def _choice(value: str, choices: type[Any], message: str) -> str:
    if value not in choices.values:
        raise _refused(message)
    return value


def _language(value: str | None) -> str:
    value = (value or "").strip()
    if value and value not in dict(settings.LANGUAGES):
        raise _refused(_("Choose one of: %(codes)s.") % {"codes": ", ".join(dict(settings.LANGUAGES))})
    return value


def _client_type(org: Organization, value: ClientType | int | None) -> ClientType | None:
    """One of the organization's client types (forms send its id, the API and actions the object)."""
    if isinstance(value, int):
        value = ClientType.objects.filter(org=org, pk=value).first() or value
    if value is not None and (isinstance(value, int) or value.org_id != org.pk):
        raise _refused(_("Choose one of this organization's client types."))
    return value


# --- case numbers ---


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


@action
def client_types_create_defaults(*, org: Organization, actor: Actor) -> list[ClientType]:
    """A new organization's client types, in its language (on ``organization_created``)."""
    with translation.override(org.language):
        return [
            client_type_create(org=org, actor=actor, name=_(name), position=i)
            for i, name in enumerate(DEFAULT_CLIENT_TYPES)
        ]


@action
def client_type_create(*, org: Organization, actor: Actor, name: str, position: int | None = None) -> ClientType:
    """A new client type, last in the list unless ``position`` says otherwise."""
    name = name.strip()
    if not name:
        raise PorticoError(_("A client type needs a name."), code="empty")
    if position is None:
        position = ClientType.objects.filter(org=org).count()
    if ClientType.objects.filter(org=org, name__iexact=name).exists():
        raise PorticoError(_("A client type named “%(name)s” already exists.") % {"name": name}, code="duplicate")
    client_type = ClientType.objects.create(org=org, name=name, position=position)
    org_reference_changed(org)
    audit_record(org=org, actor=actor, action=AuditAction.CLIENT_TYPE_CREATED, target=client_type)
    return client_type


@action
def warning_create(*, org: Organization, actor: Actor, label: str, colour: str, icon: str) -> WarningIndicator:
    label = label.strip()
    if WarningIndicator.objects.filter(org=org, label__iexact=label).exists():
        raise PorticoError(_("A warning named “%(name)s” already exists.") % {"name": label}, code="duplicate")
    warning = WarningIndicator.objects.create(org=org, label=label, colour=colour, icon=icon)
    org_reference_changed(org)
    audit_record(org=org, actor=actor, action=AuditAction.WARNING_CREATED, target=warning)
    return warning


# --- records ---


@action
def client_create(*, org: Organization, actor: Actor, name: str, create_profile: bool = False, **fields: Any) -> Client:
    """A new record with the next case number. With ``create_profile`` the client's profile is
    made now ("create before acceptance") and the client is active; otherwise not invited."""
    fields = _fields_clean(org=org, fields={**fields, "name": name})
    client = Client.objects.create(org=org, case_number=_case_number_next(org), created_by=actor.user, **fields)
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
    return client


@action
def client_update(*, client: Client, actor: Actor, **fields: Any) -> Client:
    """Change the fields given (only those). The apps above may refuse the change first
    (``client_changing``). A new email or mobile number tells the apps above
    (``client_contact_changed``): invitations sent to the old address are revoked."""
    fields = _fields_clean(org=client.org, fields=fields)
    changes = {}
    for field, value in fields.items():
        old = getattr(client, field)
        if old != value:
            changes[field] = {"from": _jsonable(old), "to": _jsonable(value)}
    if not changes:
        return client
    client_changing.send(sender=Client, client=client, actor=actor, changes=changes)
    for field in changes:
        setattr(client, field, fields[field])
    client.save(update_fields=list(changes))
    audit_record(org=client.org_id, actor=actor, action=AuditAction.CLIENT_CHANGED, target=client, detail=changes)
    channels = [channel for field, channel in (("email", "email"), ("phone", "sms")) if field in changes]
    if channels:
        client_contact_changed.send(sender=Client, client=client, actor=actor, channels=channels)
    return client


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


@action
def client_transition(*, client: Client, action: str, actor: Actor, detail: dict[str, Any] | None = None) -> Client:
    """Move a live client along the lifecycle table (conditional on the status the caller saw,
    so two staff acting at once cannot both move it)."""
    CLIENT_MACHINE.apply(client, action, actor=actor, where=Q(deleted_at=None), detail=detail)
    return client


@action
def client_status_change(*, client: Client, action: str, actor: Actor) -> Client:
    """The moves staff choose (the record's Status section, the API): archive, unarchive,
    deactivate, reactivate, close, reopen."""
    if action not in STAFF_STATUS_ACTIONS:
        raise PorticoError(_("Choose a status change."), code="invalid", extra={"field": "action"})
    if action == "close":
        return client_close(client=client, actor=actor)
    client = client_transition(client=client, action=action, actor=actor)
    if action in RETURNING:
        client_returning.send(sender=Client, client=client, actor=actor, reason=RETURNING[action])
    return client


RETURNING = {"reopen": "reopened", "unarchive": "unarchived"}  # the moves that make a record live again


@action
def client_close(*, client: Client, actor: Actor) -> Client:
    CLIENT_MACHINE.target(client.status, "close")  # refused before anything else happens
    client_leaving.send(sender=Client, client=client, actor=actor, reason="closed")
    return client_transition(client=client, action="close", actor=actor)


@action
def client_invitation_sent(*, client: Client, actor: Actor) -> Client:
    """Called by the invitations app when it sends a portal invitation to a client who was not
    invited (clients with a profile but no portal account keep their status)."""
    return client_transition(client=client, action="send_invitation", actor=actor)


@action
def client_invitation_revoked(*, client: Client, actor: Actor) -> Client:
    return client_transition(client=client, action="revoke_invitation", actor=actor)


def _ensure_no_profile(client: Client) -> None:
    if client.profile_id is not None:
        raise PorticoError(_("This client already has a profile."), code="has_profile")


def _profile_move(client: Client, action: str, profile: Profile, actor: Actor, **detail: Any) -> Client:
    """Link ``profile`` and move the status in one conditional UPDATE; both are audited."""
    _ensure_no_profile(client)
    CLIENT_MACHINE.apply(client, action, actor=actor, where=Q(deleted_at=None), updates={"profile": profile})
    client.profile = profile
    audit_record(
        org=client.org_id,
        actor=actor,
        action=AuditAction.CLIENT_PROFILE_LINKED,
        target=client,
        detail={"profile": profile.pk, **detail},
    )
    return client


@action
def client_invitation_accepted(*, client: Client, actor: Actor, profile: Profile) -> Client:
    """The client accepted with a new profile (which they organize): linked, and active."""
    return _profile_move(client, "accept_invitation", profile, actor, created=True, by_invitation=True)


@action(
    tx="caller",
    audited=False,
    why="the caller links the new profile to the record in the same change, and the link is audited",
)
def client_profile_from_record(*, client: Client, organizer: User | None = None) -> Profile:
    """A new profile with the record's details. With ``organizer`` (the client's portal user) it
    is theirs: their name (else the record's) and their email, the one they sign in with."""
    return Profile.objects.create(
        full_name=(organizer.full_name if organizer is not None else "") or client.name,
        email=organizer.email if organizer is not None else client.email,
        phone=client.phone,
        date_of_birth=client.date_of_birth,
        address=client.address,
        language=client.language,
        organizer=organizer,
    )


@action
def client_profile_create(*, client: Client, actor: Actor) -> Client:
    """Create the client's profile from the record now, before any acceptance: active."""
    _ensure_no_profile(client)
    CLIENT_MACHINE.target(client.status, "create_profile")
    profile = client_profile_from_record(client=client)
    return _profile_move(client, "create_profile", profile, actor, created=True)


@action
def client_profile_assign(
    *, client: Client, profile: Profile, actor: Actor, contact_is_organizer: bool = True
) -> Client:
    """Link an existing profile. If the point of contact does not organize that profile, the
    client stays inactive until something changes (seed 000)."""
    move = "assign_profile" if contact_is_organizer else "assign_profile_not_organizer"
    return _profile_move(client, move, profile, actor, created=False, contact_is_organizer=contact_is_organizer)


@action
def client_profile_link_existing(*, client: Client, profile: Profile, actor: Actor, organizer: User | None) -> Client:
    """Link a profile to a record that is already active or inactive without one (records from
    before profiles existed), or make ``organizer`` the organizer of the record's profile staff
    created before acceptance. No status move: the caller decides that."""
    if client.profile_id is None:
        Client.objects.filter(pk=client.pk, profile=None).update(profile=profile)
        client.profile = profile
        detail: dict[str, Any] = {"profile": profile.pk, "created": True, "by_invitation": True}
    else:
        Profile.objects.filter(pk=profile.pk, organizer=None).update(organizer=organizer)
        profile.organizer = organizer
        detail = {"profile": profile.pk, "organizer_set": True, "by_invitation": True}
    audit_record(org=client.org_id, actor=actor, action=AuditAction.CLIENT_PROFILE_LINKED, target=client, detail=detail)
    return client


@action
def client_change_case_number(*, client: Client, actor: Actor, case_number: str) -> Client:
    case_number = case_number.strip()
    if not case_number:
        raise PorticoError(_("A case number cannot be empty."), code="empty")
    if len(case_number) > 40:
        raise PorticoError(_("A case number has at most 40 characters."), code="too_long")
    if case_number == client.case_number:
        return client
    duplicate = PorticoError(
        _("The case number %(number)s is already used by another record.") % {"number": case_number},
        code="duplicate",
    )
    if Client.objects.filter(org=client.org_id, case_number=case_number).exclude(pk=client.pk).exists():
        raise duplicate
    old = client.case_number
    try:
        with transaction.atomic():  # a parallel edit may take the number first
            Client.objects.filter(pk=client.pk).update(case_number=case_number)
    except IntegrityError:
        raise duplicate from None
    client.case_number = case_number
    audit_record(
        org=client.org_id,
        actor=actor,
        action=AuditAction.CLIENT_CASE_NUMBER_CHANGED,
        target=client,
        detail={"from": old, "to": case_number},
    )
    return client


@action
def client_set_image(*, client: Client, actor: Actor, upload: UploadedFile) -> Client:
    """Replace the record image with a re-encoded copy (see images.py: sniffed, size- and
    bomb-checked, EXIF stripped) and its thumbnail. Old files are removed after commit."""
    processed = image_process(upload)
    old = [f.name for f in (client.image, client.thumbnail) if f]
    client.image.save(processed.image.name, processed.image, save=False)
    client.thumbnail.save(processed.thumbnail.name, processed.thumbnail, save=False)
    client.save(update_fields=["image", "thumbnail"])
    audit_record(org=client.org_id, actor=actor, action=AuditAction.CLIENT_IMAGE_CHANGED, target=client)
    storage = client.image.storage
    transaction.on_commit(lambda: [storage.delete(name) for name in old])
    return client


@action
def client_set_warnings(*, client: Client, actor: Actor, warnings: list[WarningIndicator]) -> Client:
    if any(w.org_id != client.org_id for w in warnings):
        raise PorticoError(_("Choose this organization's warning indicators."))
    before = sorted(w.label for w in client.warnings.all())
    after = sorted(w.label for w in warnings)
    if before == after:
        return client
    client.warnings.set(warnings)
    client.__dict__.pop("warnings_data", None)  # a list annotation loaded earlier is now stale
    audit_record(
        org=client.org_id,
        actor=actor,
        action=AuditAction.CLIENT_CHANGED,
        target=client,
        detail={"warnings": {"from": before, "to": after}},
    )
    return client


@action
def client_set_groups(*, client: Client, actor: Actor, groups: list[Group]) -> Client:
    """Make the record's groups exactly ``groups``."""
    current = set(ClientGroup.objects.filter(client=client).values_list("group_id", flat=True))
    wanted = {g.pk: g for g in groups}
    return client_change_groups(
        client=client,
        actor=actor,
        add=[g for pk, g in wanted.items() if pk not in current],
        remove=list(Group.objects.filter(pk__in=current - set(wanted))),
    )


@action
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
        org=client.org_id,
        actor=actor,
        action=AuditAction.CLIENT_GROUPS_CHANGED,
        target=client,
        detail={"added": sorted(names[pk] for pk in added), "removed": sorted(names[pk] for pk in removed)},
    )
    return client


@action
def client_assign_navigator(*, client: Client, actor: Actor, navigator: User) -> Client:
    active_staff = Membership.objects.filter(org=client.org_id, user=navigator, status=MembershipStatus.ACTIVE)
    if not active_staff.exists():
        raise PorticoError(_("Only active staff of this organization can be assigned."), code="not_staff")
    _assignment, created = NavigatorAssignment.objects.get_or_create(client=client, user=navigator)
    if not created:
        raise PorticoError(_("%(name)s is already assigned to this client.") % {"name": navigator}, code="already")
    audit_record(
        org=client.org_id,
        actor=actor,
        action=AuditAction.CLIENT_NAVIGATOR_ASSIGNED,
        target=client,
        detail={"navigator": navigator.pk, "name": navigator.display_name},
    )
    return client


@action
def client_unassign_navigator(*, client: Client, actor: Actor, navigator: User) -> Client:
    deleted, _by_model = NavigatorAssignment.objects.filter(client=client, user=navigator).delete()
    if not deleted:
        raise PorticoError(_("%(name)s is not assigned to this client.") % {"name": navigator}, code="not_assigned")
    audit_record(
        org=client.org_id,
        actor=actor,
        action=AuditAction.CLIENT_NAVIGATOR_UNASSIGNED,
        target=client,
        detail={"navigator": navigator.pk, "name": navigator.display_name},
    )
    return client


@action
def client_delete(*, client: Client, actor: Actor) -> Client:
    """Delete the client record only: it leaves every list, search and the API, but is kept
    (never scrubbed) with its profile, so support can restore it."""
    if client.deleted_at is not None:
        raise PorticoError(_("This client record is already deleted."), code="already_deleted")
    # First, while the record is live: e.g. an invite-sent client goes back to not invited.
    client_leaving.send(sender=Client, client=client, actor=actor, reason="deleted")
    now = timezone.now()
    changed = Client.objects.filter(pk=client.pk, deleted_at=None).update(deleted_at=now, deleted_by=actor.user)
    if not changed:
        raise PorticoError(_("This client record is already deleted."), code="already_deleted")
    audit_record(
        org=client.org_id,
        actor=actor,
        action=AuditAction.CLIENT_DELETED,
        target=client,
        detail={"case_number": client.case_number},
    )
    client.deleted_at = now
    return client


@action
def client_restore(*, client: Client, actor: Actor) -> Client:
    if actor.user is None or not actor.user.is_operator:
        raise PorticoError(_("Only support can restore deleted records."), code="support_only")
    changed = Client.objects.filter(pk=client.pk).exclude(deleted_at=None).update(deleted_at=None, deleted_by=None)
    if not changed:
        raise PorticoError(_("This client record is not deleted."), code="not_deleted")
    audit_record(org=client.org_id, actor=actor, action=AuditAction.CLIENT_RESTORED, target=client)
    client.deleted_at = None
    client_returning.send(sender=Client, client=client, actor=actor, reason="restored")
    return client


# --- groups ---


@action
def group_create(*, org: Organization, actor: Actor, name: str) -> Group:
    name = name.strip()
    if not name:
        raise PorticoError(_("A group needs a name."))
    duplicate = PorticoError(_("A group named “%(name)s” already exists.") % {"name": name}, code="duplicate")
    if Group.objects.filter(org=org, name__iexact=name).exists():
        raise duplicate
    try:
        with transaction.atomic():
            group = Group.objects.create(org=org, name=name)
    except IntegrityError:
        raise duplicate from None
    org_reference_changed(org)
    audit_record(org=org, actor=actor, action=AuditAction.GROUP_CREATED, target=group)
    return group


@action
def group_delete(*, group: Group, actor: Actor) -> None:
    members = ClientGroup.objects.filter(group=group).count()
    audit_record(
        org=group.org_id, actor=actor, action=AuditAction.GROUP_DELETED, target=group, detail={"clients": members}
    )
    org_reference_changed(group.org_id)
    group.delete()
