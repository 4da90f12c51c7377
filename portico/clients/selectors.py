"""Organization-scoped reads of client records. Deleted records are invisible here except
through the support selectors at the end."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Exists, F, JSONField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.shortcuts import get_object_or_404

from portico.clients.models import Client, ClientGroup, Group, NavigatorAssignment
from portico.orgs.models import Organization

PAGE_SIZE = 25
EXACT_COUNT_LIMIT = 1_000  # above this (by the planner's estimate), list totals are the estimate

SORTS = {
    # name: (ordering fields, the attribute the cursor remembers)
    "newest": (("-created_at", "-id"), "created_at"),
    "oldest": (("created_at", "id"), "created_at"),
    "name": (("name", "id"), "name"),
    "case_number": (("case_number", "id"), "case_number"),
}


@dataclass
class ClientFilters:
    status: str = ""
    client_type: int | None = None
    group: int | None = None
    navigator: int | None = None
    warning: int | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    has_portal_account: bool | None = None
    record_type: str = ""


def client_queryset(*, org: Organization) -> QuerySet[Client]:
    return Client.objects.filter(org=org, deleted_at=None)


def client_filtered(*, org: Organization, filters: ClientFilters) -> QuerySet[Client]:
    qs = client_queryset(org=org)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.record_type:
        qs = qs.filter(record_type=filters.record_type)
    if filters.client_type:
        qs = qs.filter(client_type_id=filters.client_type)
    if filters.group:
        qs = qs.filter(Exists(ClientGroup.objects.filter(client=OuterRef("pk"), group_id=filters.group)))
    if filters.navigator:
        qs = qs.filter(Exists(NavigatorAssignment.objects.filter(client=OuterRef("pk"), user_id=filters.navigator)))
    if filters.warning:
        qs = qs.filter(warnings=filters.warning)
    if filters.created_from:
        qs = qs.filter(created_at__date__gte=filters.created_from)
    if filters.created_to:
        qs = qs.filter(created_at__date__lte=filters.created_to)
    if filters.has_portal_account is not None:
        has = Q(profile__organizer__isnull=False)
        qs = qs.filter(has) if filters.has_portal_account else qs.exclude(has)
    return qs


class _JSONArrayAgg(Aggregate):
    """JSON array of the grouped values: json_group_array on SQLite, jsonb_agg on PostgreSQL."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function="JSONB_AGG", **extra)


def warnings_subquery() -> Subquery:
    """Each row's warning indicators as one JSON value, inside the page query itself (no
    second query per page): read through ``Client.warning_badges``."""
    through = Client.warnings.through
    return Subquery(
        through.objects.filter(client_id=OuterRef("pk"))  # type: ignore[misc]  # (stubs miss the annotation)
        .values("client_id")
        .annotate(
            data=_JSONArrayAgg(
                JSONObject(
                    id=F("warningindicator_id"),
                    label=F("warningindicator__label"),
                    colour=F("warningindicator__colour"),
                    icon=F("warningindicator__icon"),
                )
            )
        )
        .values("data"),
        output_field=JSONField(),
    )


def _encode_cursor(values: list[Any]) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, dt.datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: str) -> list[Any] | None:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values[0], str):
            return None  # a hand-made cursor: start from the top rather than fail
        if SORTS[sort][1] == "created_at":
            values[0] = dt.datetime.fromisoformat(values[0])
        return [values[0], int(values[1])]
    except (ValueError, TypeError, IndexError, KeyError):
        return None


@dataclass
class ClientPage:
    rows: list[Client]
    next_cursor: str | None
    total: int
    total_is_estimate: bool


def client_page(
    *, org: Organization, filters: ClientFilters, sort: str = "newest", cursor: str = "", page_size: int = PAGE_SIZE
) -> ClientPage:
    """One page by keyset (the last row's sort value and id), never OFFSET: page 4,000 costs
    what page 1 costs. Warnings come in one prefetch; the total is exact up to EXACT_COUNT_LIMIT."""
    sort = sort if sort in SORTS else "newest"
    ordering, attr = SORTS[sort]
    qs = client_filtered(org=org, filters=filters)
    position = _decode_cursor(cursor, sort) if cursor else None
    if position is not None:
        value, last_id = position
        # The plain range (<= / >=) is redundant with the OR below, but it is what lets the index
        # start at the cursor instead of reading and discarding every row before it.
        if ordering[0].startswith("-"):
            qs = qs.filter(**{f"{attr}__lte": value}).filter(
                Q(**{f"{attr}__lt": value}) | Q(**{attr: value, "id__lt": last_id})
            )
        else:
            qs = qs.filter(**{f"{attr}__gte": value}).filter(
                Q(**{f"{attr}__gt": value}) | Q(**{attr: value, "id__gt": last_id})
            )
    rows: list[Client] = list(
        qs.order_by(*ordering)
        .select_related("client_type")
        .annotate(warnings_data=warnings_subquery())[: page_size + 1]
    )
    next_cursor = None
    if len(rows) > page_size:
        rows = rows[:page_size]
        next_cursor = _encode_cursor([getattr(rows[-1], attr), rows[-1].pk])
    if position is None and next_cursor is None:
        total, estimate = len(rows), False  # the whole result is on this page: no count needed
    else:
        total, estimate = client_count(org=org, filters=filters)
    return ClientPage(rows=rows, next_cursor=next_cursor, total=total, total_is_estimate=estimate)


def client_count(*, org: Organization, filters: ClientFilters) -> tuple[int, bool]:
    """(total, is_estimate). On PostgreSQL the planner's estimate comes first (an EXPLAIN: no scan,
    under a millisecond); above EXACT_COUNT_LIMIT it is shown as "about N". Below, a count that
    stops after EXACT_COUNT_LIMIT + 1 rows gives the exact figure at a bounded cost. SQLite, the
    small embedded database, simply counts."""
    return queryset_count(client_filtered(org=org, filters=filters))


def queryset_count(qs: QuerySet[Any]) -> tuple[int, bool]:
    """(total, is_estimate) of any list, counted as ``client_count`` describes."""
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


def client_get(*, org: Organization, client_id: int) -> Client:
    return get_object_or_404(
        client_queryset(org=org)
        .select_related("client_type", "profile", "created_by")
        .annotate(warnings_data=warnings_subquery()),
        pk=client_id,
    )


def client_record_sections(*, client: Client) -> dict[str, Any]:
    """What the record page shows beside the client: its groups, navigators and warnings."""
    return {
        "groups": list(Group.objects.filter(clientgroup__client=client).order_by("name")),
        "navigators": list(
            NavigatorAssignment.objects.filter(client=client).select_related("user").order_by("user__full_name")
        ),
        "warnings": client.warning_badges,  # loaded with the client (see client_get)
    }


def client_duplicates(
    *, org: Organization, email: str = "", phone: str = "", exclude_id: int | None = None
) -> list[Client]:
    """Live records of the organization with the same email (any case) or phone."""
    condition = Q()
    if email:
        condition |= Q(email__iexact=email)
    if phone:
        condition |= Q(phone=phone)
    if not condition:
        return []
    qs = client_queryset(org=org).filter(condition)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return list(qs.order_by("-created_at")[:5])


# --- support: deleted records ---


def deleted_client_list(*, org: Organization, limit: int = 100) -> list[Client]:
    return list(
        Client.objects.filter(org=org)
        .exclude(deleted_at=None)
        .select_related("deleted_by")
        .order_by("-deleted_at")[:limit]
    )


def deleted_client_get(*, org: Organization, client_id: int) -> Client:
    return get_object_or_404(Client.objects.filter(org=org).exclude(deleted_at=None), pk=client_id)
