"""Organization-scoped reads. Every lookup by id happens inside the organization: another
organization's id gives the same 404 as an id that does not exist."""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from portico.accounts.models import User
from portico.core.tokens import token_digest
from portico.orgs.models import (
    ApiKey,
    Membership,
    MembershipStatus,
    Organization,
    Role,
    StaffInvitation,
    StaffInvitationStatus,
)


def role_list(*, org: Organization) -> QuerySet[Role]:
    return Role.objects.filter(org=org).annotate(
        member_count=Count("memberships", filter=Q(memberships__status=MembershipStatus.ACTIVE))
    )


def roles_grantable(*, org: Organization, permissions: frozenset[str]) -> QuerySet[Role]:
    """The roles someone holding ``permissions`` may hand out (nobody grants more than they hold)."""
    roles = [role.pk for role in Role.objects.filter(org=org) if role.permission_set <= permissions]
    return Role.objects.filter(pk__in=roles)


def role_get(*, org: Organization, role_id: int) -> Role:
    return get_object_or_404(Role, org=org, pk=role_id)


def membership_list(*, org: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(org=org)
        .select_related("user", "role")
        .order_by("status", "user__full_name", "user__email")
    )


def membership_get(*, org: Organization, membership_id: int) -> Membership:
    return get_object_or_404(Membership.objects.select_related("user", "role"), org=org, pk=membership_id)


def staff_invitation_list(*, org: Organization) -> QuerySet[StaffInvitation]:
    return StaffInvitation.objects.filter(org=org, status=StaffInvitationStatus.PENDING).select_related(
        "role", "invited_by"
    )


def staff_invitation_get(*, org: Organization, invitation_id: int) -> StaffInvitation:
    return get_object_or_404(StaffInvitation.objects.select_related("role"), org=org, pk=invitation_id)


def staff_invitation_lookup(*, raw_token: str) -> StaffInvitation | None:
    """The usable invitation for a link, or None (unknown, used, revoked or expired look alike)."""
    return (
        StaffInvitation.objects.select_related("org", "role")
        .filter(
            token_digest=token_digest(raw_token), status=StaffInvitationStatus.PENDING, expires_at__gt=timezone.now()
        )
        .first()
    )


def staff_member_get(*, org: Organization, user_id: int) -> User:
    """An active staff member of ``org``; anyone else is a 404."""
    return get_object_or_404(User, pk=user_id, memberships__org=org, memberships__status=MembershipStatus.ACTIVE)


def is_active_member(*, org: Organization | int, user: User | None) -> bool:
    """Whether ``user`` is active staff of ``org`` now (one query; False for nobody)."""
    if user is None:
        return False
    return Membership.objects.filter(org=org, user=user, status=MembershipStatus.ACTIVE).exists()


def has_active_membership(*, user: User) -> bool:
    return Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).exists()


def staff_invitation_pending_for(*, email: str) -> bool:
    """A live staff invitation to ``email`` (its person may sign in to accept it)."""
    return StaffInvitation.objects.filter(
        email__iexact=email, status=StaffInvitationStatus.PENDING, expires_at__gt=timezone.now()
    ).exists()


def account_exists(*, email: str) -> bool:
    return User.objects.filter(email__iexact=email).exists()


def organization_list() -> QuerySet[Organization]:
    """Every organization: for support operators only (callers check)."""
    return Organization.objects.order_by("name")


def organizations_for_user(*, user: User) -> list[Organization]:
    """Organizations the user can open: active memberships; every one for operators."""
    if user.is_operator:
        return list(Organization.objects.order_by("name"))
    return list(
        Organization.objects.filter(memberships__user=user, memberships__status=MembershipStatus.ACTIVE).order_by(
            "name"
        )
    )


# --- API keys ---


def api_key_list(*, org: Organization) -> QuerySet[ApiKey]:
    """Live keys first, newest first; revoked ones after them."""
    return (
        ApiKey.objects.filter(org=org)
        .select_related("role", "created_by")
        .order_by(F("revoked_at").desc(nulls_first=True), "-created_at", "-id")
    )


def api_key_get(*, org: Organization, api_key_id: int) -> ApiKey:
    return get_object_or_404(ApiKey.objects.select_related("role"), org=org, pk=api_key_id)
