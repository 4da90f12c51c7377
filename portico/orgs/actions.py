"""Every change to organizations, roles, staff memberships, staff invitations and API keys."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portico.accounts.actions import account_create, account_email_confirm, user_sessions_end
from portico.accounts.models import User
from portico.audit.actions import audit_record
from portico.audit.decorators import action
from portico.audit.models import AuditAction
from portico.audit.transitions import Stale
from portico.core.actors import Actor
from portico.core.contact import email_normalize
from portico.core.errors import PorticoError
from portico.core.money import CURRENCIES
from portico.core.timezones import time_zone_names
from portico.core.tokens import token_digest, token_new
from portico.orgs.models import (
    MEMBERSHIP_MACHINE,
    STAFF_INVITATION_MACHINE,
    ApiKey,
    Membership,
    MembershipStatus,
    Organization,
    Role,
    StaffInvitation,
    StaffInvitationStatus,
    case_number_pattern_check,
    org_reference_changed,
)
from portico.orgs.permissions import ALL, DEFAULT_ROLES, Permission, permission_check
from portico.orgs.selectors import staff_invitation_lookup
from portico.orgs.signals import organization_created
from portico.outbox.actions import outbox_enqueue_email

ORG_SETTINGS = (
    "name",
    "language",
    "require_mfa",
    "case_number_pattern",
    "mute_closed_clients",
    "currency",
    "time_zone",
)

# --- organizations ---


@action
def org_create(
    *,
    name: str,
    slug: str,
    actor: Actor,
    language: str = "en",
    admin_user: User | None = None,
    admin_email: str = "",
) -> Organization:
    """A new tenant with the default roles; its first admin is ``admin_user`` (made a member
    now) or ``admin_email`` (invited). The apps above provision their defaults (client types,
    request kinds, ...) on ``organization_created``, in this transaction."""
    if Organization.objects.filter(slug=slug).exists():
        raise PorticoError(_("The short name “%(slug)s” is taken.") % {"slug": slug})
    prefix = "".join(ch for ch in slug.upper() if ch.isalnum())[:3] or "C"
    org = Organization.objects.create(
        name=name, slug=slug, language=language, case_number_pattern=f"{prefix}-{{year}}-{{seq:05}}"
    )
    with translation.override(language):
        roles = [
            Role.objects.create(
                org=org,
                name=str(role_name),
                grants_all=perms is None,
                permissions=[] if perms is None else [str(p) for p in perms],
            )
            for role_name, perms in DEFAULT_ROLES.items()
        ]
    audit_record(org=org, actor=actor, action=AuditAction.ORG_CREATED, target=org, detail={"slug": slug})
    organization_created.send(sender=Organization, org=org, actor=actor)
    admin_role = next(role for role in roles if role.grants_all)
    if admin_user is not None:
        membership_add(org=org, user=admin_user, role=admin_role, actor=actor)
    if admin_email:
        staff_invitation_send(org=org, actor=actor, email=admin_email, role=admin_role)
    return org


@action
def org_settings_update(*, org: Organization, actor: Actor, **fields: Any) -> Organization:
    unknown = set(fields) - set(ORG_SETTINGS)
    if unknown:
        raise ValueError(f"not organization settings: {sorted(unknown)}")
    if "case_number_pattern" in fields:
        case_number_pattern_check(fields["case_number_pattern"])
    if "currency" in fields and fields["currency"] not in CURRENCIES:
        raise PorticoError(_("Choose a currency from the list."), code="bad_currency")
    if "time_zone" in fields and fields["time_zone"] not in time_zone_names():
        raise PorticoError(_("Choose a time zone from the list."), code="bad_time_zone")
    changes = {}
    for field, value in fields.items():
        old = getattr(org, field)
        if old != value:
            changes[field] = {"from": old, "to": value}
            setattr(org, field, value)
    if changes:
        org.save(update_fields=list(changes))
        audit_record(org=org, actor=actor, action=AuditAction.ORG_SETTINGS_CHANGED, target=org, detail=changes)
    return org


# --- who may do what (the checks behind roles, memberships and invitations) ---


def _clean_permissions(codes: list[str]) -> list[str]:
    return sorted({str(permission_check(code)) for code in codes})


def _lock_org(org: Organization) -> None:
    """Serialize changes to who may administer an organization (two admins removing each other
    at once would otherwise both pass the "someone is left" check)."""
    Organization.objects.select_for_update().filter(pk=org.pk).first()


def _actor_permissions(org: Organization, actor: Actor) -> frozenset[str]:
    if actor.user is None or actor.user.is_operator:  # the system itself and support
        return ALL
    membership = (
        Membership.objects.select_related("role")
        .filter(org=org, user=actor.user, status=MembershipStatus.ACTIVE)
        .first()
    )
    return membership.role.permission_set if membership else frozenset()


def _ensure_actor_holds(org: Organization, actor: Actor, permissions: frozenset[str]) -> None:
    """Nobody hands out (or takes from others) more than their own role allows."""
    missing = sorted(permissions - _actor_permissions(org, actor))
    if missing:
        raise PorticoError(
            _(
                "Your role lacks these permissions: %(permissions)s. You cannot grant them, or act on someone who has them."
            )
            % {"permissions": ", ".join(missing)},
            code="escalation",
            extra={"missing": missing},
        )


def _ensure_someone_can_administer(org: Organization) -> None:
    """Refuse a change that would leave no active member able to manage staff and roles."""
    for membership in Membership.objects.filter(org=org, status=MembershipStatus.ACTIVE).select_related("role"):
        perms = membership.role.permission_set
        if Permission.ROLES_MANAGE in perms and Permission.STAFF_MANAGE in perms:
            return
    raise PorticoError(
        _(
            "This change would leave nobody who can manage staff and roles. Give another active member that access first."
        ),
        code="last_admin",
    )


def _ensure_role_of(org: Organization, role: Role) -> None:
    if role.org_id != org.pk:
        raise PorticoError(_("Choose one of this organization's roles."))


def _ensure_role_name_free(org: Organization, name: str, role: Role | None = None) -> None:
    others = Role.objects.filter(org=org, name__iexact=name)
    if role is not None:
        others = others.exclude(pk=role.pk)
    if others.exists():
        raise PorticoError(_("A role named “%(name)s” already exists.") % {"name": name}, code="duplicate")


# --- roles ---


@action
def role_create(*, org: Organization, actor: Actor, name: str, description: str = "", permissions: list[str]) -> Role:
    name = name.strip()
    _ensure_role_name_free(org, name)
    codes = _clean_permissions(permissions)
    _ensure_actor_holds(org, actor, frozenset(codes))
    role = Role.objects.create(org=org, name=name, description=description, permissions=codes)
    audit_record(
        org=org, actor=actor, action=AuditAction.ROLE_CREATED, target=role, detail={"permissions": role.permissions}
    )
    return role


@action
def role_update(*, role: Role, actor: Actor, name: str, description: str = "", permissions: list[str]) -> Role:
    name = name.strip()
    _ensure_role_name_free(role.org, name, role)
    _lock_org(role.org)
    before = set(role.permission_set)
    new_permissions = _clean_permissions(permissions)
    if not role.grants_all:
        _ensure_actor_holds(role.org, actor, frozenset(set(new_permissions) ^ before))
    detail: dict[str, Any] = {}
    if role.name != name:
        detail["name"] = {"from": role.name, "to": name}
    if role.description != description:
        detail["description"] = {"from": role.description, "to": description}
    if not role.grants_all:
        added, removed = sorted(set(new_permissions) - before), sorted(before - set(new_permissions))
        if added:
            detail["added"] = added
        if removed:
            detail["removed"] = removed
        role.permissions = new_permissions
    if not detail:
        return role
    role.name, role.description = name, description
    role.save()
    _ensure_someone_can_administer(role.org)
    audit_record(org=role.org, actor=actor, action=AuditAction.ROLE_CHANGED, target=role, detail=detail)
    return role


@action
def role_delete(*, role: Role, actor: Actor) -> None:
    if role.grants_all:
        raise PorticoError(_("The %(name)s role cannot be deleted.") % {"name": role.name}, code="protected")
    in_use = (
        role.memberships.exists()
        or role.invitations.filter(status=StaffInvitationStatus.PENDING).exists()
        or role.api_keys.filter(revoked_at=None).exists()
    )
    if in_use:
        raise PorticoError(
            _(
                "Staff members, pending invitations or API keys still use the role “%(name)s”. Give them another role first."
            )
            % {"name": role.name},
            code="in_use",
        )
    audit_record(
        org=role.org,
        actor=actor,
        action=AuditAction.ROLE_DELETED,
        target=role,
        detail={"permissions": sorted(role.permission_set)},
    )
    role.delete()


# --- staff invitations ---


def _invitation_expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=settings.STAFF_INVITATION_DAYS)


def _send_invitation_email(invitation: StaffInvitation, raw_token: str) -> None:
    outbox_enqueue_email(
        org=invitation.org,
        to=invitation.email,
        template="orgs/email/staff_invitation",
        context={"invitation": invitation, "org": invitation.org, "expires_at": invitation.expires_at},
        idempotency_key=f"staff-invitation:{invitation.pk}:{invitation.sent_count}",
        language=invitation.org.language,
        # The raw token travels in the mail only, never in a readable row.
        secrets={"link": settings.SITE_URL + reverse("staff_invitation", args=[raw_token])},
    )


@action
def staff_invitation_send(*, org: Organization, actor: Actor, email: str, role: Role) -> StaffInvitation:
    email = email_normalize(email)
    if not email:
        raise PorticoError(_("Enter the new staff member's email address."), code="invalid", extra={"field": "email"})
    _ensure_role_of(org, role)
    _ensure_actor_holds(org, actor, role.permission_set)
    if Membership.objects.filter(org=org, user__email__iexact=email).exists():
        raise PorticoError(
            _("%(email)s is already a staff member here. Reactivate or change their role instead.") % {"email": email},
            code="already_member",
        )
    if StaffInvitation.objects.filter(org=org, email__iexact=email, status=StaffInvitationStatus.PENDING).exists():
        raise PorticoError(
            _("%(email)s already has a pending invitation. Resend it instead.") % {"email": email},
            code="already_invited",
        )
    raw, digest = token_new()
    invitation = StaffInvitation.objects.create(
        org=org,
        email=email,
        role=role,
        token_digest=digest,
        expires_at=_invitation_expiry(),
        invited_by=actor.user,
    )
    audit_record(
        org=org,
        actor=actor,
        action=AuditAction.STAFF_INVITED,
        target=invitation,
        to_state=StaffInvitationStatus.PENDING,
        detail={"role": role.name},
    )
    _send_invitation_email(invitation, raw)
    return invitation


@action
def staff_invitation_resend(*, invitation: StaffInvitation, actor: Actor) -> StaffInvitation:
    """A new link (the old one stops working) and a new expiry, to the original address."""
    raw, digest = token_new()
    # Row lock: two resends at once get distinct counts, so neither reuses the other's message.
    StaffInvitation.objects.select_for_update().filter(pk=invitation.pk).first()
    STAFF_INVITATION_MACHINE.apply(
        invitation,
        "resend",
        actor=actor,
        updates={"token_digest": digest, "expires_at": _invitation_expiry(), "sent_count": F("sent_count") + 1},
    )
    invitation.refresh_from_db()
    _send_invitation_email(invitation, raw)
    return invitation


@action
def staff_invitation_revoke(*, invitation: StaffInvitation, actor: Actor) -> StaffInvitation:
    STAFF_INVITATION_MACHINE.apply(invitation, "revoke", actor=actor)
    return invitation


def _invalid_link() -> PorticoError:
    return PorticoError(_("This invitation link is invalid, expired or already used."), code="invalid_link")


@action(tx="durable")  # the link is spent and the person signed in only once this commits
def staff_invitation_accept(
    *, raw_token: str, actor: Actor, user: User | None = None, full_name: str = "", password: str = ""
) -> Membership:
    """Consume the link and make the person staff. ``user`` is the signed-in account whose
    email matches; without it a new account is created with ``password``.

    One conditional UPDATE consumes the link, so two parallel clicks cannot both succeed."""
    invitation = staff_invitation_lookup(raw_token=raw_token)
    if invitation is None or invitation.role is None:  # a pending invitation keeps its role (role_delete)
        raise _invalid_link()
    if user is not None and user.email.lower() != invitation.email.lower():
        raise PorticoError(
            _("This invitation is for %(email)s. Sign out and open the link again.") % {"email": invitation.email},
            code="wrong_account",
        )
    role = invitation.role
    now = timezone.now()
    new_account = user is None
    if user is None:  # checked before the link is used up, so a refusal leaves it usable
        user = account_create(
            actor=actor, email=invitation.email, full_name=full_name, password=password, email_verified=True
        )
    else:
        account_email_confirm(user=user, verified=True)  # the link proved the address
    accepted = Actor(kind=actor.kind, user=user, ip=actor.ip, user_agent=actor.user_agent)
    try:
        STAFF_INVITATION_MACHINE.apply(
            invitation,
            "accept",
            actor=accepted,
            where=Q(token_digest=invitation.token_digest, expires_at__gt=now),
            updates={"accepted_at": now, "accepted_by": user},
            detail={"role": role.name, "new_account": new_account},
        )
    except Stale:
        raise _invalid_link() from None
    membership = Membership.objects.filter(org=invitation.org, user=user).first()
    if membership is None:
        return membership_add(org=invitation.org, user=user, role=role, actor=accepted)
    if membership.status != MembershipStatus.ACTIVE:
        membership_reactivate(membership=membership, actor=accepted, role=role)
    elif membership.role_id != role.pk:
        membership_change_role(membership=membership, role=role, actor=Actor.system())
    return membership


# --- memberships ---


@action
def membership_add(*, org: Organization, user: User, role: Role, actor: Actor) -> Membership:
    """Make an account staff (the accepted invitation, support, and the demo data)."""
    _ensure_role_of(org, role)
    membership, created = Membership.objects.get_or_create(org=org, user=user, defaults={"role": role})
    if not created:
        raise PorticoError(
            _("%(email)s is already a staff member here.") % {"email": user.email}, code="already_member"
        )
    org_reference_changed(org)  # one more person who can be a navigator
    audit_record(
        org=org,
        actor=actor,
        action=AuditAction.STAFF_ADDED,
        target=membership,
        to_state=membership.status,
        detail={"role": role.name},
    )
    return membership


@action
def membership_change_role(*, membership: Membership, role: Role, actor: Actor) -> Membership:
    _ensure_role_of(membership.org, role)
    _lock_org(membership.org)
    _ensure_actor_holds(membership.org, actor, role.permission_set | membership.role.permission_set)
    old = membership.role
    if old.pk == role.pk:
        return membership
    membership.role = role
    membership.save(update_fields=["role"])
    _ensure_someone_can_administer(membership.org)
    audit_record(
        org=membership.org,
        actor=actor,
        action=AuditAction.STAFF_ROLE_CHANGED,
        target=membership,
        detail={"from": old.name, "to": role.name},
    )
    return membership


@action
def membership_deactivate(*, membership: Membership, actor: Actor) -> Membership:
    """Take away a staff member's access to this organization at once: their sessions end."""
    if actor.user is not None and membership.user_id == actor.user.pk:
        raise PorticoError(_("You cannot deactivate yourself."), code="self")
    _lock_org(membership.org)
    _ensure_actor_holds(membership.org, actor, membership.role.permission_set)
    MEMBERSHIP_MACHINE.target(membership.status, "deactivate")  # refused before any session ends
    ended = user_sessions_end(user=membership.user)
    MEMBERSHIP_MACHINE.apply(membership, "deactivate", actor=actor, detail={"sessions_ended": ended})
    _ensure_someone_can_administer(membership.org)
    org_reference_changed(membership.org_id)
    return membership


