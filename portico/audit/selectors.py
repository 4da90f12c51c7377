from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from portico.audit.actions import target_type_of
from portico.audit.models import AuditEvent
from portico.core.keyset import Page, keyset_page

PAGE_SIZE = 50


def audit_log_queryset(
    *,
    org: Any,
    actor_user_id: int | None = None,
    action: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """The organization's log, filtered; page it with ``audit_log_page``."""
    qs = AuditEvent.objects.filter(org=org)
    if actor_user_id:
        qs = qs.filter(actor_user_id=actor_user_id)
    if action:
        qs = qs.filter(action=action)
    # Ranges on the column itself (not a cast to date), so the (org, created_at) index serves them.
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(created_at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(created_at__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return qs


def audit_log_page(*, org: Any, cursor: str = "", page_size: int = PAGE_SIZE, **filters: Any) -> Page[AuditEvent]:
    """One page, newest first, by keyset on id (deep pages cost what the first does)."""
    return keyset_page(audit_log_queryset(org=org, **filters), order=("-id",), cursor=cursor, page_size=page_size)


def audit_timeline(*, org: Any, target: models.Model, limit: int = 100) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(org=org, target_type=target_type_of(target), target_id=str(target.pk)).order_by(
            "-created_at", "-id"
        )[:limit]
    )
