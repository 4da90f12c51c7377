"""Every change to client portal invitations: send, resend, revoke, expire, open, accept, and
the client's "Send me a new link". Each runs in one transaction, writes its audit row (on the
client's timeline) and puts its message in the outbox."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portico.accounts.models import User
from portico.audit.actions import audit_record
from portico.audit.models import AuditAction
from portico.clients import actions as client_actions
from portico.clients.models import Client, ClientStatus, Profile
from portico.core.actors import Actor, ActorKind
from portico.core.errors import PorticoError
from portico.core.tokens import token_digest, token_new
from portico.invitations.models import (
    INVITATION_MACHINE,
    Delivery,
    Invitation,
    InvitationChannel,
    InvitationEvent,
    InvitationLink,
    InvitationStatus,
)
from portico.notifications.models import EventKind
from portico.orgs.models import Organization
from portico.outbox.actions import outbox_enqueue
from portico.outbox.models import Channel, OutboxMessage, secret_marker
from portico.portal.models import PortalSettings

SAMPLE_LINK = "https://…/invite/…"  # stands for the link in previews
NEW_LINK_COOLDOWN = dt.timedelta(minutes=10)  # "Send me a new link": once per invitation per 10 min
# Clients in these states are refused; an invitation makes no sense for them (seed 004).
NOT_INVITABLE = (ClientStatus.ARCHIVED, ClientStatus.CLOSED)


# --- refusals, shared by the single send, the bulk send and the API ---


def portal_settings_of(org: Organization) -> PortalSettings:
    """The portal set-up, or a refusal: until the portal is set up there are no invitations."""
    portal = PortalSettings.objects.filter(org=org).first() if org.portal_enabled else None
    if portal is None:
        raise PorticoError(_("Set up the client portal first (Settings → Client portal)."), code="portal_not_set_up")
    portal.org = org  # loaded already: rendering reads it for every message
    return portal


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


# --- the message ---


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass
class RenderedInvitation:
    subject: str
    body_text: str
    body_html: str


def invitation_render(
    *, portal: PortalSettings, client_name: str, channel: str, expires_at: dt.datetime, link: str
) -> RenderedInvitation:
    """The message as the client will see it, in the organization's language. ``link`` is the
    real link when sending (as a secret placeholder) or a sample for the preview."""
    org = portal.org
    with translation.override(org.language):
        values = _Blank(
            client_name=client_name,
            org_name=org.name,
            portal_name=portal.portal_name,
            link=link,
            expires=formats.date_format(timezone.localtime(expires_at), "DATE_FORMAT"),
        )
        if channel == InvitationChannel.SMS:
            return RenderedInvitation("", portal.invitation_sms_body.format_map(values), "")
        body = portal.invitation_email_body.format_map(values)
        html = render_to_string(
            "invitations/email/invitation.html",
            {
                "portal": portal,
                "org": org,
                "paragraphs": [p for p in body.replace(link, "").split("\n\n") if p.strip()],
                "link": link,
                "logo_url": settings.SITE_URL + reverse("portal_logo", args=[org.slug]) if portal.logo else "",
            },
        )
        return RenderedInvitation(portal.invitation_email_subject.format_map(values), body + "\n", html)


_NAME = "\ue000client_name\ue001"  # a stand-in no organization text or name contains


def invitation_render_many(
    *, portal: PortalSettings, client_names: list[str], channel: str, expires_at: dt.datetime, link: str
) -> list[RenderedInvitation]:
    """``invitation_render`` for many clients at once (bulk sends), with the same result: the
    message is rendered once with a stand-in name, which is then replaced by each client's name
    (HTML-escaped in the HTML part, as the template would). A name with a line break (it would
    change the paragraphs) or the link placeholder is rendered on its own."""
    shared = invitation_render(portal=portal, client_name=_NAME, channel=channel, expires_at=expires_at, link=link)
    rendered = []
    for name in client_names:
        if "\n" in name or "\r" in name or link in name or _NAME in name:
            rendered.append(
                invitation_render(portal=portal, client_name=name, channel=channel, expires_at=expires_at, link=link)
            )
            continue
        rendered.append(
            RenderedInvitation(
                shared.subject.replace(_NAME, name),
                shared.body_text.replace(_NAME, name),
                shared.body_html.replace(_NAME, escape(name)),
            )
        )
    return rendered


def _link_url(raw: str) -> str:
    # reverse() once per process, not per link (bulk sends make thousands); the token is URL-safe.
    prefix, suffix = _link_pattern(settings.SITE_URL, get_script_prefix())
    return prefix + raw + suffix


@functools.lru_cache(maxsize=8)
def _link_pattern(site_url: str, script_prefix: str) -> tuple[str, str]:
    prefix, suffix = reverse("invitation_open", args=["TOKEN"]).split("TOKEN")
    return site_url + prefix, suffix


def invitation_message_fields(
    *,
    portal: PortalSettings,
    invitation_id: int,
    sent_count: int,
    channel: str,
    address: str,
    client_name: str,
    expires_at: dt.datetime,
    raw: str,
    rendered: RenderedInvitation | None = None,
) -> dict[str, Any]:
    """The outbox message of one send (``outbox_enqueue`` / ``outbox_message_new`` arguments):
    the rendered texts with the link as a secret, the sender, and the invitation it belongs to.
    ``rendered``: the texts, when the caller rendered them already (``invitation_render_many``
    with the link placeholder)."""
    if rendered is None:
        rendered = invitation_render(
            portal=portal, client_name=client_name, channel=channel, expires_at=expires_at, link=secret_marker("link")
        )
    if channel == InvitationChannel.EMAIL:
        payload: dict[str, Any] = {"from_name": portal.sender_name, "reply_to": portal.reply_to}
    else:
        payload = {"from": portal.sms_sender}
    return {
        "org": portal.org,
        "channel": Channel.EMAIL if channel == InvitationChannel.EMAIL else Channel.SMS,
        "to": address,
        "idempotency_key": f"invitation:{invitation_id}:{sent_count}",
        "subject": rendered.subject,
        "body_text": rendered.body_text,
        "body_html": rendered.body_html,
        "payload": {**payload, "invitation": invitation_id},
        "secrets": {"link": _link_url(raw)},  # the raw token travels in the message only
    }


def _enqueue_message(invitation: Invitation, portal: PortalSettings, raw: str) -> OutboxMessage:
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
    Invitation.objects.filter(pk=invitation.pk).update(
        last_message=message, delivery=Delivery.QUEUED, delivery_at=timezone.now()
    )
    InvitationEvent.objects.create(invitation=invitation, kind=Delivery.QUEUED)
    invitation.last_message = message
    return message


def _ensure_still_invitable(client: Client) -> None:
    """Resending needs a record that may still be invited (not deleted, archived, closed, nor
    with portal access already)."""
    refusal = invitation_refusal(client, InvitationChannel.EMAIL)
    if refusal is not None and refusal[0] in ("not_invitable", "has_access"):
        raise PorticoError(refusal[1], code=refusal[0])


def _expiry(portal: PortalSettings, now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) + dt.timedelta(days=portal.invitation_lifetime_days)


def _audit(invitation: Invitation, actor: Actor, action: str, **extra: Any) -> None:
    """Invitation events go on the client's timeline, with the invitation in the detail."""
    from_state, to_state = extra.pop("from_state", ""), extra.pop("to_state", "")
    audit_record(
        org=invitation.org,
        actor=actor,
        action=action,
        target=invitation.client,
        detail={"invitation": invitation.pk, "channel": invitation.channel, "to": invitation.address, **extra},
        from_state=from_state,
        to_state=to_state,
    )