@action
def membership_reactivate(*, membership: Membership, actor: Actor, role: Role | None = None) -> Membership:
    """Back to active; with ``role`` (an accepted staff invitation) in the same move."""
    MEMBERSHIP_MACHINE.apply(membership, "reactivate", actor=actor, updates={"role": role} if role else None)
    if role is not None:
        membership.role = role
    org_reference_changed(membership.org_id)
    return membership


# --- API keys ---

API_KEY_TOUCH_INTERVAL = dt.timedelta(minutes=1)  # last_used_at is written at most this often


def _api_key_new() -> tuple[str, str, str]:
    """(raw key ``pk_<prefix>_<secret>``, prefix, SHA-256 digest of the whole key)."""
    prefix = secrets.token_hex(4)  # 8 characters, shown in lists to tell keys apart
    raw = f"pk_{prefix}_{secrets.token_urlsafe(32)}"  # 32 bytes = 256 bits of secret
    return raw, prefix, token_digest(raw)


@action
def api_key_create(*, org: Organization, actor: Actor, name: str, role: Role) -> tuple[ApiKey, str]:
    """A new key with ``role``'s permissions. Returns the raw key, which is shown once and never
    stored: only its digest is."""
    name = name.strip()
    if not name:
        raise PorticoError(_("An API key needs a name."), code="invalid")
    _ensure_role_of(org, role)
    raw, prefix, digest = _api_key_new()
    api_key = ApiKey.objects.create(
        org=org, name=name[:100], prefix=prefix, key_digest=digest, role=role, created_by=actor.user
    )
    audit_record(
        org=org,
        actor=actor,
        action=AuditAction.API_KEY_CREATED,
        target=api_key,
        detail={"name": api_key.name, "prefix": prefix, "role": role.name},
    )
    return api_key, raw


