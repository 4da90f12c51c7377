"""/api/v1/estimates: estimates as JSON (``estimates.manage``; an API key or a session, ``?org=``).

Create a draft with its lines on a client or a lead, change a draft (PATCH), list, read (the totals are
``totals.totals_compute``'s, as on the page and in the PDF), send, revise. Amounts are decimal
strings in the estimate's currency. Another organization's ids are a 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Schema, Status
from pydantic import ConfigDict

from portico.clients.selectors import client_get
from portico.estimates import actions, selectors
from portico.estimates.content import Sheet, estimate_sheet
from portico.estimates.lines import line_inputs
from portico.estimates.models import DiscountKind, Estimate, EstimateState
from portico.leads.selectors import lead_get
from portico.orgs.api_shared import ID_MAX, ORG_PARAM_HELP, Caller, InvalidInput, api_caller, api_router
from portico.orgs.permissions import Permission

router = api_router(tags=["estimates"])


class EstimateListQuery(Schema):
    org: str | None = Field(None, description=ORG_PARAM_HELP)
    state: EstimateState | None = None
    client: int | None = Field(None, ge=1, le=ID_MAX, description="A client record's id.")
    lead: int | None = Field(None, ge=1, le=ID_MAX, description="A lead's id.")
    cursor: str = Field("", description="next_cursor of the previous page.")


class LineIn(Schema):
    model_config = ConfigDict(extra="forbid")

    description: str = Field(..., min_length=1, max_length=300)
    quantity: Decimal = Field(..., gt=0, max_digits=12, decimal_places=3)
    unit: str = Field("", max_length=20)
    unit_price: Decimal = Field(..., ge=0, max_digits=14, decimal_places=3)
    tax_rate: Decimal = Field(Decimal(0), ge=0, le=100, max_digits=6, decimal_places=3, description="Percent.")


class EstimateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    client: int | None = Field(None, ge=1, le=ID_MAX, description="A client record's id (or give lead).")
    lead: int | None = Field(None, ge=1, le=ID_MAX, description="A lead's id (or give client).")
    scope: str = Field("", max_length=10_000)
    notes: str = Field("", max_length=10_000)
    valid_until: dt.date | None = None
    discount_kind: DiscountKind = Field(DiscountKind.NONE, description='"", "percent" or "amount".')
    discount_value: Decimal = Field(Decimal(0), ge=0, max_digits=14, decimal_places=3)
    lines: list[LineIn] = Field(default_factory=list, max_length=actions.MAX_LINES)


class EstimatePatch(Schema):
    """Only the fields given change; ``lines``, when given, replace all the draft's lines."""

    model_config = ConfigDict(extra="forbid")

    scope: str | None = Field(None, max_length=10_000)
    notes: str | None = Field(None, max_length=10_000)
    valid_until: dt.date | None = Field(None, description="null clears it.")
    discount_kind: DiscountKind | None = Field(None, description='"", "percent" or "amount".')
    discount_value: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=3)
    lines: list[LineIn] | None = Field(
        None, max_length=actions.MAX_LINES, description="Replace all the lines (leave out to keep them)."
    )


class LineOut(Schema):
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    tax_rate: Decimal
    total: Decimal


class TaxOut(Schema):
    rate: Decimal
    base: Decimal
    amount: Decimal


class TotalsOut(Schema):
    subtotal: Decimal
    discount: Decimal
    taxes: list[TaxOut]
    tax: Decimal
    total: Decimal


class EstimateOut(Schema):
    id: int
    number: int
    version: int
    state: str
    currency: str
    client: int | None
    lead: int | None
    total: Decimal
    created_at: dt.datetime
    sent_at: dt.datetime | None
    decided_at: dt.datetime | None


class EstimateDetailOut(EstimateOut):
    scope: str
    notes: str
    valid_until: dt.date | None
    discount_kind: str
    discount_value: Decimal
    lines: list[LineOut]
    totals: TotalsOut
    content_hash: str = Field(description="SHA-256 of what the client sees; fixed when sent, empty for a draft.")
    supersedes: int | None
    superseded_by: int | None


class EstimatePageOut(Schema):
    items: list[EstimateOut]
    next_cursor: str | None


def _out(e: Estimate) -> EstimateOut:
    return EstimateOut(
        id=e.pk,
        number=e.number,
        version=e.version,
        state=e.state,
        currency=e.currency,
        client=e.client_id,
        lead=e.lead_id,
        total=e.total,
        created_at=e.created_at,
        sent_at=e.sent_at,
        decided_at=e.decided_at,
    )


def _sheet(e: Estimate) -> Sheet:
    return estimate_sheet(e, selectors.estimate_lines(estimate=e), selectors.estimate_attachments(estimate=e))