# --- staff: send, resend, revoke ---


@transaction.atomic
def invitation_send(*, client: Client, actor: Actor, channel: str = InvitationChannel.EMAIL) -> Invitation:
    """Invite a client to the portal by email or SMS, at the address on the record."""
    if channel not in InvitationChannel.values:
        raise PorticoError(_("Choose email or SMS."), code="bad_channel")
    portal = portal_settings_of(client.org)
    # Lock the record: two staff sending at once must not make two invitations.
    client = Client.objects.select_for_update(of=("self",)).select_related("org", "profile").get(pk=client.pk)
    refusal = invitation_refusal(client, channel)
    if refusal is not None:
        raise PorticoError(refusal[1], code=refusal[0])
    raw, digest = token_new()
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                org=client.org,
                client=client,
                channel=channel,
                address=invitation_address(client, channel),
                expires_at=_expiry(portal),
                invited_by=actor.user,
            )
    except IntegrityError:
        raise PorticoError(
            _("An invitation is already pending for this client. Resend it instead."), code="already_invited"
        ) from None
    InvitationLink.objects.create(invitation=invitation, number=1, token_digest=digest)
    if client.status == ClientStatus.NOT_INVITED:
        client_actions.client_invitation_sent(client=client, actor=actor)
    _audit(invitation, actor, AuditAction.INVITATION_SENT, to_state=InvitationStatus.PENDING)
    _enqueue_message(invitation, portal, raw)
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor: Actor) -> Invitation:
    """A new link to the address of the original invitation; the previous link stops working."""
    portal = portal_settings_of(invitation.org)
    state = invitation.display_state
    INVITATION_MACHINE.target(state, "resend")
    client = Client.objects.select_related("profile").get(pk=invitation.client_id)
    _ensure_still_invitable(client)
    raw, digest = token_new()
    try:
        with transaction.atomic():  # a savepoint: another invitation may be pending meanwhile
            changed = Invitation.objects.filter(
                pk=invitation.pk, status=invitation.status, sent_count=invitation.sent_count
            ).update(
                status=InvitationStatus.PENDING,
                sent_count=F("sent_count") + 1,
                expires_at=_expiry(portal),
                sent_at=timezone.now(),
                opened_at=None,
            )
    except IntegrityError:
        raise PorticoError(
            _("Another invitation is pending for this client. Resend that one instead."), code="already_invited"
        ) from None
    if not changed:
        raise PorticoError(_("Someone else changed this invitation just now. Reload and try again."), code="stale")
    invitation.refresh_from_db()
    InvitationLink.objects.create(invitation=invitation, number=invitation.sent_count, token_digest=digest)
    _audit(
        invitation,
        actor,
        AuditAction.INVITATION_RESENT,
        from_state=state,
        to_state=InvitationStatus.PENDING,
        sent_count=invitation.sent_count,
    )
    _enqueue_message(invitation, portal, raw)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: Actor, reason: str = "staff") -> Invitation:
    """The link dies and the client goes back to not invited."""
    state = invitation.display_state
    new_status = INVITATION_MACHINE.target(state, "revoke")
    changed = Invitation.objects.filter(pk=invitation.pk, status=invitation.status).update(
        status=new_status, ended_reason=reason
    )
    if not changed:
        raise PorticoError(_("Someone else changed this invitation just now. Reload and try again."), code="stale")
    invitation.status = new_status
    invitation.ended_reason = reason
    _audit(invitation, actor, AuditAction.INVITATION_REVOKED, from_state=state, to_state=new_status, reason=reason)
    client = Client.objects.get(pk=invitation.client_id)
    if client.status == ClientStatus.INVITE_SENT:
        client_actions.client_invitation_revoked(client=client, actor=actor)
    return invitation


