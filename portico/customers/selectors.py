"""Reads of the customers catalog: the table (filters, search, three sorts, keyset pages: one query
a page, whatever the page), one customer with its sections, the staff who can own a customer.
Organization-scoped: another organization's customer is a 404.

The sorts and the indexes they walk (Customer.Meta, clients' client_org_name):
newest (by creation time, then id) → customer_org_created / customer_org_status_created /
customer_org_owner_created; legal name → client_org_name joined to the customer row; score (highest
first, unscored last, newest first among them) → customer_score_org_score (customers_customerscore),
then customer_org_created."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from portico.audit.models import AuditEvent
from portico.audit.selectors import audit_timeline
from portico.clients.models import Client, ClientKind
from portico.clients.search import client_search_filter
from portico.core.keyset import Page, keyset_page
from portico.customers.models import ComplianceDocument, Customer, CustomerAddress, CustomerContact
from portico.orgs.models import Membership, MembershipStatus, Organization

PAGE_SIZE = 25
EXPORT_BATCH = 1000
HISTORY_LIMIT = 100
SORTS = ("newest", "name", "score")


@dataclass
class CustomerFilters:
    status: str = ""
    owner: int | None = None
    freshbooks: str = ""  # "yes" | "no" | ""
    q: str = ""
    sort: str = "newest"

    @property
    def active(self) -> bool:
        return bool(self.status or self.owner or self.freshbooks or self.q.strip())


def customers_of(*, org: Organization) -> QuerySet[Customer]:
    """The organization's customers whose client record is live."""
    deleted = Client.objects.filter(org=org).exclude(deleted_at=None).values("pk")
    return Customer.objects.filter(org=org).exclude(client__in=deleted)


def _search(org: Organization, q: str) -> QuerySet[Client] | None:
    """The global client search's own filter (trigram index on PostgreSQL, FTS5 on SQLite): legal
    name, trade name and tax id are all in it."""
    return client_search_filter(Client.objects.filter(org=org, deleted_at=None), q)


def _condition(org: Organization, filters: CustomerFilters, prefix: str = "") -> Q:
    condition = Q()
    if filters.status:
        condition &= Q(**{f"{prefix}status": filters.status})
    if filters.owner:
        condition &= Q(**{f"{prefix}sales_owner_id": filters.owner})
    if filters.freshbooks == "yes":
        condition &= ~Q(**{f"{prefix}freshbooks_id": ""})
    elif filters.freshbooks == "no":
        condition &= Q(**{f"{prefix}freshbooks_id": ""})
    return condition


def customer_page(
    *, org: Organization, filters: CustomerFilters, cursor: str = "", page_size: int = PAGE_SIZE
) -> Page[Customer]:
    """One page of the table: each customer with its client record and sales owner, in a fixed
    number of queries (legal name: one; newest: two; score: two, three where the scored end)."""
    found = _search(org, filters.q) if filters.q else None
    if filters.sort == "name":
        clients = Client.objects.filter(org=org, deleted_at=None, customer__isnull=False).filter(
            _condition(org, filters, "customer__")
        )
        if found is not None:
            clients = clients.filter(pk__in=found.values("pk"))
        page = keyset_page(
            clients.select_related("customer", "customer__sales_owner", "customer__current_score"),
            order=("name", "id"),
            cursor=cursor,
            page_size=page_size,
        )
        return Page(rows=[c.customer for c in page.rows], next_cursor=page.next_cursor)
    qs = customers_of(org=org).filter(_condition(org, filters))
    if found is not None:
        qs = qs.filter(client__in=found.values("pk"))
    # The client records come in a second query by primary key: joined, PostgreSQL would merge
    # the two tables' primary-key scans and read every client above a deep page's cursor.
    qs = qs.select_related("sales_owner", "current_score").prefetch_related("client")
    if filters.sort == "score":
        return _score_page(org, qs, cursor, page_size)
    # Newest first by creation time, not by id: ordered by the primary key alone, PostgreSQL walks
    # customers_customer_pkey backwards through every other organization's newer customers.
    return keyset_page(qs, order=("-created_at", "-client_id"), cursor=cursor, page_size=page_size)


def _cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _uncursor(cursor: str) -> list[Any] | None:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if values[0] == "s":
            return ["s", Decimal(str(values[1])), int(values[2])]
        if values[0] == "n":
            return ["n", dt.datetime.fromisoformat(values[1]), int(values[2])]
    except (ValueError, TypeError, IndexError, KeyError, InvalidOperation):
        return None
    return None


