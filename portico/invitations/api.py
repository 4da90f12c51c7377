"""/api/v1/invitations and /api/v1/clients/{id}/invitations: client portal invitations as JSON,
with an organization's API key or a session (``?org=``).

Reading needs `clients.view`; sending, resending and revoking need `invitations.send`. The
actions do the work and the auditing. No response ever holds a link or its token: those travel
in the message only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Schema, Status
from pydantic import ConfigDict

from portico.clients import selectors as client_selectors
from portico.invitations import actions, selectors
from portico.invitations.models import Delivery, Invitation, InvitationChannel, InvitationStatus
from portico.orgs.api_shared import ID_MAX, ORG_PARAM_HELP, RefOut, api_caller, api_router
from portico.orgs.models import Organization
from portico.orgs.permissions import Permission

router = api_router(tags=["invitations"])


class InvitationSendIn(Schema):
    model_config = ConfigDict(extra="forbid")

    channel: InvitationChannel = Field(
        InvitationChannel.EMAIL,
        description="email (to the record's email) or sms (to its mobile number). Default email.",
    )


class InvitationListQuery(Schema):
    org: str | None = Field(None, description=ORG_PARAM_HELP)
    state: InvitationStatus | None = Field(
        None, description="The state people see: a pending invitation past its expiry is expired."
    )
    delivery: Delivery | None = Field(None, description="Where the newest message is.")
    channel: InvitationChannel | None = None
    client: int | None = Field(None, ge=1, le=ID_MAX, description="A client record's id.")
    since: dt.datetime | None = Field(
        None, description="Sent (or last resent) at or after this moment; without an offset, UTC."
    )
    cursor: str = ""


class InvitationClientOut(Schema):
    id: int
    name: str
    case_number: str


class InvitationOut(Schema):
    id: int
    client: InvitationClientOut
    channel: str
    address: str = Field(description="Where it was sent; every resend goes to this same address.")
    state: str = Field(description="pending, accepted, revoked or expired (a pending one past its expiry).")
    delivery: str = Field(description="queued, sent, delivered, bounced, failed or opened: the newest message.")
    delivery_at: dt.datetime
    sent_count: int = Field(description="1, plus one for each resend.")
    created_at: dt.datetime
    sent_at: dt.datetime = Field(description="The newest send.")
    expires_at: dt.datetime
    opened_at: dt.datetime | None
    accepted_at: dt.datetime | None
    ended_reason: str = Field(description='Why it was revoked (e.g. "staff", "email_changed"); "" otherwise.')
    invited_by: RefOut | None = Field(description="The staff member who sent it; null for a key or the system.")


class InvitationEventOut(Schema):
    kind: str
    at: dt.datetime
    detail: str


class InvitationDetailOut(InvitationOut):
    events: list[InvitationEventOut] = Field(description="The delivery trail, oldest first.")


class InvitationPageOut(Schema):
    items: list[InvitationOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last one.")
    total: int
    total_is_estimate: bool


def _invitation_out(invitation: Invitation) -> dict[str, Any]:
    """One invitation as the API shows it (client and inviter come preloaded by the selectors)."""
    client = invitation.client
    inviter = invitation.invited_by
    return {
        "id": invitation.pk,
        "client": {"id": client.pk, "name": client.name, "case_number": client.case_number},
        "channel": invitation.channel,
        "address": invitation.address,
        "state": invitation.display_state,
        "delivery": invitation.delivery,
        "delivery_at": invitation.delivery_at,
        "sent_count": invitation.sent_count,
        "created_at": invitation.created_at,
        "sent_at": invitation.sent_at,
        "expires_at": invitation.expires_at,
        "opened_at": invitation.opened_at,
        "accepted_at": invitation.accepted_at,
        "ended_reason": invitation.ended_reason,
        "invited_by": {"id": inviter.pk, "name": inviter.full_name or inviter.email} if inviter else None,
    }


def _invitation_detail_out(org: Organization, invitation_id: int) -> dict[str, Any]:
    """The invitation as stored now, with its delivery trail (two queries)."""
    invitation = selectors.invitation_get(org=org, invitation_id=invitation_id)
    events = selectors.invitation_events(invitation=invitation)
    return {
        **_invitation_out(invitation),
        "events": [{"kind": e.kind, "at": e.at, "detail": e.detail} for e in events],
    }


@router.post(
    "/clients/{client_id}/invitations", response={201: InvitationDetailOut}, summary="Invite a client to the portal"
)
def invitations_send(
    request: HttpRequest,
    client_id: int,
    payload: InvitationSendIn,
    org: str | None = Query(None, description=ORG_PARAM_HELP),
) -> Status[dict[str, Any]]:
    """A one-time link to the portal by email or SMS, at the address on the record. Refusals are
    a 400 saying why: the portal is not set up (`portal_not_set_up`), the record has no address for
    the channel (`no_address`) or is archived or closed (`not_invitable`); a client who already has
    portal access (`has_access`) or a pending invitation (`already_invited`: resend it instead) is
    a 409. Needs `invitations.send`."""
    caller = api_caller(request, org, Permission.INVITATIONS_SEND)
    client = client_selectors.client_get(org=caller.ctx.org, client_id=client_id)
    invitation = actions.invitation_send(client=client, actor=caller.actor, channel=payload.channel.value)
    return Status(201, _invitation_detail_out(caller.ctx.org, invitation.pk))


@router.get("/invitations", response=InvitationPageOut, summary="List invitations")
def invitations_list(request: HttpRequest, filters: Query[InvitationListQuery]) -> dict[str, Any]:
    """25 a page, newest send first; filters combine. Needs `clients.view`."""
    caller = api_caller(request, filters.org, Permission.CLIENTS_VIEW)
    since = filters.since
    if since is not None and timezone.is_naive(since):
        since = timezone.make_aware(since, dt.UTC)
    page = selectors.invitation_page(
        org=caller.ctx.org,
        filters=selectors.InvitationFilters(
            state=filters.state.value if filters.state else "",
            delivery=filters.delivery.value if filters.delivery else "",
            channel=filters.channel.value if filters.channel else "",
            client=filters.client,
            since=since,
        ),
        cursor=filters.cursor,
    )
    return {
        "items": [_invitation_out(i) for i in page.rows],
        "next_cursor": page.next_cursor,
        "total": page.total,
        "total_is_estimate": page.total_is_estimate,
    }


@router.get("/invitations/{invitation_id}", response=InvitationDetailOut, summary="Get an invitation")
def invitations_get(
    request: HttpRequest, invitation_id: int, org: str | None = Query(None, description=ORG_PARAM_HELP)
) -> dict[str, Any]:
    """With its delivery trail. Needs `clients.view`. Another organization's id is a 404."""
    caller = api_caller(request, org, Permission.CLIENTS_VIEW)
    return _invitation_detail_out(caller.ctx.org, invitation_id)


