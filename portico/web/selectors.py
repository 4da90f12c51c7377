"""Reads that combine several apps, for the staff start page. Each block is one query, bounded by
an index range however large the organization is (measured at 1M clients: bench ``web.start``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from portico.accounts.models import User
from portico.clients.models import Client, NavigatorAssignment
from portico.clients.selectors import client_deleted_ids
from portico.invitations.models import Delivery, Invitation, InvitationStatus
from portico.notifications.models import Notification
from portico.orgs.models import Organization
from portico.orgs.selectors import has_active_membership, staff_invitation_pending_for
from portico.portal.selectors import portal_access_exists
from portico.requests.models import ClientRequest, RequestStatus

BLOCK = 8  # rows per block


def sign_in_allowed(*, user: User) -> bool:
    """Active staff somewhere, invited somewhere (so they can sign in and accept the link), or a
    client whose portal account is not banned in at least one organization."""
    return (
        has_active_membership(user=user)
        or portal_access_exists(user=user)
        or staff_invitation_pending_for(email=user.email)
        or Invitation.objects.live().filter(address__iexact=user.email).exists()
    )


def my_waiting_requests(*, org: Organization, user: User) -> list[ClientRequest]:
    """Open requests of the clients ``user`` navigates, the one waiting longest first."""
    mine = NavigatorAssignment.objects.filter(client=OuterRef("client_id"), user=user)
    return list(
        ClientRequest.objects.filter(Exists(mine), org=org, status=RequestStatus.OPEN)
        .exclude(client__in=client_deleted_ids(org=org))
        .select_related("client", "kind")
        .order_by("last_activity_at", "id")[:BLOCK]
    )


@dataclass
class ClientNews:
    client_id: int
    name: str
    case_number: str
    unread: int
    latest_title: str
    latest_at: dt.datetime


def my_clients_with_news(*, org: Organization, user: User) -> list[ClientNews]:
    """The clients ``user`` was notified about and has not read yet, newest news first (their
    unread notifications, grouped by client)."""
    unread = Notification.objects.filter(org=org, recipient=user, read_at=None, client__isnull=False)
    latest = unread.filter(client=OuterRef("client")).order_by("-created_at", "-id")
    rows = (
        unread.values("client")
        .annotate(
            unread=Count("id"),
            latest_at=Max("created_at"),
            latest_title=Subquery(latest.values("title")[:1]),
            name=F("client__name"),
            case_number=F("client__case_number"),
        )
        .order_by("-latest_at")[:BLOCK]
    )
    return [
        ClientNews(r["client"], r["name"], r["case_number"], r["unread"], r["latest_title"], r["latest_at"])
        for r in rows
    ]


def invitations_in_trouble(*, org: Organization, days: int = 7) -> list[dict[str, Any]]:
    """Invitations that bounced (or failed) or expired in the last ``days``, newest first: two
    index ranges (delivery, expiry) in one statement (a UNION). The client's name is looked up per
    row of those ranges, never by joining every client."""
    now = timezone.now()
    since = now - dt.timedelta(days=days)
    base = (
        Invitation.objects.filter(org=org)
        .exclude(client__in=client_deleted_ids(org=org))
        .annotate(client_name=Subquery(Client.objects.filter(pk=OuterRef("client_id")).values("name")))
    )
    fields = ("id", "when", "trouble", "client_id", "client_name", "channel", "address")
    bounced = base.filter(delivery__in=[Delivery.BOUNCED, Delivery.FAILED], delivery_at__gte=since).annotate(
        when=F("delivery_at"), trouble=F("delivery")
    )
    expired = base.filter(
        status__in=[InvitationStatus.PENDING, InvitationStatus.EXPIRED], expires_at__gte=since, expires_at__lte=now
    ).annotate(when=F("expires_at"), trouble=Value(InvitationStatus.EXPIRED.value))
    # Each side without the model's default ordering: compound statements allow ORDER BY only at the end.
    return list(bounced.order_by().values(*fields).union(expired.order_by().values(*fields)).order_by("-when")[:BLOCK])


@dataclass
class Counts:
    open_requests: int
    unassigned_requests: int
    pending_invitations: int
    new_clients_week: int


def manager_counts(*, org: Organization) -> Counts:
    """The figures a manager looks at, in one statement (each a count over an index range)."""
    week = timezone.now() - dt.timedelta(days=7)
    open_requests = ClientRequest.objects.filter(org=org, status=RequestStatus.OPEN).exclude(
        client__in=client_deleted_ids(org=org)
    )
    no_navigator = ~Exists(NavigatorAssignment.objects.filter(client=OuterRef("client_id")))

    def count(qs: Any) -> Coalesce:
        return Coalesce(Subquery(qs.order_by().values("org").annotate(n=Count("id")).values("n")[:1]), 0)

    row = Organization.objects.filter(pk=org.pk).values(
        open_requests=count(open_requests),
        unassigned_requests=count(open_requests.filter(no_navigator)),
        pending_invitations=count(Invitation.objects.filter(org=org).live()),
        new_clients_week=count(Client.objects.filter(org=org, deleted_at=None, created_at__gte=week)),
    )[0]
    return Counts(**row)


def start_blocks(*, org: Organization, user: User, can: Any) -> dict[str, Any]:
    """What the start page shows, by permission: each block one query."""
    blocks: dict[str, Any] = dict.fromkeys(("waiting_requests", "client_news", "invitations_trouble", "counts"))
    if can["REQUESTS_ANSWER"]:
        blocks["waiting_requests"] = my_waiting_requests(org=org, user=user)
    if can["CLIENTS_VIEW"]:
        blocks["client_news"] = my_clients_with_news(org=org, user=user)
        if org.portal_enabled:
            blocks["invitations_trouble"] = invitations_in_trouble(org=org)
        blocks["counts"] = manager_counts(org=org)
    return blocks