@action
def api_key_revoke(*, api_key: ApiKey, actor: Actor) -> ApiKey:
    """Stop the key working at once. Conditional on it still being live: revoking twice is refused."""
    now = timezone.now()
    changed = ApiKey.objects.filter(pk=api_key.pk, revoked_at=None).update(revoked_at=now)
    if not changed:
        raise PorticoError(_("This API key is already revoked."), code="already_revoked")
    audit_record(
        org=api_key.org,
        actor=actor,
        action=AuditAction.API_KEY_REVOKED,
        target=api_key,
        detail={"name": api_key.name, "prefix": api_key.prefix},
    )
    api_key.revoked_at = now
    return api_key


@action(tx="own", audited=False, why="it only notes when a key was last used")
def api_key_authenticate(*, raw_key: str) -> ApiKey | None:
    """The live key (with its organization and role) for a raw ``pk_…`` key, or None: malformed,
    unknown and revoked keys look alike. Records the last use at most once a minute, with a
    conditional UPDATE so parallel requests write it once."""
    parts = raw_key.split("_", 2)
    if len(raw_key) > 200 or len(parts) != 3 or parts[0] != "pk" or len(parts[1]) != 8 or not parts[2]:
        return None
    digest = token_digest(raw_key)
    api_key = ApiKey.objects.select_related("org", "role").filter(key_digest=digest, revoked_at=None).first()
    if api_key is None or not hmac.compare_digest(api_key.key_digest, digest):
        return None
    now = timezone.now()
    stale = now - API_KEY_TOUCH_INTERVAL
    if api_key.last_used_at is None or api_key.last_used_at < stale:
        ApiKey.objects.filter(Q(last_used_at=None) | Q(last_used_at__lt=stale), pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key
