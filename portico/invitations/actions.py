"""Every change to client portal invitations: send, resend, revoke, expire, the delivery trail,
open, accept, and the client's "Send me a new link". Each is an ``@action``; status moves go
through INVITATION_MACHINE (audited on the client's timeline) and each send puts its message in
the outbox. The checks are in refusals.py, the texts in messages.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portico.accounts.actions import account_create, account_email_confirm
from portico.accounts.models import User
from portico.audit.actions import audit_record
from portico.audit.decorators import action
from portico.audit.models import AuditAction
from portico.audit.transitions import Stale
from portico.clients import actions as client_actions
from portico.clients.models import Client, ClientStatus, Profile
from portico.core.actors import Actor, ActorKind
from portico.core.errors import PorticoError
from portico.core.sql import insert_select
from portico.core.tokens import token_new
from portico.invitations.messages import invitation_message_fields
from portico.invitations.models import (
    DELIVERY_MACHINE,
    INVITATION_MACHINE,
    Delivery,
    Invitation,
    InvitationChannel,
    InvitationEvent,
    InvitationLink,
    InvitationStatus,
)
from portico.invitations.refusals import (
    NOT_INVITABLE,
    invitation_address,
    invitation_expiry,
    invitation_refuse,
    invitation_username,
    portal_settings_of,
)
from portico.invitations.selectors import invitation_link_state
from portico.invitations.signals import invitation_accepted, invitation_revoked, invitation_sent
from portico.notifications.actions import Event, notify_client_user, notify_navigators
from portico.notifications.models import EventKind
from portico.orgs.models import Organization
from portico.outbox.actions import outbox_enqueue
from portico.outbox.models import Channel, OutboxMessage
from portico.portal.actions import portal_account_open
from portico.portal.models import PortalSettings

NEW_LINK_COOLDOWN = dt.timedelta(minutes=10)  # "Send me a new link": once per invitation per 10 min
TRAIL = "the delivery trail (InvitationEvent rows) on the client's record"


def _detail(invitation: Invitation, **extra: Any) -> dict[str, Any]:
    """Invitation events go on the client's timeline, with the invitation in the detail."""
    return {"invitation": invitation.pk, "channel": invitation.channel, "to": invitation.address, **extra}


def _enqueue_message(invitation: Invitation, portal: PortalSettings, raw: str) -> OutboxMessage:
    """The send's message, and the delivery back to queued (a resend starts a new trail step)."""
    message = outbox_enqueue(
        **invitation_message_fields(
            portal=portal,
            invitation_id=invitation.pk,
            sent_count=invitation.sent_count,
            channel=invitation.channel,
            address=invitation.address,
            client_name=invitation.client.name,
            expires_at=invitation.expires_at,
            raw=raw,
        )
    )
    now = timezone.now()
    DELIVERY_MACHINE.apply_many(
        Invitation.objects.filter(pk=invitation.pk), "queue", updates={"last_message": message, "delivery_at": now}
    )
    InvitationEvent.objects.create(invitation=invitation, kind=Delivery.QUEUED, at=now)
    invitation.last_message = message
    invitation.delivery = Delivery.QUEUED
    return message


# --- staff: send, resend, revoke ---


@action
def invitation_send(*, client: Client, actor: Actor, channel: str = InvitationChannel.EMAIL) -> Invitation:
    """Invite a client to the portal by email or SMS, at the address on the record."""
    if channel not in InvitationChannel.values:
        raise PorticoError(_("Choose email or SMS."), code="bad_channel")
    portal = portal_settings_of(client.org)
    # Lock the record: two staff sending at once must not make two invitations.
    client = Client.objects.select_for_update(of=("self",)).select_related("org", "profile").get(pk=client.pk)
    invitation_refuse(client, channel)
    raw, digest = token_new()
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                org=client.org,
                client=client,
                channel=channel,
                address=invitation_address(client, channel),
                expires_at=invitation_expiry(portal),
                invited_by=actor.user,
            )
    except IntegrityError:
        raise PorticoError(
            _("An invitation is already pending for this client. Resend it instead."), code="already_invited"
        ) from None
    InvitationLink.objects.create(invitation=invitation, number=1, token_digest=digest)
    if client.status == ClientStatus.NOT_INVITED:
        client_actions.client_invitation_sent(client=client, actor=actor)
    audit_record(
        org=client.org_id,
        actor=actor,
        action=AuditAction.INVITATION_SENT,
        target=client,
        to_state=InvitationStatus.PENDING,
        detail=_detail(invitation),
    )
    _enqueue_message(invitation, portal, raw)
    invitation_sent.send(sender=Invitation, client=client, invitation=invitation, actor=actor)
    return invitation


