"""Why a client cannot be invited now: one check, shared by the single send, the bulk send, the
API and the send page (which shows the refusal before anyone clicks); and what an invitation made
now would be: the portal set-up it needs, its address, its expiry."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from portico.accounts.models import User
from portico.clients.models import Client, ClientStatus
from portico.core.contact import email_normalize
from portico.core.errors import PorticoError
from portico.invitations.models import Invitation, InvitationChannel, InvitationStatus
from portico.orgs.models import Organization
from portico.portal.models import PortalSettings

# Clients in these states are refused; an invitation makes no sense for them (seed 004).
NOT_INVITABLE = (ClientStatus.ARCHIVED, ClientStatus.CLOSED)


def portal_settings_of(org: Organization) -> PortalSettings:
    """The portal set-up, or a refusal: until the portal is set up there are no invitations."""
    portal = PortalSettings.objects.filter(org=org).first() if org.portal_enabled else None
    if portal is None:
        raise PorticoError(_("Set up the client portal first (Settings → Client portal)."), code="portal_not_set_up")
    portal.org = org  # loaded already: rendering reads it for every message
    return portal


def invitation_expiry(portal: PortalSettings, now: dt.datetime | None = None) -> dt.datetime:
    """When an invitation sent (or resent) ``now`` stops working: the organization's lifetime later."""
    return (now or timezone.now()) + dt.timedelta(days=portal.invitation_lifetime_days)


def invitation_address(client: Client, channel: str) -> str:
    return client.email if channel == InvitationChannel.EMAIL else client.phone


def invitation_refusal(client: Client, channel: str, *, pending: bool | None = None) -> tuple[str, str] | None:
    """Why ``client`` cannot be invited by ``channel`` now, as (code, message), or None.
    ``pending``: whether an invitation is pending, when the caller loaded it already (bulk)."""
    if client.deleted_at is not None or client.status in NOT_INVITABLE:
        return "not_invitable", _("This client is %(status)s: reopen or unarchive the record first.") % {
            "status": client.get_status_display().lower()
        }
    if client.has_portal_account:
        return "has_access", _("This client already has portal access.")
    if not invitation_address(client, channel):
        if channel == InvitationChannel.EMAIL:
            return "no_address", _("This record has no email address. Add one first (it becomes the username).")
        return "no_address", _("This record has no mobile number for SMS. Add one first.")
    if client.status == ClientStatus.INVITE_SENT or (
        pending
        if pending is not None
        else Invitation.objects.filter(client=client, status=InvitationStatus.PENDING).exists()
    ):
        return "already_invited", _("An invitation is already pending for this client. Resend it instead.")
    return None


def invitation_refuse(client: Client, channel: str, *, only: tuple[str, ...] = ()) -> None:
    """Raise the refusal, if any (``only``: just these codes)."""
    refusal = invitation_refusal(client, channel)
    if refusal is not None and (not only or refusal[0] in only):
        raise PorticoError(refusal[1], code=refusal[0])


def invitation_username(invitation: Invitation, user: User | None = None, email: str = "") -> str:
    """The account's email (its username): the invitation's address, or for SMS the record's
    email or the one the client typed. With ``user``: theirs, if it may accept this invitation."""
    if invitation.channel == InvitationChannel.EMAIL:
        username = invitation.address.strip().lower()
    else:
        username = (invitation.client.email or email).strip().lower()
    if user is not None:
        if invitation.channel == InvitationChannel.EMAIL and user.email.lower() != username:
            raise PorticoError(
                _("This invitation is for %(email)s. Sign out and open the link again.") % {"email": username},
                code="wrong_account",
            )
        return user.email
    if not username:
        raise PorticoError(_("Enter your email address: it will be your username."), code="email_required")
    return email_normalize(username)
