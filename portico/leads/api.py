"""/api/v1/leads: website leads as JSON.

Everything needs `leads.manage` (an API key or a session, ``?org=``). A website that wants its
own form posts its leads here with an API key (``source``: form, referral or api; an optional
referral code names who referred it); they arrive like the public form's, and the lead
navigators are told. Converting makes the client record (and, by ``channel``, the portal
invitation) as the lead page does; another organization's ids are a 404."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Schema, Status
from pydantic import ConfigDict

from portico.leads import actions, selectors
from portico.leads.models import Lead, LeadSource, LeadState, ReferralLink
from portico.orgs.api_shared import ORG_PARAM_HELP, Caller, InvalidInput, api_caller, api_router
from portico.orgs.permissions import Permission

router = api_router(tags=["leads"])

API_SOURCES = (LeadSource.CONTACT_FORM, LeadSource.REFERRAL, LeadSource.API)


class LeadListQuery(Schema):
    org: str | None = Field(None, description=ORG_PARAM_HELP)
    source: LeadSource | None = None
    state: LeadState | None = None
    age: Literal["today", "week", "older"] | None = Field(
        None, description="today (the organization's day), week (the last 7 days) or older (than 7 days)."
    )
    cursor: str = Field("", description="next_cursor of the previous page.")


class ReferrerOut(Schema):
    kind: Literal["client", "staff"]
    id: int
    name: str


class LeadOut(Schema):
    id: int
    name: str
    email: str
    phone: str
    message: str
    service: str
    source: str
    state: str
    referrer: ReferrerOut | None
    utm: dict[str, str]
    page: str
    time_zone: str
    disqualify_reason: str
    client: int | None = Field(None, description="The client record it became or was attached to.")
    created_at: dt.datetime
    converted_at: dt.datetime | None


class LeadDetailOut(LeadOut):
    matching_clients: list[int] = Field(description="Live client records with the same email or mobile.")


class LeadPageOut(Schema):
    items: list[LeadOut]
    next_cursor: str | None


class LeadIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=200)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=32, description="A mobile number; without +country, the default region.")
    message: str = Field("", max_length=5000)
    service: str = Field("", max_length=200)
    source: Literal["form", "referral", "api"] | None = Field(
        None, description="Default: referral with a referral_code, else api."
    )
    referral_code: str = Field("", max_length=16, description="The code of a client's or staff member's referral link.")
    utm: dict[str, str] = Field(default_factory=dict, description="utm_source, utm_medium, … (others are dropped).")
    page: str = Field("", max_length=500, description="The web address the visitor was on.")
    time_zone: str = Field("", max_length=64, description="The visitor's IANA time zone, if known.")


class ConvertIn(Schema):
    model_config = ConfigDict(extra="forbid")

    channel: Literal["email", "sms", "none"] = Field(
        ..., description="Invite to the portal by email or SMS now, or none (not yet)."
    )


def _lead_out(lead: Lead) -> LeadOut:
    referrer = None
    if lead.referrer_client is not None:
        referrer = ReferrerOut(kind="client", id=lead.referrer_client.pk, name=lead.referrer_client.name)
    elif lead.referrer_user is not None:
        referrer = ReferrerOut(kind="staff", id=lead.referrer_user.pk, name=lead.referrer_user.display_name)
    return LeadOut(
        id=lead.pk,
        name=lead.name,
        email=lead.email,
        phone=lead.phone,
        message=lead.message,
        service=lead.service,
        source=lead.source,
        state=lead.state,
        referrer=referrer,
        utm={str(k): str(v) for k, v in (lead.utm or {}).items()},
        page=lead.page,
        time_zone=lead.time_zone,
        disqualify_reason=lead.disqualify_reason,
        client=lead.client_id,
        created_at=lead.created_at,
        converted_at=lead.converted_at,
    )


def _detail(caller: Caller, lead_id: int) -> LeadDetailOut:
    lead = selectors.lead_get(org=caller.ctx.org, lead_id=lead_id)
    return LeadDetailOut(
        **_lead_out(lead).model_dump(), matching_clients=[c.pk for c in selectors.lead_matches(lead=lead)]
    )


@router.get("/leads", response=LeadPageOut, summary="List leads")
def lead_list(request: HttpRequest, query: Query[LeadListQuery]) -> LeadPageOut:
    """Newest first, 25 a page, by keyset (as the leads page)."""
    caller = api_caller(request, query.org, Permission.LEADS_MANAGE)
    filters = selectors.LeadFilters(source=query.source or "", state=query.state or "", age=query.age or "")
    page = selectors.lead_page(org=caller.ctx.org, filters=filters, cursor=query.cursor)
    return LeadPageOut(items=[_lead_out(lead) for lead in page.rows], next_cursor=page.next_cursor)


@router.get("/leads/{lead_id}", response=LeadDetailOut, summary="A lead")
def lead_detail(request: HttpRequest, lead_id: int, org: str | None = None) -> LeadDetailOut:
    caller = api_caller(request, org, Permission.LEADS_MANAGE)
    return _detail(caller, lead_id)


@router.post("/leads", response={201: LeadDetailOut}, summary="Create a lead")
def lead_create(request: HttpRequest, payload: LeadIn, org: str | None = None) -> Status:
    """A lead from your own website's form (or any other source): the lead navigators are told."""
    caller = api_caller(request, org, Permission.LEADS_MANAGE)
    link: ReferralLink | None = None
    if payload.referral_code:
        try:
            link = selectors.referral_link_by_code(org=caller.ctx.org, code=payload.referral_code)
        except Http404:  # unknown, another organization's, or its client or staff member is gone
            raise InvalidInput(
                "No working referral link has this code.", code="invalid", extra={"field": "referral_code"}
            ) from None
    source = payload.source or (LeadSource.REFERRAL if link is not None else LeadSource.API)
    lead = actions.lead_submit(
        org=caller.ctx.org,
        actor=caller.actor,
        source=source,
        name=payload.name,
        email=payload.email,
        phone=payload.phone,
        message=payload.message,
        service=payload.service,
        referrer_client=link.client if link is not None else None,
        referrer_user=link.user if link is not None else None,
        utm=payload.utm,
        page=payload.page,
        time_zone=payload.time_zone,
    )
    return Status(201, _detail(caller, lead.pk))


@router.post("/leads/{lead_id}/convert", response=LeadDetailOut, summary="Convert a lead to a client")
def lead_convert(request: HttpRequest, lead_id: int, payload: ConvertIn, org: str | None = None) -> LeadDetailOut:
    """Makes the client record from the lead and, by ``channel``, sends the portal invitation in
    the same step; a refusal of the invitation (no portal, no address for the channel) changes nothing."""
    caller = api_caller(request, org, Permission.LEADS_MANAGE)
    caller.ctx.require(Permission.CLIENTS_CREATE)
    if payload.channel != "none":
        caller.ctx.require(Permission.INVITATIONS_SEND)
    lead = selectors.lead_get(org=caller.ctx.org, lead_id=lead_id)
    actions.lead_convert(lead=lead, actor=caller.actor, channel="" if payload.channel == "none" else payload.channel)
    return _detail(caller, lead_id)