@action
def invitation_resend(*, invitation: Invitation, actor: Actor) -> Invitation:
    """A new link to the address of the original invitation; the previous link stops working."""
    portal = portal_settings_of(invitation.org)
    INVITATION_MACHINE.target(invitation.display_state, "resend")
    client = Client.objects.select_related("profile").get(pk=invitation.client_id)
    invitation_refuse(client, InvitationChannel.EMAIL, only=("not_invitable", "has_access"))
    raw, digest = token_new()
    try:
        with transaction.atomic():  # a savepoint: another invitation may be pending meanwhile
            INVITATION_MACHINE.apply(
                invitation,
                "resend",
                actor=actor,
                current=invitation.display_state,
                where=Q(sent_count=invitation.sent_count),
                updates={
                    "sent_count": F("sent_count") + 1,
                    "expires_at": invitation_expiry(portal),
                    "sent_at": timezone.now(),
                    "opened_at": None,
                },
                audit_target=client,
                detail=_detail(invitation, sent_count=invitation.sent_count + 1),
            )
    except IntegrityError:
        raise PorticoError(
            _("Another invitation is pending for this client. Resend that one instead."), code="already_invited"
        ) from None
    invitation.refresh_from_db()
    InvitationLink.objects.create(invitation=invitation, number=invitation.sent_count, token_digest=digest)
    _enqueue_message(invitation, portal, raw)
    return invitation


@action
def invitation_revoke(*, invitation: Invitation, actor: Actor, reason: str = "staff") -> Invitation:
    """The link dies and the client goes back to not invited. ``invitation.client`` as the caller
    loaded it: a client moved meanwhile makes the client's move below Stale, not wrong."""
    client = invitation.client
    INVITATION_MACHINE.apply(
        invitation,
        "revoke",
        actor=actor,
        current=invitation.display_state,
        updates={"ended_reason": reason},
        audit_target=client,
        detail=_detail(invitation, reason=reason),
    )
    invitation.ended_reason = reason
    if client.status == ClientStatus.INVITE_SENT:
        client_actions.client_invitation_revoked(client=client, actor=actor)
    invitation_revoked.send(sender=Invitation, client=client, invitation=invitation, actor=actor)
    return invitation


@action
def invitations_revoke_open(*, client: Client, actor: Actor, reason: str, channel: str = "") -> int:
    """Revoke the record's open (pending or expired) invitations, of one ``channel`` or all: the
    record was deleted or closed, or the address they went to changed (it would become the
    username). Each revoke sends ``invitation_revoked`` (in this transaction)."""
    open_ones = Invitation.objects.filter(
        client=client, status__in=[InvitationStatus.PENDING, InvitationStatus.EXPIRED]
    ).select_related("org", "client")
    if channel:
        open_ones = open_ones.filter(channel=channel)
    invitations = list(open_ones)
    for invitation in invitations:
        # One record for all of them: a move of the client by one revoke is seen by the next.
        invitation.client = invitations[0].client
        invitation_revoke(invitation=invitation, actor=actor, reason=reason)
    return len(invitations)