def invitations_revoke_open(*, client: Client, actor: Actor, reason: str, channel: str = "") -> int:
    """Revoke the record's open (pending or expired) invitations, of one ``channel`` or all: the
    record was deleted or closed, or the address they went to changed (it would become the
    username)."""
    open_ones = Invitation.objects.filter(
        client=client, status__in=[InvitationStatus.PENDING, InvitationStatus.EXPIRED]
    ).select_related("org", "client")
    if channel:
        open_ones = open_ones.filter(channel=channel)
    revoked = 0
    for invitation in open_ones:
        invitation_revoke(invitation=invitation, actor=actor, reason=reason)
        revoked += 1
    return revoked


def invitations_expire_due(*, limit: int = 10_000) -> int:
    """Record the expiry of pending invitations past their lifetime (the sweep). Reads already
    treat them as expired; this makes the stored state and the audit log say so too."""
    now = timezone.now()
    expired = 0
    due = list(
        Invitation.objects.filter(status=InvitationStatus.PENDING, expires_at__lte=now).select_related("org", "client")[
            :limit
        ]
    )
    for invitation in due:
        with transaction.atomic():
            if Invitation.objects.filter(pk=invitation.pk, status=InvitationStatus.PENDING, expires_at__lte=now).update(
                status=INVITATION_MACHINE.target(InvitationStatus.PENDING, "expire")
            ):
                _audit(
                    invitation,
                    Actor.system(),
                    AuditAction.INVITATION_EXPIRED,
                    from_state=InvitationStatus.PENDING,
                    to_state=InvitationStatus.EXPIRED,
                )
                expired += 1
    return expired


