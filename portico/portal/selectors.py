"""Reads of the client portal: the organizations a login may open, and a portal's set-up."""

from __future__ import annotations

from portico.accounts.models import User
from portico.clients.models import Client
from portico.orgs.models import Organization
from portico.portal.models import PortalAccount, PortalAccountStatus, PortalSettings


def portal_accounts_open(*, user: User) -> list[PortalAccount]:
    """The organizations whose portal this login may open, with their set-up (one query)."""
    return list(
        PortalAccount.objects.filter(user=user, org__portal_enabled=True)
        .exclude(status=PortalAccountStatus.BANNED)
        .select_related("org", "org__portal_settings")
        .order_by("org__name")
    )


def portal_access_exists(*, user: User) -> bool:
    """Whether some organization's portal still lets this login in (not banned there)."""
    return PortalAccount.objects.filter(user=user).exclude(status=PortalAccountStatus.BANNED).exists()


def portal_settings_get(*, org: Organization) -> PortalSettings | None:
    return PortalSettings.objects.filter(org=org).first()


def portal_logo_settings(*, org_slug: str) -> PortalSettings | None:
    """A set-up portal's branding, found by the organization's short name (public: logos appear in mail)."""
    return PortalSettings.objects.filter(org__slug=org_slug, org__portal_enabled=True).first()


def portal_account_of(*, client: Client) -> PortalAccount | None:
    """The portal account, in the client's organization, of the person who organizes its profile."""
    if client.profile is None or client.profile.organizer_id is None:
        return None
    return PortalAccount.objects.filter(org_id=client.org_id, user_id=client.profile.organizer_id).first()
