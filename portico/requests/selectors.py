"""Reads of client requests: the staff inbox (keyset pages), one request and its thread, and the
client's own side in the portal (internal notes and their files never reach it). Another
organization's ids, and another person's requests, are a 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from portico.accounts.models import User
from portico.clients.models import NavigatorAssignment
from portico.clients.selectors import client_records_organized_by
from portico.core.keyset import Page, keyset_page
from portico.orgs.models import Organization
from portico.requests.models import Attachment, ClientRequest, RequestKind, RequestMessage

PAGE_SIZE = 25
SCOPES = ("mine", "unassigned", "all")


@dataclass
class RequestFilters:
    status: str = ""
    kind: int | None = None
    older_than_days: int | None = None  # no activity for at least this many days
    client: int | None = None  # one client record's requests


def request_kinds(*, org: Organization, offered_only: bool = False) -> QuerySet[RequestKind]:
    kinds = RequestKind.objects.filter(org=org)
    return kinds.filter(active=True) if offered_only else kinds


def request_kind_get(*, org: Organization, kind_id: int) -> RequestKind:
    return get_object_or_404(RequestKind, org=org, pk=kind_id)


def client_request_get(*, org: Organization, client_request_id: int) -> ClientRequest:
    """One of the organization's requests (live client records only); another's id is a 404."""
    return get_object_or_404(
        ClientRequest.objects.filter(org=org, client__deleted_at=None).select_related(
            "org", "client", "kind", "opened_by"
        ),
        pk=client_request_id,
    )


def request_inbox_queryset(
    *, org: Organization, user: User | None, scope: str, filters: RequestFilters
) -> QuerySet[ClientRequest]:
    qs = ClientRequest.objects.filter(org=org, client__deleted_at=None)
    if scope == "mine":
        qs = qs.filter(Exists(NavigatorAssignment.objects.filter(client=OuterRef("client_id"), user=user)))
    elif scope == "unassigned":
        qs = qs.filter(~Exists(NavigatorAssignment.objects.filter(client=OuterRef("client_id"))))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind_id=filters.kind)
    if filters.client:
        qs = qs.filter(client_id=filters.client)
    if filters.older_than_days:
        qs = qs.filter(last_activity_at__lt=timezone.now() - dt.timedelta(days=filters.older_than_days))
    return qs


def request_inbox_page(
    *,
    org: Organization,
    user: User | None,
    scope: str,
    filters: RequestFilters,
    cursor: str = "",
    page_size: int = PAGE_SIZE,
) -> Page[ClientRequest]:
    """One page of the inbox, newest activity first, by keyset (last_activity_at, id): one query
    whatever the page (client and kind come with each row)."""
    scope = scope if scope in SCOPES else "mine"
    qs = request_inbox_queryset(org=org, user=user, scope=scope, filters=filters).select_related("client", "kind")
    return keyset_page(qs, order=("-last_activity_at", "-id"), cursor=cursor, page_size=page_size)


def request_thread(*, client_request: ClientRequest, for_client: bool) -> list[RequestMessage]:
    """The messages, oldest first, with their attachments and authors. For the client's side,
    internal notes are left out here, in the query itself."""
    qs = RequestMessage.objects.filter(client_request=client_request)
    if for_client:
        qs = qs.filter(internal=False)
    return list(
        qs.select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
        .order_by("created_at", "id")
    )


def request_attachment_get(*, client_request: ClientRequest, attachment_id: int, for_client: bool) -> Attachment:
    """An attachment of this request (not of an internal note, for the client's side)."""
    qs = Attachment.objects.filter(message__client_request=client_request)
    if for_client:
        qs = qs.filter(message__internal=False)
    return get_object_or_404(qs, pk=attachment_id)


# --- the client's side (portal) ---


def client_requests_of_person(*, org: Organization, user: User) -> QuerySet[ClientRequest]:
    """The requests of the records ``user`` organizes in ``org``, newest activity first (kind
    joined: one query)."""
    return (
        ClientRequest.objects.filter(org=org, client__in=client_records_organized_by(org=org, user=user))
        .select_related("kind")
        .order_by("-last_activity_at", "-id")
    )


def client_requests_of_person_page(*, org: Organization, user: User, cursor: str = "") -> Page[ClientRequest]:
    """One page of the person's requests in the portal, newest activity first."""
    return keyset_page(
        client_requests_of_person(org=org, user=user),
        order=("-last_activity_at", "-id"),
        cursor=cursor,
        page_size=PAGE_SIZE,
    )


def client_request_get_for_person(*, org: Organization, user: User, client_request_id: int) -> ClientRequest:
    """One of the person's requests; 404 for anyone else's."""
    return get_object_or_404(
        client_requests_of_person(org=org, user=user).select_related("client", "org"), pk=client_request_id
    )
