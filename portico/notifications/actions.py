"""Telling staff about a client's events. Only the client's assigned navigators hear about it
(seed 004); an organization may mute closed and inactive clients. Each recipient gets one
Notification row (the bell) and, per their preference, an email, SMS or push through the outbox.
A client's portal user hears from staff the same way, by the one channel they chose."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portico.accounts.models import User
from portico.audit.actions import audit_record
from portico.audit.decorators import action
from portico.audit.models import AuditAction
from portico.clients.models import Client
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.notifications.models import (
    PREFERENCE_KINDS,
    EventKind,
    Notification,
    NotificationPreference,
    NotifyChannel,
    PushSubscription,
)
from portico.notifications.selectors import (
    address_of,
    channels_for_each,
    client_route,
    navigators_of,
    notifications_muted,
    preferences_for,
    push_subscriptions_of,
)
from portico.orgs.models import Organization
from portico.outbox.actions import outbox_enqueue
from portico.outbox.models import Channel, OutboxMessage

# The channels a person may choose that are outbox messages to one of their addresses.
ADDRESSED_CHANNELS = ((NotifyChannel.EMAIL, Channel.EMAIL), (NotifyChannel.SMS, Channel.SMS))


@dataclass
class Event:
    kind: str
    key: str  # unique per event: the same event never notifies the same person twice
    title: str
    body: str = ""
    url: str = ""  # a path on this site


@action(tx="caller", audited=False, why="the Notification row and its outbox messages are the record of it")
def notify_navigators(*, client: Client, event: Event, exclude: User | None = None) -> list[Notification]:
    """Notify ``client``'s assigned navigators of ``event`` (not ``exclude``, who caused it)."""
    if notifications_muted(client):
        return []
    users = [user for user in navigators_of(client) if exclude is None or user.pk != exclude.pk]
    return _notify(org=client.org, users=users, event=event, client=client)


@action(tx="caller", audited=False, why="the Notification row and its outbox messages are the record of it")
def notify_user(*, org: Organization, user: User, event: Event, client: Client | None = None) -> Notification | None:
    """One person, one event: the bell's row and the person's channels. None if already told."""
    sent = _notify(org=org, users=[user], event=event, client=client)
    return sent[0] if sent else None


def _notify(*, org: Organization, users: list[User], event: Event, client: Client | None) -> list[Notification]:
    """Each person's row and messages; their preferences and devices are read once for all."""
    if not users:
        return []
    channels = channels_for_each(org=org, users=users, kind=event.kind)
    devices = push_subscriptions_of(users=[user for user in users if NotifyChannel.PUSH in channels[user.pk]])
    link = settings.SITE_URL + event.url if event.url else settings.SITE_URL
    text = f"{event.title}\n\n{event.body}\n\n{link}".strip() + "\n"
    sent = []
    for user in users:
        chosen = channels[user.pk]
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    # Without "in the app" the row still guards against repeats, but the bell skips it.
                    read_at=None if NotifyChannel.IN_APP in chosen else timezone.now(),
                    org=org,
                    recipient=user,
                    kind=event.kind,
                    client=client,
                    title=event.title[:200],
                    body=event.body[:500],
                    url=event.url[:300],
                    event_key=event.key[:200],
                )
        except IntegrityError:
            continue  # already told
        key = f"notification:{notification.pk}"
        for preference, channel in ADDRESSED_CHANNELS:
            to = address_of(user, channel) if preference in chosen else ""
            if to:
                _send(
                    org=org,
                    channel=channel,
                    to=to,
                    key=key,
                    subject=event.title,
                    text=text,
                    sms=f"{event.title} {link}",
                )
        for subscription in devices.get(user.pk, []):
            outbox_enqueue(
                org=org,
                channel=Channel.PUSH,
                to=subscription.endpoint,
                idempotency_key=f"{key}:push:{subscription.pk}",
                subject=event.title,
                body_text=event.body,
                payload={"subscription": subscription.pk, "user": user.pk, "url": event.url},
            )
        sent.append(notification)
    return sent