@action(tx="own", audited=False, why="each expiry it records is audited by INVITATION_MACHINE")
def invitations_expire_due(*, limit: int = 10_000) -> int:
    """Record the expiry of up to ``limit`` pending invitations past their lifetime (the sweep).
    Reads already treat them as expired; this makes the stored state and the audit log say so too.
    One transaction: the due rows are locked, then each organization's are moved and audited with
    one UPDATE and one INSERT … SELECT (audit rows name one organization each)."""
    now = timezone.now()
    due = Invitation.objects.filter(status=InvitationStatus.PENDING, expires_at__lte=now)
    with transaction.atomic():
        # Locked, so a resend or an acceptance waits and the audit rows and the UPDATE see the same rows.
        rows = due.select_for_update().order_by("expires_at", "id").values_list("org_id", "pk")[:limit]
        by_org: dict[int, list[int]] = {}
        for org_id, pk in rows:
            by_org.setdefault(org_id, []).append(pk)
        return sum(
            INVITATION_MACHINE.apply_many(
                due.filter(pk__in=ids),
                "expire",
                actor=Actor.system(),
                org=org_id,
                audit_rows={
                    # As a single move records it: on the client's timeline, the invitation in the detail.
                    "target_type": "clients.client",
                    "target_id": F("client_id"),
                    "target_label": F("client__name"),
                    "detail": {"invitation": F("pk"), "channel": F("channel"), "to": F("address")},
                },
            )
            for org_id, ids in by_org.items()
        )


# --- delivery trail ---


@action(tx="caller", audited=False, why=f"every report is a step of {TRAIL}; a bounce is audited by DELIVERY_MACHINE")
def invitation_delivery_record(*, message: OutboxMessage, kind: str, at: dt.datetime, detail: str = "") -> None:
    """A message of an invitation moved (sent, delivered, bounced, failed). The invitation's
    delivery follows its newest message through DELIVERY_MACHINE: never backwards, and a bounce
    or failure stands.

    Called for every message a batch delivers, so it loads nothing for the usual case: one
    INSERT … SELECT for the trail (nothing if the invitation is gone) and one conditional UPDATE."""
    invitation_id = (message.payload or {}).get("invitation")
    if not invitation_id or kind not in Delivery.values:
        return
    moves = bool(DELIVERY_MACHINE.sources(kind))  # "queued" only joins the trail
    event = {"invitation": F("pk"), "kind": kind, "at": at, "detail": detail[:300]}
    if not insert_select(InvitationEvent, Invitation.objects.filter(pk=invitation_id), event):
        return
    # An older send stays in the trail, but only the newest message decides the state.
    newest = Invitation.objects.filter(pk=invitation_id, last_message_id=message.pk)
    if not moves:
        return
    moved = DELIVERY_MACHINE.apply_many(
        newest,
        kind,
        actor=Actor.system(),
        org=message.org_id,
        updates={"delivery_at": at},
        audit_rows={
            "target_type": "clients.client",
            "target_id": F("client_id"),
            "target_label": F("client__name"),
            "detail": {
                "invitation": F("pk"),
                "channel": F("channel"),
                "to": F("address"),
                "delivery": kind,
                "reason": detail[:200],
            },
        },
    )
    if moved and kind in (Delivery.BOUNCED, Delivery.FAILED):
        invitation = Invitation.objects.select_related("org", "client__org").get(pk=invitation_id)
        _notify(
            invitation,
            EventKind.INVITATION_BOUNCED,
            gettext_noop("The portal invitation to %(client)s could not be delivered"),
        )


@dataclass(frozen=True)
class ClientMessage:
    """What a client is told: ``subject`` and ``text`` by email, ``sms`` (short, with the link) by SMS."""

    subject: str
    text: str
    sms: str


@action(tx="caller", audited=False, why="the message is part of the audited change that causes it")
def client_tell(
    *, org: Organization, client_id: int, key: str, language: str, message: Callable[[], ClientMessage]
) -> str:
    """Tell a client something staff sent them (an estimate, an agreement to sign): their portal
    person by the channel they chose; before they join, by the channel and address of their newest
    invitation that was not revoked, else by the record's current email (or mobile, by SMS).
    ``message`` is composed in the person's language, else ``language``, the record's, the
    organization's. Returns the channel used ("" when there is no way to reach them: it waits in
    their portal). Messages are keyed ``<key>:<channel>`` (the same event never twice)."""
    client = Client.objects.select_related("profile__organizer").get(pk=client_id)
    person = client.profile.organizer if client.profile is not None else None
    with translation.override((person.language if person else "") or language or client.language or org.language):
        said = message()
        if person is not None:
            return notify_client_user(
                org=org, person=person, key=key, subject=said.subject, text=said.text, sms=said.sms
            ).channel
        # A revoked invitation went to an address the record no longer has (a change of its email or
        # mobile revokes it): never write there; the record's current address is used instead.
        invitation = (
            Invitation.objects.filter(client=client)
            .exclude(status=InvitationStatus.REVOKED)
            .order_by("-created_at", "-id")
            .first()
        )
        if invitation is not None:
            channel, address = invitation.channel, invitation.address
        elif client.email:
            channel, address = InvitationChannel.EMAIL, client.email
        else:
            channel, address = InvitationChannel.SMS, client.phone
        if not address:
            return ""
        if channel == InvitationChannel.SMS:
            outbox_enqueue(org=org, channel=Channel.SMS, to=address, idempotency_key=f"{key}:sms", body_text=said.sms)
            return Channel.SMS
        outbox_enqueue(
            org=org,
            channel=Channel.EMAIL,
            to=address,
            idempotency_key=f"{key}:email",
            subject=said.subject,
            body_text=said.text,
        )
        return Channel.EMAIL