def _detail_out(caller: Caller, estimate_id: int) -> EstimateDetailOut:
    e = selectors.estimate_get(org=caller.ctx.org, estimate_id=estimate_id)
    sheet = _sheet(e)
    t = sheet.totals
    superseded_by = getattr(e, "superseded_by", None)
    return EstimateDetailOut(
        **_out(e).model_dump(),
        scope=e.scope,
        notes=e.notes,
        valid_until=e.valid_until,
        discount_kind=e.discount_kind,
        discount_value=e.discount_value,
        lines=[
            LineOut(
                description=line.description,
                quantity=line.quantity,
                unit=line.unit,
                unit_price=line.unit_price,
                tax_rate=line.tax_rate,
                total=amount,
            )
            for line, amount in sheet.rows
        ],
        totals=TotalsOut(
            subtotal=t.subtotal,
            discount=t.discount,
            taxes=[TaxOut(rate=x.rate, base=x.base, amount=x.amount) for x in t.taxes],
            tax=t.tax,
            total=t.total,
        ),
        content_hash=e.content_hash,
        supersedes=e.supersedes_id,
        superseded_by=superseded_by.pk if superseded_by is not None else None,
    )


@router.get("/estimates", response=EstimatePageOut, summary="List estimates")
def estimate_list(request: HttpRequest, query: Query[EstimateListQuery]) -> EstimatePageOut:
    """Newest first, 25 a page, by keyset (as the staff list)."""
    caller = api_caller(request, query.org, Permission.ESTIMATES_MANAGE)
    page = selectors.estimate_page(
        org=caller.ctx.org,
        filters=selectors.EstimateFilters(state=query.state or "", client=query.client, lead=query.lead),
        cursor=query.cursor,
    )
    return EstimatePageOut(items=[_out(e) for e in page.rows], next_cursor=page.next_cursor)


@router.post("/estimates", response={201: EstimateDetailOut}, summary="Create a draft estimate with its lines")
def estimate_create(request: HttpRequest, payload: EstimateIn, org: str | None = None) -> Status:
    caller = api_caller(request, org, Permission.ESTIMATES_MANAGE)
    if (payload.client is None) == (payload.lead is None):
        raise InvalidInput("Give client or lead (one of them).", code="invalid", extra={"field": "client"})
    the_org = caller.ctx.org
    client = client_get(org=the_org, client_id=payload.client) if payload.client else None
    lead = lead_get(org=the_org, lead_id=payload.lead) if payload.lead else None
    e = actions.estimate_create(
        org=the_org,
        actor=caller.actor,
        client=client,
        lead=lead,
        scope=payload.scope,
        notes=payload.notes,
        valid_until=payload.valid_until,
        discount_kind=payload.discount_kind,
        discount_value=payload.discount_value,
        lines=line_inputs(line.model_dump() for line in payload.lines),
    )
    return Status(201, _detail_out(caller, e.pk))


@router.get("/estimates/{estimate_id}", response=EstimateDetailOut, summary="An estimate with its lines and totals")
def estimate_detail(request: HttpRequest, estimate_id: int, org: str | None = None) -> EstimateDetailOut:
    caller = api_caller(request, org, Permission.ESTIMATES_MANAGE)
    return _detail_out(caller, estimate_id)


@router.patch("/estimates/{estimate_id}", response=EstimateDetailOut, summary="Change a draft estimate")
def estimate_update(
    request: HttpRequest, estimate_id: int, payload: EstimatePatch, org: str | None = None
) -> EstimateDetailOut:
    """A draft only (a sent estimate is revised instead: ``/revise``), as the staff edit page does;
    the fields left out keep their values."""
    caller = api_caller(request, org, Permission.ESTIMATES_MANAGE)
    e = selectors.estimate_get(org=caller.ctx.org, estimate_id=estimate_id)
    given = payload.model_dump(exclude_unset=True)
    kind = given["discount_kind"] if given.get("discount_kind") is not None else e.discount_kind
    value = given["discount_value"] if given.get("discount_value") is not None else e.discount_value
    actions.estimate_update(
        estimate=e,
        actor=caller.actor,
        scope=payload.scope if payload.scope is not None else e.scope,
        notes=payload.notes if payload.notes is not None else e.notes,
        valid_until=given.get("valid_until", e.valid_until),
        discount_kind=kind,
        discount_value=value if kind else 0,
        lines=line_inputs(given["lines"]) if payload.lines is not None else None,
    )
    return _detail_out(caller, e.pk)


@router.post("/estimates/{estimate_id}/send", response=EstimateDetailOut, summary="Send a draft to the client")
def estimate_send(request: HttpRequest, estimate_id: int, org: str | None = None) -> EstimateDetailOut:
    caller = api_caller(request, org, Permission.ESTIMATES_MANAGE)
    e = selectors.estimate_get(org=caller.ctx.org, estimate_id=estimate_id)
    actions.estimate_send(estimate=e, actor=caller.actor)
    return _detail_out(caller, e.pk)


@router.post(
    "/estimates/{estimate_id}/revise",
    response={201: EstimateDetailOut},
    summary="Revise a sent estimate: a new draft version supersedes it",
)
def estimate_revise(request: HttpRequest, estimate_id: int, org: str | None = None) -> Status:
    caller = api_caller(request, org, Permission.ESTIMATES_MANAGE)
    e = selectors.estimate_get(org=caller.ctx.org, estimate_id=estimate_id)
    new = actions.estimate_revise(estimate=e, actor=caller.actor)
    return Status(201, _detail_out(caller, new.pk))
