"""The one paginator: keyset pages. The cursor is the last row's values of the ordering columns
(ending in a unique one, usually ``id``), never an OFFSET, so page 4,000 costs what page 1 costs:
one index range scan that starts at the cursor.

``keyset_page(qs, order=("-created_at", "-id"), cursor=..., page_size=25)`` → (rows, next cursor).
Every column of ``order`` runs the same way (all ascending or all descending), as the indexes do.
A cursor that does not decode (hand-made, or from an older ordering) starts from the top.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any, TypeVar

from django.db import models
from django.db.models import Model, Q, QuerySet

M = TypeVar("M", bound=Model)


def cursor_encode(values: list[Any]) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, dt.datetime | dt.date) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, fields: list[models.Field[Any, Any]]) -> list[Any] | None:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or len(values) != len(fields):
            return None
        decoded: list[Any] = []
        for field, value in zip(fields, values, strict=True):
            if isinstance(field, models.DateTimeField):
                decoded.append(dt.datetime.fromisoformat(value))
            elif isinstance(field, models.DateField):
                decoded.append(dt.date.fromisoformat(value))
            elif isinstance(field, models.IntegerField | models.AutoField | models.ForeignKey):
                decoded.append(int(value))
            elif isinstance(value, str):
                decoded.append(value)
            else:
                return None
        return decoded
    except (ValueError, TypeError):
        return None


def _field(model: type[Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def _after(names: list[str], values: list[Any], descending: bool) -> Q:
    """Rows after ``values`` in the order: (a, b, c) > (x, y, z) spelled out for any database."""
    op = "lt" if descending else "gt"
    condition = Q()
    for i in range(len(names)):
        step = Q(**{names[j]: values[j] for j in range(i)}) & Q(**{f"{names[i]}__{op}": values[i]})
        condition |= step
    return condition


def keyset_page(qs: QuerySet[M], *, order: tuple[str, ...], cursor: str, page_size: int) -> tuple[list[M], str | None]:
    """One page of ``qs`` in ``order`` after ``cursor``, and the next page's cursor (None: last page)."""
    descending = order[0].startswith("-")
    if any(name.startswith("-") != descending for name in order):
        raise ValueError(f"keyset_page: every column must run the same way: {order}")
    names = [name.lstrip("-") for name in order]
    fields = [_field(qs.model, name) for name in names]
    position = _decode(cursor, fields) if cursor else None
    if position is not None:
        # The plain range on the first column is redundant with the OR that follows, but it is
        # what lets the index start at the cursor instead of reading every row before it.
        qs = qs.filter(**{f"{names[0]}__{'lte' if descending else 'gte'}": position[0]}).filter(
            _after(names, position, descending)
        )
    rows = list(qs.order_by(*order)[: page_size + 1])
    if len(rows) <= page_size:
        return rows, None
    rows = rows[:page_size]
    last = rows[-1]
    return rows, cursor_encode([getattr(last, field.attname) for field in fields])