def _notify(invitation: Invitation, kind: str, title: str) -> None:
    """Through the one notification path: the client's assigned navigators, as each chose."""
    client = invitation.client
    with translation.override(client.org.language):
        notify_navigators(
            client=client,
            event=Event(
                kind=kind,
                key=f"{kind}:{invitation.pk}:{invitation.sent_count}",
                title=_(title) % {"client": client.name},
                body=f"{invitation.get_channel_display()} → {invitation.address}",
                url=reverse("client_detail", args=[client.org.slug, client.pk]),
            ),
        )


@action(audited=False, why=f"an open is a step of {TRAIL}")
def invitation_mark_opened(*, raw_token: str) -> None:
    """The client's browser showed the welcome page (a script on the page calls this, so mail
    scanners that only fetch the link do not count as an open)."""
    state = invitation_link_state(raw_token=raw_token)
    if not state.usable or state.invitation is None:
        return
    invitation = state.invitation
    now = timezone.now()
    if Invitation.objects.filter(pk=invitation.pk, opened_at=None).update(opened_at=now):
        InvitationEvent.objects.create(invitation=invitation, kind=Delivery.OPENED, at=now)
        DELIVERY_MACHINE.apply_many(Invitation.objects.filter(pk=invitation.pk), "opened", updates={"delivery_at": now})


@action
def invitation_request_new_link(*, raw_token: str, actor: Actor) -> Invitation:
    """The client opened an expired or replaced link and asks for a fresh one. It goes to the
    address on file only, at most once per NEW_LINK_COOLDOWN, and the navigators are told."""
    state = invitation_link_state(raw_token=raw_token)
    invitation = state.invitation
    if invitation is None or state.reason not in ("expired", "replaced"):
        raise PorticoError(_("A new link cannot be sent for this one. Please contact the organization."))
    # The address on file: a change of the record's email or mobile revokes invitations sent to the
    # old one (client_contact_changed), so a live invitation's address is still the record's.
    if invitation_address(invitation.client, invitation.channel).lower() != invitation.address.lower():
        raise PorticoError(_("We have no address on file to send a new link to. Please contact the organization."))
    key = f"invitation-new-link:{invitation.pk}"
    if not cache.add(key, 1, int(NEW_LINK_COOLDOWN.total_seconds())):
        raise PorticoError(
            _("A new link was sent a few minutes ago. Please check your messages (and the spam folder)."),
            code="rate_limited",
        )
    try:
        fresh = invitation_resend(invitation=invitation, actor=actor)
    except PorticoError:
        cache.delete(key)  # refused: the client may try again once it is sorted out
        raise
    audit_record(
        org=fresh.org_id,
        actor=actor,
        action=AuditAction.INVITATION_NEW_LINK_REQUESTED,
        target=fresh.client,
        detail=_detail(fresh),
    )
    _notify(
        Invitation.objects.select_related("org", "client__org").get(pk=fresh.pk),
        EventKind.INVITATION_NEW_LINK_REQUESTED,
        gettext_noop("%(client)s asked for a new portal invitation link"),
    )
    return fresh


# --- acceptance ---


@dataclass
class Acceptance:
    user: User
    client: Client
    new_account: bool


