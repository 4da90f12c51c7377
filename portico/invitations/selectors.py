"""Organization-scoped reads of client portal invitations, for the staff list and the API.

Invitations of deleted client records are invisible here, as the records themselves are. The
state filter is the state people see: a pending invitation past its expiry counts as expired.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import cast

from django.db.models import F, JSONField, OuterRef, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from portico.clients.models import Client
from portico.core.keyset import Page, keyset_page
from portico.core.sql import JSONArrayAgg
from portico.core.tokens import token_digest
from portico.invitations.models import (
    Delivery,
    Invitation,
    InvitationEvent,
    InvitationLink,
    InvitationQuerySet,
    InvitationStatus,
)
from portico.orgs.models import Organization

PAGE_SIZE = 25
ORDERING = ("-sent_at", "-id")  # newest send first (the invitation_org_sent index)
# The newest message comes with each row for its state and last error; never its text or payload
# (the payload holds the link until the message is sent).
MESSAGE_HEAVY_FIELDS = ("last_message__body_text", "last_message__body_html", "last_message__payload")


@dataclass
class InvitationFilters:
    state: str = ""  # pending, accepted, revoked, expired (as people see it)
    delivery: str = ""  # queued, sent, delivered, bounced, failed, opened
    channel: str = ""  # email, sms
    client: int | None = None  # a client record's id
    since: dt.datetime | None = None  # sent (or resent) at or after this moment


def invitation_queryset(*, org: Organization) -> QuerySet[Invitation]:
    """The organization's invitations of live records, with the client, who invited and the
    newest message (without its text) in the same query."""
    return (
        Invitation.objects.filter(org=org, client__deleted_at=None)
        .select_related("client", "invited_by", "last_message")
        .defer(*MESSAGE_HEAVY_FIELDS)
    )


def invitation_filtered(*, org: Organization, filters: InvitationFilters) -> QuerySet[Invitation]:
    qs = invitation_queryset(org=org)
    if filters.state:
        qs = cast(InvitationQuerySet, qs).in_state(filters.state)  # (the stubs lose the queryset class)
    if filters.delivery:
        qs = qs.filter(delivery=filters.delivery)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.client:
        qs = qs.filter(client_id=filters.client)
    if filters.since:
        qs = qs.filter(sent_at__gte=filters.since)
    return qs


def invitation_list(*, org: Organization, filters: InvitationFilters | None = None) -> QuerySet[Invitation]:
    """Every matching invitation, newest send first (slice or page it as needed)."""
    return invitation_filtered(org=org, filters=filters or InvitationFilters()).order_by(*ORDERING)


def invitation_page(
    *, org: Organization, filters: InvitationFilters, cursor: str = "", page_size: int = PAGE_SIZE
) -> Page[Invitation]:
    """One page by keyset (the last row's send time and id), never OFFSET, with its total."""
    qs = invitation_filtered(org=org, filters=filters)
    return keyset_page(qs, order=ORDERING, cursor=cursor, page_size=page_size, counted=True)


def invitation_get(*, org: Organization, invitation_id: int) -> Invitation:
    """One of the organization's invitations, ready for the actions (organization, client and its
    profile loaded); another organization's id is a 404."""
    return get_object_or_404(
        invitation_queryset(org=org).select_related("org", "client__profile"),
        pk=invitation_id,
    )


@dataclass
class TrailStep:
    kind: str
    at: dt.datetime
    detail: str

    def get_kind_display(self) -> str:
        return str(Delivery(self.kind).label) if self.kind in Delivery.values else self.kind


def _aware(value: dt.datetime | None) -> dt.datetime:
    """SQLite's JSON carries the stored UTC text without an offset."""
    value = value or dt.datetime.min
    return value if timezone.is_aware(value) else timezone.make_aware(value, dt.UTC)


@functools.cache
def _with_trail() -> QuerySet[Invitation]:
    # Built once per process and cloned per call: resolving the trail's subquery costs more than
    # running it (see clients.selectors.client_get).
    events = (
        InvitationEvent.objects.filter(invitation=OuterRef("pk"))
        .values("invitation")
        .annotate(data=JSONArrayAgg(JSONObject(kind=F("kind"), at=F("at"), detail=F("detail"))))
        .values("data")
    )
    return (
        Invitation.objects.select_related("invited_by")
        .annotate(trail_data=Subquery(events, output_field=JSONField()))
        .order_by("-sent_at", "-id")
    )


def invitation_newest(*, client: Client) -> Invitation | None:
    """The client's newest invitation for its record page, with who sent it and its delivery trail
    (``trail``, oldest first) in the same query."""
    invitation = _with_trail().filter(client=client).first()
    if invitation is not None:
        steps = [
            TrailStep(e["kind"], _aware(parse_datetime(e["at"])), e["detail"])
            for e in invitation.trail_data or []  # type: ignore[attr-defined]
        ]
        invitation.trail = sorted(steps, key=lambda step: step.at)  # type: ignore[attr-defined]
    return invitation


def invitation_events(*, invitation: Invitation) -> list[InvitationEvent]:
    """The delivery trail, oldest first."""
    return list(InvitationEvent.objects.filter(invitation=invitation).order_by("at", "id"))


@dataclass
class LinkState:
    """What a link is now: ``usable`` (the newest link of a live invitation), or why not."""

    invitation: Invitation | None
    link: InvitationLink | None
    reason: str  # usable, unknown, expired, replaced, accepted, revoked

    @property
    def usable(self) -> bool:
        return self.reason == "usable"


def invitation_link_state(*, raw_token: str) -> LinkState:
    """The link a raw token names, found by its digest (the token itself is never stored)."""
    link = (
        InvitationLink.objects.select_related(
            "invitation", "invitation__org", "invitation__org__portal_settings", "invitation__client"
        )
        .filter(token_digest=token_digest(raw_token))
        .first()
    )
    if link is None:
        return LinkState(None, None, "unknown")
    invitation = link.invitation
    if invitation.status in (InvitationStatus.ACCEPTED, InvitationStatus.REVOKED):
        return LinkState(invitation, link, invitation.status)
    if link.number != invitation.sent_count:
        return LinkState(invitation, link, "replaced")
    if invitation.is_expired:
        return LinkState(invitation, link, "expired")
    return LinkState(invitation, link, "usable")
