"""The one paginator: keyset pages. The cursor is the last row's values of the ordering columns
(ending in a unique one, usually ``id``), never an OFFSET, so page 4,000 costs what page 1 costs:
one index range scan that starts at the cursor.

``keyset_page(qs, order=("-created_at", "-id"), cursor=..., page_size=25)`` gives a ``Page``: the
rows, the next page's cursor, and with ``counted=True`` the total (see ``queryset_count``). Every
column of ``order`` runs the same way (all ascending or all descending), as the indexes do. A
cursor that does not decode (hand-made, or from an older ordering) starts from the top.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connection, models
from django.db.models import Model, Q, QuerySet

M = TypeVar("M", bound=Model)
EXACT_COUNT_LIMIT = 1_000  # above this (by the planner's estimate), list totals are the estimate


@dataclass
class Page(Generic[M]):
    rows: list[M]
    next_cursor: str | None  # None on the last page
    total: int = 0  # with counted=True
    total_is_estimate: bool = False


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


def keyset_page(
    qs: QuerySet[M], *, order: tuple[str, ...], cursor: str, page_size: int, counted: bool = False
) -> Page[M]:
    """One page of ``qs`` in ``order`` after ``cursor``. ``counted``: with the total as well, which
    costs nothing when the whole result fits on the first page (see ``queryset_count`` otherwise)."""
    descending = order[0].startswith("-")
    if any(name.startswith("-") != descending for name in order):
        raise ValueError(f"keyset_page: every column must run the same way: {order}")
    names = [name.lstrip("-") for name in order]
    fields = [_field(qs.model, name) for name in names]
    position = _decode(cursor, fields) if cursor else None
    rows_qs = qs
    if position is not None:
        # The plain range on the first column is redundant with the OR that follows, but it is
        # what lets the index start at the cursor instead of reading every row before it.
        rows_qs = qs.filter(**{f"{names[0]}__{'lte' if descending else 'gte'}": position[0]}).filter(
            _after(names, position, descending)
        )
    rows = list(rows_qs.order_by(*order)[: page_size + 1])
    next_cursor = None
    if len(rows) > page_size:
        rows = rows[:page_size]
        next_cursor = cursor_encode([getattr(rows[-1], field.attname) for field in fields])
    page = Page(rows=rows, next_cursor=next_cursor)
    if counted:
        if not cursor and next_cursor is None:
            page.total = len(rows)  # the whole result is on this page: no count needed
        else:
            page.total, page.total_is_estimate = queryset_count(qs)
    return page


def queryset_count(qs: QuerySet[Any]) -> tuple[int, bool]:
    """(total, is_estimate). On PostgreSQL the planner's estimate comes first (an EXPLAIN: no scan,
    under a millisecond); above EXACT_COUNT_LIMIT it is shown as "about N". Below, a count that
    stops after EXACT_COUNT_LIMIT + 1 rows gives the exact figure at a bounded cost. SQLite, the
    small embedded database, simply counts."""
    if connection.vendor != "postgresql":
        return qs.count(), False
    sql, params = qs.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    estimate = int(plan[0]["Plan"]["Plan Rows"])
    if estimate > EXACT_COUNT_LIMIT:
        return estimate, True
    capped = qs.values("pk")[: EXACT_COUNT_LIMIT + 1].count()
    return (capped, False) if capped <= EXACT_COUNT_LIMIT else (max(estimate, capped), True)