def _invalid_link() -> PorticoError:
    return PorticoError(_("This invitation link is invalid, expired or already used."), code="invalid_link")


@action(tx="durable")  # the link is spent and the person signed in only once this commits
def invitation_accept(
    *,
    raw_token: str,
    actor: Actor,
    user: User | None = None,
    full_name: str = "",
    email: str = "",
    password: str | None = None,
    profile: Profile | None = None,
) -> Acceptance:
    """Consume the link and give the client their portal account.

    Without ``user`` a new account is made: its username is the invitation's email (or, for an
    SMS invitation, the record's email or the one the client typed), with ``password`` or none
    (``password=None``: the client signs in by emailed code). With ``user`` (signed in) the
    existing login is used, and ``profile`` may name one of the profiles it organizes; otherwise
    a new profile is made from the record.

    One conditional UPDATE consumes the newest link, so two parallel uses cannot both succeed."""
    state = invitation_link_state(raw_token=raw_token)
    invitation, link = state.invitation, state.link
    if not state.usable or invitation is None or link is None:
        raise _invalid_link()
    client = Client.objects.select_related("org", "profile").get(pk=invitation.client_id)
    if client.deleted_at is not None or client.status in NOT_INVITABLE:
        raise _invalid_link()
    username = invitation_username(invitation, user, email)
    if profile is not None and (user is None or profile.organizer_id != user.pk):
        raise PorticoError(_("Choose one of your own profiles."), code="not_your_profile")
    verified = invitation.channel == InvitationChannel.EMAIL  # the emailed link proved the address
    new_account = user is None
    if user is None:
        user = account_create(
            actor=actor,
            email=username,
            full_name=full_name.strip() or client.name,
            password=password,
            email_verified=verified,
        )
    else:
        account_email_confirm(user=user, verified=verified)
    client_actor = Actor(kind=ActorKind.CLIENT, user=user, ip=actor.ip, user_agent=actor.user_agent)
    now = timezone.now()
    try:
        INVITATION_MACHINE.apply(
            invitation,
            "accept",
            actor=client_actor,
            where=Q(expires_at__gt=now, sent_count=link.number),
            updates={"accepted_at": now, "accepted_by": user},
            audit_target=client,
            detail=_detail(invitation, new_account=new_account),
        )
    except Stale:
        raise _invalid_link() from None
    client = _link_profile(client, user, profile, client_actor)
    _notify(
        Invitation.objects.select_related("org", "client__org").get(pk=invitation.pk),
        EventKind.INVITATION_ACCEPTED,
        gettext_noop("%(client)s accepted the portal invitation"),
    )
    portal_account_open(org=invitation.org, user=user, actor=client_actor, client=client)
    invitation_accepted.send(sender=Invitation, client=client, invitation=invitation, user=user)
    return Acceptance(user=user, client=client, new_account=new_account)


def _link_profile(client: Client, user: User, profile: Profile | None, actor: Actor) -> Client:
    """Seed 000: acceptance (or choosing an existing profile) makes the client active, unless the
    point of contact does not organize the record's profile: then the client stays inactive."""
    if client.profile is not None:  # staff created (or assigned) it before acceptance
        if client.profile.organizer_id is None:
            client_actions.client_profile_link_existing(
                client=client, profile=client.profile, actor=actor, organizer=user
            )
        organizer = client.profile.organizer_id == user.pk
        if organizer and client.status == ClientStatus.INACTIVE:
            return client_actions.client_status_change(action="reactivate", client=client, actor=actor)
        if not organizer and client.status == ClientStatus.ACTIVE:
            return client_actions.client_status_change(action="deactivate", client=client, actor=actor)
        return client
    if profile is not None:
        return client_actions.client_profile_assign(client=client, profile=profile, actor=actor)
    new_profile = client_actions.client_profile_from_record(client=client, organizer=user)
    if client.status == ClientStatus.INVITE_SENT:
        return client_actions.client_invitation_accepted(client=client, actor=actor, profile=new_profile)
    # Active or inactive without a profile (records from before profiles existed): link it.
    return client_actions.client_profile_link_existing(client=client, profile=new_profile, actor=actor, organizer=user)
