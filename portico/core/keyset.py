"""Keyset pages, newest first: ``(time, id)`` of the last row is the cursor, never an OFFSET,
so every page is one index range scan however deep it is."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

M = TypeVar("M", bound=Model)


def cursor_encode(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def cursor_decode(cursor: str) -> Any:
    """The values, or None for a broken (hand-made) cursor: the page starts from the top."""
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        return None


def keyset_page(qs: QuerySet[M], *, time_field: str, cursor: str, page_size: int) -> tuple[list[M], str | None]:
    """One page of ``qs`` ordered by (``time_field``, id) descending, and the next page's cursor."""
    values = cursor_decode(cursor) if cursor else None
    at: dt.datetime | None = None
    if isinstance(values, list) and len(values) == 2:
        try:
            at, last_id = dt.datetime.fromisoformat(values[0]), int(values[1])
        except (TypeError, ValueError):
            at = None  # a hand-made cursor: start from the top rather than fail
    if at is not None:
        qs = qs.filter(**{f"{time_field}__lte": at}).filter(
            Q(**{f"{time_field}__lt": at}) | Q(**{time_field: at, "id__lt": last_id})
        )
    rows = list(qs.order_by(f"-{time_field}", "-id")[: page_size + 1])
    if len(rows) <= page_size:
        return rows, None
    rows = rows[:page_size]
    return rows, cursor_encode([getattr(rows[-1], time_field).isoformat(), rows[-1].pk])
