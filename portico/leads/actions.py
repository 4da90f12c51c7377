"""Lead actions: the only code that creates leads or moves them."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from portico.accounts.models import User
from portico.audit.actions import audit_record
from portico.audit.decorators import action
from portico.audit.models import AuditAction
from portico.clients.actions import client_assign_navigator, client_create
from portico.clients.models import Client
from portico.core.actors import Actor
from portico.core.contact import email_normalize, phone_normalize
from portico.core.errors import PorticoError
from portico.core.timezones import time_zone_names
from portico.invitations.actions import invitation_resend, invitation_send
from portico.invitations.models import Invitation, InvitationChannel, InvitationStatus
from portico.leads.models import LEAD_MACHINE, Lead, LeadSettings, LeadSource, LeadState, ReferralLink
from portico.leads.selectors import lead_matches, lead_navigators
from portico.leads.signals import lead_converted
from portico.notifications.actions import Event, notify_user
from portico.notifications.models import EventKind
from portico.orgs.models import Membership, MembershipStatus, Organization
from portico.orgs.selectors import is_active_member

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


@action
def lead_submit(
    *,
    org: Organization,
    actor: Actor,
    source: str,
    name: str,
    email: str = "",
    phone: str = "",
    message: str = "",
    service: str = "",
    referrer_client: Client | None = None,
    referrer_user: User | None = None,
    utm: dict[str, Any] | None = None,
    page: str = "",
    time_zone: str = "",
) -> Lead:
    """A new lead from any source (the public pages, the booking widget, the API). Needs a name
    and a way to reach the person (email or mobile)."""
    if source not in LeadSource.values:
        raise ValueError(f"unknown lead source {source!r}")
    name = " ".join((name or "").split())[:200]
    if not name:
        raise PorticoError(_("Enter a name."), code="invalid", extra={"field": "name"})
    email = email_normalize(email)
    phone = phone_normalize(phone)
    if not email and not phone:
        raise PorticoError(_("Enter an email address or a mobile number."), code="invalid", extra={"field": "email"})
    clean_utm = {k: str(v)[:200] for k, v in (utm or {}).items() if k in UTM_KEYS and v}
    lead = Lead.objects.create(
        org=org,
        name=name,
        email=email,
        phone=phone,
        message=(message or "")[:5000],
        service=(service or "")[:200],
        source=source,
        referrer_client=referrer_client,
        referrer_user=referrer_user,
        utm=clean_utm,
        page=_page(page),
        time_zone=time_zone if time_zone in time_zone_names() else "",
        state=LeadState.NEW,
    )
    audit_record(
        org=org,
        actor=actor,
        action=AuditAction.LEAD_RECEIVED,
        target=lead,
        to_state=LeadState.NEW,
        detail={"source": source, **({"utm": clean_utm} if clean_utm else {})},
    )
    # The public form answers without waiting for the lead navigators' notifications: the task row
    # is written in this transaction (the database task backend), so the notice cannot be lost.
    notify_new_lead.enqueue(lead.pk)
    return lead


def _page(value: str) -> str:
    """The page the visitor was on: a web address only (it becomes a link on the lead page)."""
    value = (value or "").strip()
    return value[:500] if value.lower().startswith(("http://", "https://")) and "\x00" not in value else ""


@task()
def notify_new_lead(lead_id: int) -> int:
    return lead_navigators_notify(lead_id=lead_id)


@action(audited=False, why="the lead's arrival is audited by LEAD_RECEIVED; notifications keep their own rows")
def lead_navigators_notify(*, lead_id: int) -> int:
    """The organization's lead navigators hear of a new lead, each by their own preferences
    (run by the worker after the lead is saved). Returns how many were told."""
    lead = Lead.objects.select_related("org").filter(pk=lead_id).first()
    if lead is None:  # deleted meanwhile
        return 0
    org = lead.org
    navigators = lead_navigators(org=org)
    if not navigators:
        return 0
    with translation.override(org.language):
        event = Event(
            kind=EventKind.LEAD_RECEIVED,
            key=f"{EventKind.LEAD_RECEIVED}:{lead.pk}",
            title=_("New lead: %(name)s") % {"name": lead.name},
            body=" · ".join(
                str(part) for part in (lead.get_source_display(), lead.service, lead.email, lead.phone) if part
            ),
            url=reverse("lead_detail", args=[org.slug, lead.pk]),
        )
        for user in navigators:
            notify_user(org=org, user=user, event=event)
    return len(navigators)


# --- staff: moves ---


def _move(lead: Lead, move: str, actor: Actor, updates: dict[str, Any] | None = None, **detail: Any) -> Lead:
    LEAD_MACHINE.apply(lead, move, actor=actor, updates=updates, detail=detail or None)
    for name, value in (updates or {}).items():
        setattr(lead, name, value)
    return lead


@action
def lead_contact(*, lead: Lead, actor: Actor) -> Lead:
    """Someone reached the person: new → contacted."""
    return _move(lead, "contact", actor)


@action
def lead_disqualify(*, lead: Lead, actor: Actor, reason: str) -> Lead:
    """Not a client for us (spam, out of area, …): the reason is required."""
    reason = " ".join((reason or "").split())[:300]
    if not reason:
        raise PorticoError(_("Say why the lead is disqualified."), code="invalid", extra={"field": "reason"})
    return _move(lead, "disqualify", actor, {"disqualify_reason": reason}, reason=reason)


@action
def lead_requalify(*, lead: Lead, actor: Actor) -> Lead:
    """Take a disqualified lead up again: back to new."""
    return _move(lead, "requalify", actor, {"disqualify_reason": ""})


# --- convert, attach, invite ---

INVITE_CHANNELS = (InvitationChannel.EMAIL, InvitationChannel.SMS)


def _converted(lead: Lead, client: Client, actor: Actor, audit_action: str) -> None:
    """The lead's move to converted (conditional on the state seen), its audit row, and the signal
    the apps above answer (estimates move to the client) before any invitation is sent."""
    _move(lead, "convert", actor, {"client": client, "converted_at": timezone.now()}, client=client.pk)
    audit_record(
        org=lead.org_id,
        actor=actor,
        action=audit_action,
        target=lead,
        detail={"client": client.pk, "client_name": client.name, "case_number": client.case_number},
    )
    lead_converted.send(sender=Lead, lead=lead, client=client, actor=actor)


def _invite(client: Client, actor: Actor, channel: str) -> Invitation | None:
    if not channel:
        return None
    if channel not in INVITE_CHANNELS:
        raise PorticoError(_("Choose email, SMS or no invitation yet."), code="invalid", extra={"field": "channel"})
    return invitation_send(client=client, actor=actor, channel=channel)


@action
def lead_convert(*, lead: Lead, actor: Actor, channel: str = "") -> Client:
    """A new client record from the lead (name, email, mobile, time zone; the converting staff
    member becomes its navigator), then, in the same transaction, the portal invitation by
    ``channel`` (email or sms; "" for none yet). A refusal of the invitation (no portal, no
    address for the channel, …) undoes everything."""
    LEAD_MACHINE.target(lead.state, "convert")  # refused before anything is made
    client = client_create(
        org=lead.org, actor=actor, name=lead.name, email=lead.email, phone=lead.phone, time_zone=lead.time_zone
    )
    if is_active_member(org=lead.org, user=actor.user):
        client_assign_navigator(client=client, actor=actor, navigator=actor.user)  # type: ignore[arg-type]
    _converted(lead, client, actor, AuditAction.LEAD_CONVERTED)
    _invite(client, actor, channel)
    return client


@action
def lead_attach(*, lead: Lead, client: Client, actor: Actor) -> Client:
    """The lead is an existing client (same email or mobile): attach it instead of making a duplicate."""
    LEAD_MACHINE.target(lead.state, "convert")
    if client.org_id != lead.org_id or client.pk not in {c.pk for c in lead_matches(lead=lead)}:
        raise PorticoError(
            _("Choose one of the client records with the lead's email or mobile."),
            code="invalid",
            extra={"field": "client"},
        )
    _converted(lead, client, actor, AuditAction.LEAD_ATTACHED)
    return client


@action
def lead_invitation_resend(*, lead: Lead, actor: Actor, channel: str = "") -> Invitation:
    """From the lead page, at any time: a pending (or expired) invitation is resent to its
    address with a fresh link; without one (or after a revoke) a new invitation is sent by
    ``channel`` (default: email when the record has one, else SMS)."""
    client = lead.client
    if client is None:
        raise PorticoError(_("Convert the lead first: there is no client record to invite."), code="not_converted")
    newest = (
        Invitation.objects.filter(client=client).select_related("org", "client").order_by("-sent_at", "-id").first()
    )
    if newest is not None and newest.status in (InvitationStatus.PENDING, InvitationStatus.EXPIRED):
        return invitation_resend(invitation=newest, actor=actor)
    channel = channel or (InvitationChannel.EMAIL if client.email or not client.phone else InvitationChannel.SMS)
    invitation = _invite(client, actor, channel)
    assert invitation is not None
    return invitation


# --- settings and referral links ---


@action
def lead_settings_save(
    *, org: Organization, actor: Actor, navigators: list[User], public_forms: bool, thank_you: str
) -> LeadSettings:
    """Who hears of new leads (active staff only), whether the public pages answer, the thanks."""
    active = set(
        Membership.objects.filter(org=org, user__in=navigators, status=MembershipStatus.ACTIVE).values_list(
            "user_id", flat=True
        )
    )
    if any(user.pk not in active for user in navigators):
        raise PorticoError(
            _("Only active staff of this organization can be notified."), code="invalid", extra={"field": "navigators"}
        )
    lead_settings, _created = LeadSettings.objects.get_or_create(org=org)
    before = {
        "navigators": sorted(lead_settings.navigators.values_list("pk", flat=True)),
        "public_forms": lead_settings.public_forms,
        "thank_you": lead_settings.thank_you,
    }
    lead_settings.public_forms = public_forms
    lead_settings.thank_you = (thank_you or "").strip()[:2000]
    lead_settings.updated_at = timezone.now()
    lead_settings.save()
    lead_settings.navigators.set(navigators)
    after = {
        "navigators": sorted(u.pk for u in navigators),
        "public_forms": lead_settings.public_forms,
        "thank_you": lead_settings.thank_you,
    }
    changes = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
    audit_record(org=org, actor=actor, action=AuditAction.LEAD_SETTINGS_CHANGED, target=lead_settings, detail=changes)
    return lead_settings


CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud and typed by friends
CODE_LENGTH = 10  # about 49 bits: not guessable in bulk, short enough to share


def _code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


@action
def referral_link_get_or_create(
    *, org: Organization, actor: Actor, client: Client | None = None, user: User | None = None
) -> ReferralLink:
    """The personal referral link of a client record or of a staff member (one each), made on first use."""
    if (client is None) == (user is None):
        raise ValueError("a referral link belongs to a client or to a staff member")
    if client is not None and (client.org_id != org.pk or client.deleted_at is not None):
        raise PorticoError(_("This client record cannot have a referral link."), code="invalid")
    if user is not None and not is_active_member(org=org, user=user):
        raise PorticoError(_("Only active staff of this organization have referral links."), code="not_staff")
    owner: dict[str, Any] = {"client": client} if client is not None else {"user": user}
    found = ReferralLink.objects.filter(org=org, **owner).first()
    if found is not None:
        return found
    for _attempt in range(5):
        try:
            with transaction.atomic():  # a savepoint: a code taken, or the same link made at the same moment
                link = ReferralLink.objects.create(org=org, code=_code(), **owner)
        except IntegrityError:
            found = ReferralLink.objects.filter(org=org, **owner).first()
            if found is not None:
                return found
            continue
        audit_record(
            org=org,
            actor=actor,
            action=AuditAction.REFERRAL_LINK_CREATED,
            target=client if client is not None else link,
            detail={"code": link.code, **({"user": user.pk} if user is not None else {})},
        )
        return link
    raise RuntimeError("no free referral code after 5 tries")