@router.post("/invitations/{invitation_id}/resend", response=InvitationDetailOut, summary="Resend an invitation")
def invitations_resend(
    request: HttpRequest, invitation_id: int, org: str | None = Query(None, description=ORG_PARAM_HELP)
) -> dict[str, Any]:
    """A new link to the address of the original invitation; the previous link stops working and
    the expiry starts again. A pending or expired invitation can be resent; an accepted or revoked
    one is a 409 (`invalid_transition`), as is a client who has portal access (`has_access`).
    Needs `invitations.send`."""
    caller = api_caller(request, org, Permission.INVITATIONS_SEND)
    invitation = selectors.invitation_get(org=caller.ctx.org, invitation_id=invitation_id)
    actions.invitation_resend(invitation=invitation, actor=caller.actor)
    return _invitation_detail_out(caller.ctx.org, invitation_id)


@router.post("/invitations/{invitation_id}/revoke", response=InvitationDetailOut, summary="Revoke an invitation")
def invitations_revoke(
    request: HttpRequest, invitation_id: int, org: str | None = Query(None, description=ORG_PARAM_HELP)
) -> dict[str, Any]:
    """Its link stops working and the client goes back to not invited. An accepted or revoked
    invitation is a 409 (`invalid_transition`). Needs `invitations.send`."""
    caller = api_caller(request, org, Permission.INVITATIONS_SEND)
    invitation = selectors.invitation_get(org=caller.ctx.org, invitation_id=invitation_id)
    actions.invitation_revoke(invitation=invitation, actor=caller.actor)
    return _invitation_detail_out(caller.ctx.org, invitation_id)