def _score_page(org: Organization, qs: QuerySet[Customer], cursor: str, page_size: int) -> Page[Customer]:
    """Highest score first, then the customers never scored (newest first): a keyset over two
    ranges (a score is a decimal, and the unscored come after every scored one). The scored range
    walks customers_customerscore's (org, score, customer) index; the unscored are the customers
    without a CustomerScore row."""
    position = _uncursor(cursor) if cursor else None
    rows: list[Customer] = []
    if position is None or position[0] == "s":
        scored = qs.filter(current_score__org=org)
        if position is not None:
            score, last = position[1], position[2]
            scored = scored.filter(current_score__score__lte=score).filter(
                Q(current_score__score__lt=score) | Q(current_score__score=score, current_score__customer_id__lt=last)
            )
        rows = list(scored.order_by("-current_score__score", "-current_score__customer_id")[: page_size + 1])
    if len(rows) <= page_size:
        unscored = qs.filter(current_score__isnull=True)
        if position is not None and position[0] == "n":
            at, last = position[1], position[2]
            unscored = unscored.filter(created_at__lte=at).filter(
                Q(created_at__lt=at) | Q(created_at=at, client_id__lt=last)
            )
        rows += list(unscored.order_by("-created_at", "-client_id")[: page_size + 1 - len(rows)])
    next_cursor = None
    if len(rows) > page_size:
        rows = rows[:page_size]
        last_row = rows[-1]
        next_cursor = _cursor(
            ["s", str(last_row.score), last_row.client_id]
            if last_row.score is not None
            else ["n", last_row.created_at.isoformat(), last_row.client_id]
        )
    return Page(rows=rows, next_cursor=next_cursor)


def customer_export_rows(*, org: Organization, filters: CustomerFilters) -> Iterator[Customer]:
    """Every customer the filters find, in the table's order, a keyset batch at a time."""
    cursor = ""
    while True:
        page = customer_page(org=org, filters=filters, cursor=cursor, page_size=EXPORT_BATCH)
        yield from page.rows
        if not page.next_cursor:
            return
        cursor = page.next_cursor


def customer_get(*, org: Organization, customer_id: int) -> Customer:
    """One of the organization's customers with its client record and sales owner; another's id
    (or a deleted record's) is a 404."""
    return get_object_or_404(
        Customer.objects.filter(org=org, client__deleted_at=None).select_related(
            "client", "sales_owner", "org", "current_score"
        ),
        pk=customer_id,
    )


def customer_addresses(*, customer: Customer) -> list[CustomerAddress]:
    return list(customer.addresses.order_by("kind", "pk"))


def customer_address_get(*, customer: Customer, address_id: int) -> CustomerAddress:
    return get_object_or_404(
        CustomerAddress.objects.select_related("customer__client"), customer=customer, pk=address_id
    )


def customer_contacts(*, customer: Customer) -> list[CustomerContact]:
    return list(customer.contacts.select_related("contact").order_by("role", "pk"))


def customer_contact_get(*, customer: Customer, link_id: int) -> CustomerContact:
    return get_object_or_404(CustomerContact.objects.select_related("customer__client"), customer=customer, pk=link_id)


def customer_documents(*, customer: Customer) -> list[ComplianceDocument]:
    return list(customer.documents.order_by("doc_type", "-uploaded_at"))


def customer_document_get(*, customer: Customer, document_id: int) -> ComplianceDocument:
    return get_object_or_404(
        ComplianceDocument.objects.select_related("customer__client"),
        customer=customer,
        org=customer.org_id,
        pk=document_id,
    )


def contact_candidate(*, org: Organization, reference: str) -> Client | None:
    """The organization's live person record named by its case number or id (the contact picker)."""
    reference = (reference or "").strip()
    if not reference:
        return None
    people = Client.objects.filter(org=org, deleted_at=None, kind=ClientKind.PERSON)
    found = people.filter(case_number__in={reference, reference.upper()}).first()
    if found is None and reference.isdigit():
        found = people.filter(pk=int(reference)).first()
    return found


def customer_history(*, customer: Customer) -> list[AuditEvent]:
    return audit_timeline(org=customer.org_id, target=customer, limit=HISTORY_LIMIT)


def sales_owner_options(*, org: Organization) -> list[tuple[int, str]]:
    """(user id, name) of the organization's active staff (one query)."""
    rows = (
        Membership.objects.filter(org=org, status=MembershipStatus.ACTIVE)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    return [(m.user_id, m.user.display_name) for m in rows]
