"""The bell: one person's notifications in one organization."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass

from django.db.models import Q
from django.shortcuts import get_object_or_404

from portico.accounts.models import User
from portico.notifications.models import Notification
from portico.orgs.models import Organization

PAGE_SIZE = 30


@dataclass
class NotificationPage:
    rows: list[Notification]
    next_cursor: str | None


def _decode_cursor(cursor: str) -> tuple[dt.datetime, int] | None:
    try:
        at, last_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return dt.datetime.fromisoformat(at), int(last_id)
    except (ValueError, TypeError):
        return None


def notification_list(
    *, org: Organization, user: User, cursor: str = "", page_size: int = PAGE_SIZE
) -> NotificationPage:
    """Newest first, by keyset (created_at, id) on the notification_bell index."""
    qs = Notification.objects.filter(org=org, recipient=user)
    position = _decode_cursor(cursor) if cursor else None
    if position is not None:
        at, last_id = position
        qs = qs.filter(created_at__lte=at).filter(Q(created_at__lt=at) | Q(created_at=at, id__lt=last_id))
    rows = list(qs.order_by("-created_at", "-id")[: page_size + 1])
    next_cursor = None
    if len(rows) > page_size:
        rows = rows[:page_size]
        raw = json.dumps([rows[-1].created_at.isoformat(), rows[-1].pk])
        next_cursor = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    return NotificationPage(rows=rows, next_cursor=next_cursor)


def unread_count(*, org: Organization, user: User) -> int:
    """One count on the partial notification_unread index."""
    return Notification.objects.filter(org=org, recipient=user, read_at=None).count()


def notification_get(*, org: Organization, user: User, notification_id: int) -> Notification:
    """One of this person's notifications in ``org``; anyone else's is a 404."""
    return get_object_or_404(Notification, org=org, recipient=user, pk=notification_id)
