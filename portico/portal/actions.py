"""Changes to the client portal: its set-up, and each client's portal account and its status."""

from __future__ import annotations

import string
from typing import Any

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portico.accounts.actions import user_sessions_end
from portico.accounts.models import User
from portico.audit.actions import audit_record
from portico.audit.decorators import action
from portico.audit.models import AuditAction
from portico.clients.images import image_process
from portico.clients.models import Client
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.notifications.actions import Event, notify_navigators
from portico.notifications.models import EventKind
from portico.orgs.models import Organization
from portico.portal.enrollment import enrollment_complete
from portico.portal.models import (
    PORTAL_ACCOUNT_MACHINE,
    PORTAL_STATUS_CHANGE_ACTIONS,
    TEXT_PLACEHOLDERS,
    PortalAccount,
    PortalAccountStatus,
    PortalSettings,
    default_texts,
)

SETTINGS_FIELDS = (
    "portal_name",
    "logo",
    "primary_colour",
    "accent_colour",
    "sender_name",
    "reply_to",
    "sms_sender",
    "invitation_lifetime_days",
    "invitation_email_subject",
    "invitation_email_body",
    "invitation_sms_body",
    "services",
)
_PLACEHOLDERS = ", ".join("{" + name + "}" for name in TEXT_PLACEHOLDERS)


def _text_check(text: str) -> None:
    """Refuse texts with unknown placeholders (they would reach the client as "{typo}")."""
    try:
        names = {parsed[1] for parsed in string.Formatter().parse(text) if parsed[1] is not None}
    except ValueError:
        raise PorticoError(_("A brace is not closed. Use %(names)s.") % {"names": _PLACEHOLDERS}) from None
    unknown = names - set(TEXT_PLACEHOLDERS)
    if unknown:
        raise PorticoError(
            _("Unknown placeholder %(unknown)s. Use %(names)s.")
            % {"unknown": ", ".join("{" + n + "}" for n in sorted(unknown)), "names": _PLACEHOLDERS},
            code="bad_placeholder",
        )


@action
def portal_settings_save(*, org: Organization, actor: Actor, **fields: Any) -> PortalSettings:
    """Set up the portal (first save) or change it. Once set up, invitations can be sent."""
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"not portal settings: {sorted(unknown)}")
    for name in ("invitation_email_subject", "invitation_email_body", "invitation_sms_body"):
        if name in fields:
            _text_check(fields[name])
    for name in ("invitation_email_body", "invitation_sms_body"):
        if name in fields and "{link}" not in fields[name]:
            raise PorticoError(_("The invitation text must contain {link}."), code="no_link")
    portal = PortalSettings.objects.filter(org=org).first()
    created = portal is None
    if portal is None:
        portal = PortalSettings(org=org, **default_texts(org.language))
    changed = []
    logo = fields.pop("logo", None)
    if logo:  # re-encoded like record images: sniffed, size- and bomb-checked, metadata stripped
        processed = image_process(logo)
        portal.logo.save(processed.image.name, processed.image, save=False)
        changed.append("logo")
    for name, value in fields.items():
        if getattr(portal, name) != value:
            setattr(portal, name, value)
            changed.append(name)
    if not created and not changed:
        return portal
    portal.updated_at = timezone.now()
    portal.full_clean(exclude=["org", "logo"])
    portal.save()
    if not org.portal_enabled:
        Organization.objects.filter(pk=org.pk).update(portal_enabled=True)
        org.portal_enabled = True
    audit_record(
        org=org,
        actor=actor,
        action=AuditAction.PORTAL_SETTINGS_CHANGED,
        target=portal,
        detail={"set_up": created, "changed": sorted(changed)},
    )
    return portal


@action
def portal_account_open(*, org: Organization, user: User, actor: Actor, client: Client | None = None) -> PortalAccount:
    """The client's access to ``org``'s portal, made on acceptance (kept if it exists: a banned
    account stays banned whatever invitation arrives). ``client``'s navigators hear of a new one.
    A new account is active at once when enrollment is complete (no steps configured)."""
    account, created = PortalAccount.objects.get_or_create(org=org, user=user)
    if not created:
        return account
    audit_record(org=org, actor=actor, action=AuditAction.PORTAL_ACCOUNT_CREATED, target=user, to_state=account.status)
    if client is not None:
        with translation.override(org.language):
            notify_navigators(
                client=client,
                event=Event(
                    kind=EventKind.PORTAL_ACCOUNT_CREATED,
                    key=f"portal-account:{account.pk}:{client.pk}",
                    title=_("%(client)s now has a portal account") % {"client": client.name},
                    body=user.email,
                    url=reverse("client_detail", args=[org.slug, client.pk]),
                ),
            )
    return portal_account_enrollment_check(account=account, actor=actor)


@action
def portal_account_enrollment_check(*, account: PortalAccount, actor: Actor) -> PortalAccount:
    """Enrollment pending becomes active by itself once every enrollment step is done (see
    enrollment.py). Apps whose facts a step reads call this when they change."""
    if account.status == PortalAccountStatus.ENROLLMENT_PENDING and enrollment_complete(account):
        PORTAL_ACCOUNT_MACHINE.apply(account, "complete_enrollment", actor=actor, audit_target=account.user)
    return account


@action
def portal_account_change_status(*, account: PortalAccount, status: str, actor: Actor) -> PortalAccount:
    """Staff set a client's portal account to enrollment pending, active or banned. Banning
    ends the person's open sessions at once; they can sign in again only while another
    organization still serves them (and this organization's portal stays closed to them)."""
    if status not in PORTAL_STATUS_CHANGE_ACTIONS:
        raise PorticoError(_("Choose enrollment pending, active or banned."), code="bad_status")
    if status == account.status:
        return account
    move = PORTAL_STATUS_CHANGE_ACTIONS[PortalAccountStatus(status)]
    PORTAL_ACCOUNT_MACHINE.apply(account, move, actor=actor, audit_target=account.user)
    if status == PortalAccountStatus.BANNED:
        user_sessions_end(user=account.user)
    return account
