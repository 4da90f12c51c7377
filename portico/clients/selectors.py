"""Organization-scoped reads of client records. Deleted records are invisible here except
through the support selectors at the end."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, JSONField, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from portico.accounts.models import User
from portico.clients.models import (
    Client,
    ClientGroup,
    ClientStatus,
    ClientType,
    Group,
    NavigatorAssignment,
    Profile,
    WarningIndicator,
)
from portico.clients.reference import client_reference
from portico.core.contact import email_normalize, phone_normalize
from portico.core.errors import PorticoError
from portico.core.keyset import Page, keyset_page
from portico.core.sql import JSONArrayAgg
from portico.jobs.models import Job
from portico.orgs.models import Organization

PAGE_SIZE = 25

SORTS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "name": ("name", "id"),
    "case_number": ("case_number", "id"),
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

    def to_json(self) -> dict[str, Any]:
        """The filters that are set, for a job's params (dates as ISO strings)."""
        return {
            k: (v.isoformat() if isinstance(v, dt.date) else v)
            for k, v in dataclasses.asdict(self).items()
            if v not in (None, "", {})
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ClientFilters:
        values = dict(data)
        for key in ("created_from", "created_to"):
            if values.get(key):
                values[key] = dt.date.fromisoformat(values[key])
        return cls(**values)


@dataclass
class ClientSelection:
    """The clients a bulk action covers: explicit ids, or everything matching ``filters``. Stored in
    a job's params (``to_params``/``from_params``) so the job reads the same set when it runs; ids
    of another organization (or deleted records) never match."""

    client_ids: list[int] | None = None
    filters: ClientFilters | None = None

    def __post_init__(self) -> None:
        if self.client_ids is not None:
            self.client_ids = sorted(set(self.client_ids))

    def queryset(self, *, org: Organization) -> QuerySet[Client]:
        qs = client_filtered(org=org, filters=self.filters or ClientFilters())
        return qs.filter(pk__in=self.client_ids) if self.client_ids is not None else qs

    def to_params(self) -> dict[str, Any]:
        if self.client_ids is not None:
            return {"client_ids": self.client_ids}
        return {"filters": (self.filters or ClientFilters()).to_json()}

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> ClientSelection:
        if "client_ids" in params:
            return cls(client_ids=params["client_ids"])
        return cls(filters=ClientFilters.from_json(params.get("filters", {})))

    def not_found(self, matched: int) -> int:
        """Chosen ids that matched no live client of the organization (deleted, or not its own)."""
        return max(len(self.client_ids) - matched, 0) if self.client_ids else 0


def job_clients(job: Job) -> QuerySet[Client]:
    """The clients a job over a ClientSelection covers (the ``selection`` of such job kinds)."""
    return ClientSelection.from_params(job.params).queryset(org=job.org)


def job_clients_not_found(job: Job) -> int:
    """Chosen ids of a job over a ClientSelection that matched no live client of the organization."""
    return ClientSelection.from_params(job.params).not_found(job.total)


def client_queryset(*, org: Organization) -> QuerySet[Client]:
    return Client.objects.filter(org=org, deleted_at=None)


def client_deleted_ids(*, org: Organization) -> QuerySet[Client, Any]:
    """Ids of the organization's deleted records (few; a partial index holds them). For rows of
    other tables about live clients: ``.exclude(client__in=client_deleted_ids(org=org))`` reads the
    deleted ones once, where ``client__deleted_at=None`` would join every client."""
    return Client.objects.filter(org=org).exclude(deleted_at=None).values("pk")


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


def _link_ids(through: QuerySet[Any], column: str) -> Subquery:
    """The ids a client links to (its warnings, groups or navigators) as one JSON array inside the
    client's own query; NULL when there are none. Names come from the cached reference lists
    (``_refs_fill``), so the query joins nothing and stays cheap to build and to plan."""
    rows = through.filter(client_id=OuterRef("pk")).values("client_id").annotate(data=JSONArrayAgg(F(column)))
    return Subquery(rows.values("data"), output_field=JSONField())


WARNING_IDS = ("warning_ids", Client.warnings.through.objects.all(), "warningindicator_id")  # type: ignore[attr-defined]
GROUP_IDS = ("group_ids", ClientGroup.objects.all(), "group_id")
NAVIGATOR_IDS = ("navigator_ids", NavigatorAssignment.objects.all(), "user_id")


def _with_links(qs: QuerySet[Client], *links: tuple[str, QuerySet[Any], str]) -> QuerySet[Client]:
    return qs.annotate(**{name: _link_ids(through, column) for name, through, column in links})


def _refs_fill(org: Organization, clients: list[Client]) -> None:
    """Turn the link ids of ``clients`` into what ``warning_badges``, ``group_refs`` and
    ``navigator_refs`` read, from the organization's cached reference lists. An id the cache
    does not know (a navigator no longer active, a group made a moment ago) is looked up, in one
    query per kind, only when there is one."""
    ref = client_reference(org=org)
    warnings = {w.id: {"id": w.id, "label": w.label, "colour": w.colour, "icon": w.icon} for w in ref.warnings}
    groups = {pk: {"id": pk, "name": name} for pk, name in ref.groups}
    staff = {pk: {"id": pk, "name": name} for pk, name in ref.staff}

    def ids(attr: str) -> set[int]:
        return {i for c in clients for i in (getattr(c, attr, None) or [])}

    if missing := ids("warning_ids") - warnings.keys():
        for w in WarningIndicator.objects.filter(pk__in=missing):
            warnings[w.pk] = {"id": w.pk, "label": w.label, "colour": w.colour, "icon": w.icon}
    if missing := ids("group_ids") - groups.keys():
        groups.update(
            {
                pk: {"id": pk, "name": name}
                for pk, name in Group.objects.filter(pk__in=missing).values_list("pk", "name")
            }
        )
    if missing := ids("navigator_ids") - staff.keys():
        staff.update({u.pk: {"id": u.pk, "name": u.display_name} for u in User.objects.filter(pk__in=missing)})
    for client in clients:
        for attr, data, found in (
            ("warning_ids", "warnings_data", warnings),
            ("group_ids", "groups_data", groups),
            ("navigator_ids", "navigators_data", staff),
        ):
            if hasattr(client, attr):
                setattr(client, data, [found[i] for i in getattr(client, attr) or [] if i in found])


def client_page(
    *, org: Organization, filters: ClientFilters, sort: str = "newest", cursor: str = "", page_size: int = PAGE_SIZE
) -> Page[Client]:
    """One page by keyset (the last row's sort value and id), never OFFSET: page 4,000 costs
    what page 1 costs. Warnings come in the page query; the total is exact up to
    EXACT_COUNT_LIMIT, the planner's estimate above (core/keyset.py)."""
    qs = _with_links(client_filtered(org=org, filters=filters).select_related("client_type"), WARNING_IDS)
    page = keyset_page(qs, order=SORTS.get(sort, SORTS["newest"]), cursor=cursor, page_size=page_size, counted=True)
    _refs_fill(org, page.rows)
    return page


@functools.cache
def _record_queryset() -> QuerySet[Client]:
    # Built once per process and cloned by each filter(): resolving these annotations costs more
    # than running the query they make (the record page is read far more than anything else).
    return _with_links(
        Client.objects.select_related("client_type", "profile", "created_by"), WARNING_IDS, GROUP_IDS, NAVIGATOR_IDS
    )


def client_get(*, org: Organization, client_id: int) -> Client:
    """One live record with everything its page and the API show beside it, in one query: client
    type, profile, who created it, and the ids of its warnings, groups and navigators (named from
    the cached reference lists; read through ``warning_badges``, ``group_refs`` and ``navigator_refs``)."""
    client = get_object_or_404(_record_queryset().filter(org=org, deleted_at=None), pk=client_id)
    _refs_fill(org, [client])
    return client


def client_type_for_input(*, org: Organization, client_type_id: int) -> ClientType:
    """The organization's client type with this id, for input that names one (refused otherwise)."""
    found = ClientType.objects.filter(org=org, pk=client_type_id).first()
    if found is None:
        raise PorticoError(
            _("Choose one of this organization's client types."), code="invalid", extra={"field": "client_type"}
        )
    return found


def _in_org(model: type[Group] | type[WarningIndicator], org: Organization, ids: list[int]) -> list[Any]:
    """The organization's rows with these ids; any id that is not one of them is a 404, as another
    organization's group looks like no group."""
    wanted = set(ids)
    found = list(model.objects.filter(org=org, pk__in=wanted)) if wanted else []
    if len(found) != len(wanted):
        raise Http404
    return found


def groups_in_org(*, org: Organization, ids: list[int]) -> list[Group]:
    return _in_org(Group, org, ids)


def warnings_in_org(*, org: Organization, ids: list[int]) -> list[WarningIndicator]:
    return _in_org(WarningIndicator, org, ids)


def client_navigator_get(*, client: Client, user_id: int) -> User:
    """A navigator assigned to ``client``; anyone else is a 404."""
    return get_object_or_404(User, pk=user_id, assigned_clients=client)


def profiles_organized_by(*, user: User) -> list[Profile]:
    """The profiles ``user`` organizes (to accept an invitation with one of them)."""
    return list(Profile.objects.filter(organizer=user).order_by("full_name", "pk"))


def client_records_organized_by(*, org: Organization, user: User) -> QuerySet[Client]:
    """The live records of ``org`` whose profile ``user`` organizes (their own records, in the portal)."""
    return Client.objects.filter(org=org, profile__organizer=user, deleted_at=None)


def client_duplicates(
    *, org: Organization, email: str = "", phone: str = "", exclude_id: int | None = None
) -> list[Client]:
    """Live records of the organization with the same email (any case) or phone, compared as the
    actions store them (a phone typed "55 1234 5678" finds +525512345678)."""
    email, phone = _normalized(email_normalize, email), _normalized(phone_normalize, phone)
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


def _normalized(normalize: Any, value: str) -> str:
    try:
        return normalize(value)
    except PorticoError:  # not valid: the create refuses it anyway, and it matches nothing
        return ""


# --- groups and reports ---


def group_list(*, org: Organization) -> QuerySet[Group]:
    """The organization's groups by name, each with its number of live members."""
    return (
        Group.objects.filter(org=org)
        .annotate(size=Count("clientgroup", filter=Q(clientgroup__client__deleted_at=None)))
        .order_by("name")
    )


def group_get(*, org: Organization, group_id: int) -> Group:
    return get_object_or_404(Group, org=org, pk=group_id)


def group_size(*, group: Group) -> int:
    return ClientGroup.objects.filter(group=group, client__deleted_at=None).count()


def group_member_ids(*, group: Group, clients: list[Client]) -> set[int]:
    """Which of ``clients`` (a page of the list) are in ``group``: one query."""
    return set(
        ClientGroup.objects.filter(group=group, client__in=[c.pk for c in clients]).values_list("client_id", flat=True)
    )


def client_reports(*, org: Organization) -> dict[str, Any]:
    """Counts by status, type and group. Closed and inactive clients count like any other."""
    live = client_queryset(org=org)
    by_status = dict(live.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    status_rows = [(label, by_status.get(value, 0)) for value, label in ClientStatus.choices]
    type_rows = list(
        live.values_list("client_type__name")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("client_type__name", "n")
    )
    group_rows = list(
        Group.objects.filter(org=org)
        .annotate(n=Count("clientgroup", filter=Q(clientgroup__client__deleted_at=None)))
        .order_by("-n")
        .values_list("name", "n")
    )
    return {
        "status_rows": status_rows,
        "type_rows": type_rows,
        "group_rows": group_rows,
        "peak": max([n for _label, n in status_rows] + [1]),
        "total": sum(by_status.values()),
    }


# --- support: deleted records ---


def deleted_client_page(*, org: Organization, cursor: str = "", page_size: int = PAGE_SIZE) -> Page[Client]:
    """The deleted records, most recently deleted first (the client_org_deleted index)."""
    qs = Client.objects.filter(org=org).exclude(deleted_at=None).select_related("deleted_by")
    return keyset_page(qs, order=("-deleted_at", "-id"), cursor=cursor, page_size=page_size)


def deleted_client_get(*, org: Organization, client_id: int) -> Client:
    return get_object_or_404(Client.objects.filter(org=org).exclude(deleted_at=None), pk=client_id)
