from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404

from portico.outbox.models import OutboxMessage

PAGE_SIZE = 50


def outbox_list(
    *, org: Any, state: str = "", before_id: int | None = None, limit: int = PAGE_SIZE
) -> list[OutboxMessage]:
    qs = OutboxMessage.objects.filter(org=org).defer("body_text", "body_html", "payload")
    if state:
        qs = qs.filter(state=state)
    if before_id:
        qs = qs.filter(id__lt=before_id)
    return list(qs.order_by("-id")[:limit])


def outbox_get(*, org: Any, message_id: int) -> OutboxMessage:
    return get_object_or_404(OutboxMessage.objects.prefetch_related("attempt_rows"), org=org, pk=message_id)
