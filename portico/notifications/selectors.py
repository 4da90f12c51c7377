"""The bell: one person's notifications in one organization."""

from __future__ import annotations

from dataclasses import dataclass

from django.shortcuts import get_object_or_404

from portico.accounts.models import User
from portico.core.keyset import keyset_page
from portico.notifications.models import Notification
from portico.orgs.models import Organization

PAGE_SIZE = 30


@dataclass
class NotificationPage:
    rows: list[Notification]
    next_cursor: str | None


def notification_list(
    *, org: Organization, user: User, cursor: str = "", page_size: int = PAGE_SIZE
) -> NotificationPage:
    """Newest first, by keyset (created_at, id) on the notification_bell index."""
    rows, next_cursor = keyset_page(
        Notification.objects.filter(org=org, recipient=user),
        time_field="created_at",
        cursor=cursor,
        page_size=page_size,
    )
    return NotificationPage(rows=rows, next_cursor=next_cursor)


def unread_count(*, org: Organization, user: User) -> int:
    """One count on the partial notification_unread index."""
    return Notification.objects.filter(org=org, recipient=user, read_at=None).count()


def notification_get(*, org: Organization, user: User, notification_id: int) -> Notification:
    """One of this person's notifications in ``org``; anyone else's is a 404."""
    return get_object_or_404(Notification, org=org, recipient=user, pk=notification_id)
