"""The bell: one person's notifications in one organization."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from portico.accounts.models import NotifyBy, User
from portico.clients.models import Client, ClientStatus
from portico.core.keyset import Page, keyset_page
from portico.notifications.models import (
    DEFAULT_CHANNELS,
    PREFERENCE_KINDS,
    Notification,
    NotificationPreference,
    PushSubscription,
)
from portico.orgs.models import MembershipStatus, Organization
from portico.outbox.models import Channel

MUTED_STATUSES = (ClientStatus.CLOSED, ClientStatus.INACTIVE)

PAGE_SIZE = 30


def notification_list(
    *, org: Organization, user: User, cursor: str = "", page_size: int = PAGE_SIZE
) -> Page[Notification]:
    """Newest first, by keyset (created_at, id) on the notification_bell index."""
    qs = Notification.objects.filter(org=org, recipient=user)
    return keyset_page(qs, order=("-created_at", "-id"), cursor=cursor, page_size=page_size)


def unread_count(*, org: Organization, user: User) -> int:
    """One count on the partial notification_unread index."""
    return Notification.objects.filter(org=org, recipient=user, read_at=None).count()


def notification_get(*, org: Organization, user: User, notification_id: int) -> Notification:
    """One of this person's notifications in ``org``; anyone else's is a 404."""
    return get_object_or_404(Notification, org=org, recipient=user, pk=notification_id)


def navigators_of(client: Client) -> list[User]:
    """The client's assigned navigators who are active staff of its organization."""
    return list(
        User.objects.filter(
            navigatorassignment__client=client,
            is_active=True,
            memberships__org_id=client.org_id,
            memberships__status=MembershipStatus.ACTIVE,
        ).distinct()
    )


def notifications_muted(client: Client) -> bool:
    return bool(client.org.mute_closed_clients) and client.status in MUTED_STATUSES


def channels_for(*, org: Organization, user: User, kind: str) -> list[str]:
    return channels_for_each(org=org, users=[user], kind=kind)[user.pk]


def channels_for_each(*, org: Organization, users: list[User], kind: str) -> dict[int, list[str]]:
    """Each person's channels for ``kind`` (the defaults where they chose none): one query."""
    saved = dict(
        NotificationPreference.objects.filter(org=org, user__in=users, kind=kind).values_list("user_id", "channels")
    )
    return {user.pk: list(saved.get(user.pk, DEFAULT_CHANNELS)) for user in users}


def push_subscriptions_of(*, users: list[User]) -> dict[int, list[PushSubscription]]:
    """Each person's devices for phone push: one query (none for nobody)."""
    devices: dict[int, list[PushSubscription]] = {user.pk: [] for user in users}
    for subscription in PushSubscription.objects.filter(user__in=users).order_by("pk") if users else []:
        devices[subscription.user_id].append(subscription)
    return devices


def address_of(user: User, channel: str) -> str:
    """Where an outbox message on ``channel`` reaches ``user``: their email, or their mobile
    number for SMS ("" when they have none)."""
    if channel == Channel.EMAIL:
        return user.email
    if channel == Channel.SMS:
        return user.phone
    return ""


def client_route(person: User) -> tuple[str, str]:
    """How a client (a portal user) hears from staff, as (outbox channel, address): the channel
    they chose (``notify_by``), by email when they chose SMS but have no mobile number."""
    channel = Channel.SMS if person.notify_by == NotifyBy.SMS and address_of(person, Channel.SMS) else Channel.EMAIL
    return channel, address_of(person, channel)


def preferences_for(*, org: Organization, user: User) -> dict[str, list[str]]:
    """Every preference kind's channels for one person, the defaults filled in."""
    saved = {p.kind: list(p.channels) for p in NotificationPreference.objects.filter(org=org, user=user)}
    return {kind.value: saved.get(kind.value, [str(c) for c in DEFAULT_CHANNELS]) for kind in PREFERENCE_KINDS}


def push_device_count(*, user: User) -> int:
    """How many devices (browsers) receive this person's phone notifications."""
    return PushSubscription.objects.filter(user=user).count()