# --- delivery trail ---

DELIVERY_ORDER: list[str] = [Delivery.QUEUED, Delivery.SENT, Delivery.DELIVERED, Delivery.OPENED]


def invitation_delivery_record(*, message: OutboxMessage, kind: str, at: dt.datetime, detail: str = "") -> None:
    """A message of an invitation moved (sent, delivered, bounced, failed). The invitation's
    delivery follows its newest message; never backwards (a late "sent" after "delivered"), and
    a bounce or failure stands (a provider may report "sent" after a bounce).

    Called for every message a batch delivers, so it loads nothing for the usual case: one
    INSERT … SELECT for the trail (nothing if the invitation is gone) and one conditional UPDATE."""
    from portico.core.sql import insert_select

    invitation_id = (message.payload or {}).get("invitation")
    if not invitation_id or kind not in Delivery.values:
        return
    event = {"invitation": F("pk"), "kind": kind, "at": at, "detail": detail[:300]}
    if not insert_select(InvitationEvent, Invitation.objects.filter(pk=invitation_id), event):
        return
    # An older send stays in the trail, but only the newest message decides the state.
    newest = Invitation.objects.filter(pk=invitation_id, last_message_id=message.pk)
    if kind in DELIVERY_ORDER:
        newest.filter(delivery__in=DELIVERY_ORDER[: DELIVERY_ORDER.index(kind)]).update(delivery=kind, delivery_at=at)
    elif newest.exclude(delivery__in=[Delivery.BOUNCED, Delivery.FAILED]).update(delivery=kind, delivery_at=at):
        invitation = Invitation.objects.select_related("org", "client").get(pk=invitation_id)
        _audit(invitation, Actor.system(), AuditAction.INVITATION_BOUNCED, delivery=kind, reason=detail[:200])
        _tell_navigators_of(
            invitation,
            EventKind.INVITATION_BOUNCED,
            gettext_noop("The portal invitation to %(client)s could not be delivered"),
        )


def _tell_navigators_of(invitation: Invitation, kind: str, title: str) -> None:
    """A notification to the client's assigned navigators, in the organization's language."""
    from portico.notifications.actions import Event, notify_navigators

    client = Client.objects.select_related("org").get(pk=invitation.client_id)
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


# --- the link ---


@dataclass
class LinkState:
    """What a link is now: ``usable`` (the newest link of a live invitation), or why not."""

    invitation: Invitation | None
    link: InvitationLink | None
    reason: str  # usable, unknown, expired, replaced, accepted, revoked

    @property
    def usable(self) -> bool:
        return self.reason == "usable"