@action(tx="caller", audited=False, why="the message is part of the audited change that causes it")
def notify_client_user(
    *, org: Organization, person: User, key: str, subject: str, text: str, sms: str
) -> OutboxMessage:
    """Tell a client's portal user something by the one channel they chose (``client_route``):
    ``subject`` and ``text`` by email, ``sms`` (short, with the link) by SMS."""
    channel, to = client_route(person)
    return _send(org=org, channel=channel, to=to, key=key, subject=subject, text=text, sms=sms)


def _send(*, org: Organization, channel: str, to: str, key: str, subject: str, text: str, sms: str) -> OutboxMessage:
    """One email or SMS through the outbox, keyed ``<key>:<channel>`` (the same event never twice)."""
    if channel == Channel.SMS:
        return outbox_enqueue(org=org, channel=Channel.SMS, to=to, idempotency_key=f"{key}:sms", body_text=sms)
    return outbox_enqueue(
        org=org, channel=Channel.EMAIL, to=to, idempotency_key=f"{key}:email", subject=subject, body_text=text
    )


@action
def notification_preferences_save(
    *, org: Organization, user: User, actor: Actor, prefs: dict[str, list[str]]
) -> dict[str, list[str]]:
    """Save one person's channels per event kind (kinds left out keep theirs). Audited with what changed."""
    kinds = {kind.value for kind in PREFERENCE_KINDS}
    channels = set(NotifyChannel.values)
    for kind, chosen in prefs.items():
        if kind not in kinds:
            raise PorticoError(_("Unknown event kind %(kind)s.") % {"kind": kind}, code="invalid")
        unknown = set(chosen) - channels
        if unknown:
            raise PorticoError(
                _("Unknown notification channel %(channel)s.") % {"channel": sorted(unknown)[0]}, code="invalid"
            )
    before = preferences_for(org=org, user=user)
    changes: dict[str, dict[str, list[str]]] = {}
    for kind, chosen in prefs.items():
        ordered = [c for c in NotifyChannel.values if c in set(chosen)]
        if ordered != before[kind]:  # only what changed is written (and audited)
            NotificationPreference.objects.update_or_create(
                org=org, user=user, kind=kind, defaults={"channels": ordered}
            )
            changes[kind] = {"from": before[kind], "to": ordered}
    if changes:
        audit_record(
            org=org, actor=actor, action=AuditAction.NOTIFICATION_PREFERENCES_CHANGED, target=user, detail=changes
        )
    return preferences_for(org=org, user=user)


@action(audited=False, why="a device's delivery address, not a change to anyone's data; the device list shows it")
def push_subscription_save(
    *, user: User, endpoint: str, p256dh: str, auth: str, user_agent: str = ""
) -> PushSubscription:
    """Store (or refresh) one device's subscription: an endpoint is one device. An endpoint that
    is someone else's moves only with its keys (the same browser, now signed in as ``user``):
    knowing a colleague's endpoint URL is not enough to take their notifications."""
    existing = PushSubscription.objects.filter(endpoint=endpoint).first()
    if existing is not None and existing.user_id != user.pk and (existing.p256dh, existing.auth) != (p256dh, auth):
        raise PorticoError(_("This device is subscribed by someone else."), code="not_yours")
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"user": user, "p256dh": p256dh, "auth": auth, "user_agent": user_agent[:300]}
    )
    return subscription


@action(audited=False, why="reading one's own notifications changes nothing anyone else sees")
def notifications_mark_read(*, org: Organization, user: User, ids: list[int] | None = None) -> int:
    """Mark some (or all) of one person's unread notifications in ``org`` read."""
    qs = Notification.objects.filter(org=org, recipient=user, read_at=None)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


@action(audited=False, why="the Notification row and its outbox messages are the record of it")
def notify_test(*, org: Organization, user: User) -> Notification | None:
    """The settings page's "Send a test notification": proves each chosen channel reaches them."""
    with translation.override(user.language or org.language):
        event = Event(
            kind=EventKind.TEST,
            key=f"test:{user.pk}:{timezone.now().timestamp()}",
            title=_("Test notification from Portico"),
            body=_("If you can read this, notifications reach you here."),
        )
    return notify_user(org=org, user=user, event=event)