def invitation_link_state(*, raw_token: str) -> LinkState:
    link = (
        InvitationLink.objects.select_related(
            "invitation", "invitation__org", "invitation__org__portal_settings", "invitation__client"
        )
        .filter(token_digest=token_digest(raw_token))
        .first()
    )
    if link is None:
        return LinkState(None, None, "unknown")
    invitation = link.invitation
    if invitation.status in (InvitationStatus.ACCEPTED, InvitationStatus.REVOKED):
        return LinkState(invitation, link, invitation.status)
    if link.number != invitation.sent_count:
        return LinkState(invitation, link, "replaced")
    if invitation.is_expired:
        return LinkState(invitation, link, "expired")
    return LinkState(invitation, link, "usable")


def invitation_mark_opened(*, raw_token: str) -> None:
    """The client's browser showed the welcome page (a script on the page calls this, so mail
    scanners that only fetch the link do not count as an open)."""
    state = invitation_link_state(raw_token=raw_token)
    if not state.usable or state.invitation is None:
        return
    invitation = state.invitation
    now = timezone.now()
    with transaction.atomic():
        if Invitation.objects.filter(pk=invitation.pk, opened_at=None).update(opened_at=now):
            InvitationEvent.objects.create(invitation=invitation, kind=Delivery.OPENED, at=now)
            Invitation.objects.filter(pk=invitation.pk).exclude(
                delivery__in=[Delivery.BOUNCED, Delivery.FAILED]
            ).update(delivery=Delivery.OPENED, delivery_at=now)


@transaction.atomic
def invitation_request_new_link(*, raw_token: str, actor: Actor) -> Invitation:
    """The client opened an expired or replaced link and asks for a fresh one. It goes to the
    address on file only, at most once per NEW_LINK_COOLDOWN, and staff are told."""
    state = invitation_link_state(raw_token=raw_token)
    invitation = state.invitation
    if invitation is None or state.reason not in ("expired", "replaced"):
        raise PorticoError(_("A new link cannot be sent for this one. Please contact the organization."))
    # The address on file: a change of the record's email or mobile revokes invitations sent to the
    # old one (client_update), so a live invitation's address is still the record's.
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
    _audit(fresh, actor, AuditAction.INVITATION_NEW_LINK_REQUESTED)
    _tell_navigators(fresh)
    return fresh


def _tell_navigators(invitation: Invitation) -> None:
    """Notifications about a client go only to its assigned navigators."""
    from portico.outbox.actions import outbox_enqueue_email

    client = invitation.client
    for navigator in client.navigators.filter(is_active=True):
        outbox_enqueue_email(
            org=invitation.org,
            to=navigator.email,
            template="invitations/email/new_link_requested",
            context={"client": client, "invitation": invitation, "org": invitation.org, "site_url": settings.SITE_URL},
            idempotency_key=f"invitation-new-link:{invitation.pk}:{invitation.sent_count}:{navigator.pk}",
            language=navigator.language or invitation.org.language,
        )


# --- acceptance ---


def _invalid_link() -> PorticoError:
    return PorticoError(_("This invitation link is invalid, expired or already used."), code="invalid_link")


@dataclass
class Acceptance:
    user: User
    client: Client
    new_account: bool


@transaction.atomic
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
    from portico.portal.actions import portal_account_open

    state = invitation_link_state(raw_token=raw_token)
    invitation, link = state.invitation, state.link
    if not state.usable or invitation is None or link is None:
        raise _invalid_link()
    client = Client.objects.select_related("profile").get(pk=invitation.client_id)
    if client.deleted_at is not None or client.status in NOT_INVITABLE:
        raise _invalid_link()
    username = invitation_username(invitation, user, email)
    if user is None and password is not None:
        try:
            validate_password(password, User(email=username, full_name=full_name))
        except ValidationError as exc:
            raise PorticoError(" ".join(exc.messages), code="weak_password") from None
    if profile is not None and (user is None or profile.organizer_id != user.pk):
        raise PorticoError(_("Choose one of your own profiles."), code="not_your_profile")

    now = timezone.now()
    new_status = INVITATION_MACHINE.target(InvitationStatus.PENDING, "accept")
    consumed = Invitation.objects.filter(
        pk=invitation.pk, status=InvitationStatus.PENDING, expires_at__gt=now, sent_count=link.number
    ).update(status=new_status, accepted_at=now)
    if consumed != 1:
        raise _invalid_link()

    new_account = user is None
    if user is None:
        if User.objects.filter(email__iexact=username).exists():
            raise PorticoError(
                _("An account for %(email)s exists. Sign in first, then open the link again.") % {"email": username},
                code="sign_in_first",
            )
        try:
            with transaction.atomic():
                user = User.objects.create_user(username, password, full_name=full_name.strip() or client.name)
        except IntegrityError:
            raise PorticoError(_("An account for this address was just created. Sign in instead.")) from None
        if password is None:
            user.set_unusable_password()
            user.save(update_fields=["password"])
    _email_address_confirm(user, verified=invitation.channel == InvitationChannel.EMAIL)
    Invitation.objects.filter(pk=invitation.pk).update(accepted_by=user)
    client_actor = Actor(kind=ActorKind.CLIENT, user=user, ip=actor.ip, user_agent=actor.user_agent)
    _audit(
        invitation,
        client_actor,
        AuditAction.INVITATION_ACCEPTED,
        from_state=InvitationStatus.PENDING,
        to_state=new_status,
        new_account=new_account,
    )
    client = _link_profile(client, user, profile, client_actor)
    _tell_navigators_of(
        invitation, EventKind.INVITATION_ACCEPTED, gettext_noop("%(client)s accepted the portal invitation")
    )
    portal_account_open(org=invitation.org, user=user, actor=client_actor, client=client)
    return Acceptance(user=user, client=client, new_account=new_account)


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
    from django.core.validators import validate_email

    try:
        validate_email(username)
    except ValidationError:
        raise PorticoError(_("Enter a valid email address."), code="bad_email") from None
    return username


def _email_address_confirm(user: User, *, verified: bool) -> None:
    from allauth.account.models import EmailAddress

    address, _created = EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": verified, "primary": True}
    )
    if verified and not address.verified:  # the emailed link proved the address
        EmailAddress.objects.filter(pk=address.pk).update(verified=True)


def _link_profile(client: Client, user: User, profile: Profile | None, actor: Actor) -> Client:
    """Seed 000: acceptance (or choosing an existing profile) makes the client active, unless the
    point of contact does not organize the record's profile: then the client stays inactive."""
    client = Client.objects.select_related("org", "profile").get(pk=client.pk)
    if client.profile is not None:  # staff created (or assigned) it before acceptance
        if client.profile.organizer_id is None:
            Profile.objects.filter(pk=client.profile.pk).update(organizer=user)
            audit_record(
                org=client.org,
                actor=actor,
                action=AuditAction.CLIENT_PROFILE_LINKED,
                target=client,
                detail={"profile": client.profile.pk, "organizer_set": True, "by_invitation": True},
            )
        organizer = client.profile.organizer_id in (None, user.pk)
        if organizer and client.status == ClientStatus.INACTIVE:
            return client_actions.client_reactivate(client=client, actor=actor)
        if not organizer and client.status == ClientStatus.ACTIVE:
            return client_actions.client_deactivate(client=client, actor=actor)
        return client
    if profile is not None:
        return client_actions.client_profile_assign(client=client, profile=profile, actor=actor)
    new_profile = Profile.objects.create(
        full_name=user.full_name or client.name,
        email=user.email,
        phone=client.phone,
        date_of_birth=client.date_of_birth,
        address=client.address,
        language=client.language,
        organizer=user,
    )
    if client.status == ClientStatus.INVITE_SENT:
        return client_actions.client_invitation_accepted(client=client, actor=actor, profile=new_profile)
    # Active or inactive without a profile (records from before profiles existed): link it.
    Client.objects.filter(pk=client.pk).update(profile=new_profile)
    client.profile = new_profile
    audit_record(
        org=client.org,
        actor=actor,
        action=AuditAction.CLIENT_PROFILE_LINKED,
        target=client,
        detail={"profile": new_profile.pk, "created": True, "by_invitation": True},
    )
    return client
