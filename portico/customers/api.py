"""/api/v1/customers: the company customers catalog as JSON (``customers.view`` reads,
``customers.manage`` writes; an API key or a session, ``?org=``).

Quick create (the answer carries the SAT 69-B screening: listed, situation, action, publication
dates; a blocked RFC is the one error shape with code ``screening_blocked``; a tax id already in
the organization is ``duplicate_tax_id`` with the existing customer's id), list (filters, keyset
cursor), read (with what is still missing), update (refused for an inactive customer: code
``customer_inactive``, nothing changes), deactivate, activate. Another organization's ids are a 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Schema, Status
from pydantic import ConfigDict

from portico.customers import actions, records, selectors
from portico.customers.models import Customer, CustomerStatus, PaymentTerms
from portico.customers.screening import Screening
from portico.orgs.api_shared import ID_MAX, ORG_PARAM_HELP, api_caller, api_router
from portico.orgs.permissions import Permission

router = api_router(tags=["customers"])


class CustomerListQuery(Schema):
    org: str | None = Field(None, description=ORG_PARAM_HELP)
    status: CustomerStatus | None = None
    sales_owner: int | None = Field(None, ge=1, le=ID_MAX, description="A staff member's user id.")
    freshbooks: Literal["yes", "no"] | None = Field(None, description="Connected to FreshBooks or not.")
    q: str = Field("", max_length=200, description="Search in legal name, trade name and RFC/EIN.")
    sort: Literal["newest", "name", "score"] = "newest"
    cursor: str = Field("", description="next_cursor of the previous page.")


class PublicationOut(Schema):
    label: str
    date: str


class ScreeningOut(Schema):
    listed: bool
    situation: str = Field(
        description="presunto | desvirtuado | definitivo | sentencia_favorable; empty when not listed."
    )
    situation_label: str
    action: str = Field(description="What the organization's policy says: warn or block; empty when not listed.")
    publications: list[PublicationOut]


class CustomerOut(Schema):
    id: int
    legal_name: str
    trade_name: str
    tax_id: str
    status: str
    status_label: str
    score: Decimal | None = Field(description="0–100; null until a calculation has run (shown as “–”).")
    freshbooks_id: str
    sales_owner: int | None
    created_at: dt.datetime


class MissingOut(Schema):
    field: str
    label: str


class CustomerDetailOut(CustomerOut):
    industry: str
    website: str
    payment_terms: str
    credit_limit: Decimal | None
    currency: str
    regimen_fiscal: str
    uso_cfdi: str
    fiscal_postal_code: str
    sat69b_situation: str
    sat69b_checked_at: dt.datetime | None
    missing: list[MissingOut] = Field(description="What the record still needs to be active (ACTV).")


class CustomerCreatedOut(CustomerDetailOut):
    screening: ScreeningOut


class CustomerPageOut(Schema):
    items: list[CustomerOut]
    next_cursor: str | None


class CustomerCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    legal_name: str = Field(..., max_length=200)
    trade_name: str = Field(..., max_length=200)
    tax_id: str = Field(..., max_length=20, description="RFC (12 or 13 characters) or EIN (9 digits).")


class CustomerUpdateIn(Schema):
    """Only the fields sent change. The RFC/EIN cannot change after creation."""

    model_config = ConfigDict(extra="forbid")

    legal_name: str | None = Field(None, max_length=200)
    trade_name: str | None = Field(None, max_length=200)
    industry: str | None = Field(None, max_length=120)
    website: str | None = Field(None, max_length=200)
    payment_terms: PaymentTerms | Literal[""] | None = None
    credit_limit: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    currency: str | None = Field(None, max_length=3)
    sales_owner: int | None = Field(None, ge=1, le=ID_MAX, description="A staff member's user id.")
    regimen_fiscal: str | None = Field(None, max_length=3)
    uso_cfdi: str | None = Field(None, max_length=4)
    fiscal_postal_code: str | None = Field(None, max_length=10)
    tax_id: str | None = Field(None, description="Refused: the RFC/EIN cannot change after creation.")


def _out(c: Customer) -> CustomerOut:
    return CustomerOut(
        id=c.pk,
        legal_name=c.client.name,
        trade_name=c.client.trade_name,
        tax_id=c.client.tax_id,
        status=c.status,
        status_label=str(c.get_status_display()),
        score=c.score,
        freshbooks_id=c.freshbooks_id,
        sales_owner=c.sales_owner_id,
        created_at=c.created_at,
    )


def _detail_out(c: Customer) -> CustomerDetailOut:
    return CustomerDetailOut(
        **_out(c).model_dump(),
        industry=c.industry,
        website=c.website,
        payment_terms=c.payment_terms,
        credit_limit=c.credit_limit,
        currency=c.currency,
        regimen_fiscal=c.regimen_fiscal,
        uso_cfdi=c.uso_cfdi,
        fiscal_postal_code=c.fiscal_postal_code,
        sat69b_situation=c.sat69b_situation,
        sat69b_checked_at=c.sat69b_checked_at,
        missing=[MissingOut(field=m.field, label=m.label) for m in records.customer_missing_fields(c)],
    )


def _screening_out(screening: Screening) -> ScreeningOut:
    data = records.screening_data(screening)
    return ScreeningOut(
        listed=data["listed"],
        situation=data["situation"],
        situation_label=data["situation_label"],
        action=data["action"],
        publications=[PublicationOut(**p) for p in data["publications"]],
    )


@router.post("/customers", response={201: CustomerCreatedOut}, summary="Quick create a customer")
def customer_create(request: HttpRequest, payload: CustomerCreateIn, org: str | None = None) -> Status:
    """Legal name, trade name and RFC/EIN; the customer starts with partial information (PAIN).
    The answer's ``screening`` says whether the RFC is on the SAT 69-B list (a warning)."""
    caller = api_caller(request, org, Permission.CUSTOMERS_MANAGE)
    created = actions.customer_quick_create(
        org=caller.ctx.org,
        actor=caller.actor,
        legal_name=payload.legal_name,
        trade_name=payload.trade_name,
        tax_id=payload.tax_id,
    )
    customer = selectors.customer_get(org=caller.ctx.org, customer_id=created.customer.pk)
    return Status(
        201, CustomerCreatedOut(**_detail_out(customer).model_dump(), screening=_screening_out(created.screening))
    )


@router.get("/customers", response=CustomerPageOut, summary="List customers")
def customer_list(request: HttpRequest, query: Query[CustomerListQuery]) -> CustomerPageOut:
    """25 a page, by keyset (as the staff table)."""
    caller = api_caller(request, query.org, Permission.CUSTOMERS_VIEW)
    page = selectors.customer_page(
        org=caller.ctx.org,
        filters=selectors.CustomerFilters(
            status=query.status or "",
            owner=query.sales_owner,
            freshbooks=query.freshbooks or "",
            q=query.q,
            sort=query.sort,
        ),
        cursor=query.cursor,
    )
    return CustomerPageOut(items=[_out(c) for c in page.rows], next_cursor=page.next_cursor)


@router.get("/customers/{customer_id}", response=CustomerDetailOut, summary="A customer")
def customer_detail(request: HttpRequest, customer_id: int, org: str | None = None) -> CustomerDetailOut:
    caller = api_caller(request, org, Permission.CUSTOMERS_VIEW)
    return _detail_out(selectors.customer_get(org=caller.ctx.org, customer_id=customer_id))


@router.patch("/customers/{customer_id}", response=CustomerDetailOut, summary="Update a customer")
def customer_update(
    request: HttpRequest, customer_id: int, payload: CustomerUpdateIn, org: str | None = None
) -> CustomerDetailOut:
    """Commercial and fiscal data; a complete record becomes active (ACTV) at once. Refused for
    an inactive customer ("Reactivate the customer first")."""
    caller = api_caller(request, org, Permission.CUSTOMERS_MANAGE)
    customer = selectors.customer_get(org=caller.ctx.org, customer_id=customer_id)
    fields = payload.model_dump(exclude_unset=True)  # the sales owner as a user id: the action checks it
    actions.customer_update(customer=customer, actor=caller.actor, **fields)
    return _detail_out(selectors.customer_get(org=caller.ctx.org, customer_id=customer_id))


@router.post("/customers/{customer_id}/deactivate", response=CustomerDetailOut, summary="Deactivate a customer")
def customer_deactivate(request: HttpRequest, customer_id: int, org: str | None = None) -> CustomerDetailOut:
    caller = api_caller(request, org, Permission.CUSTOMERS_MANAGE)
    customer = selectors.customer_get(org=caller.ctx.org, customer_id=customer_id)
    actions.customer_deactivate(customer=customer, actor=caller.actor)
    return _detail_out(selectors.customer_get(org=caller.ctx.org, customer_id=customer_id))


@router.post("/customers/{customer_id}/activate", response=CustomerDetailOut, summary="Activate a customer")
def customer_activate(request: HttpRequest, customer_id: int, org: str | None = None) -> CustomerDetailOut:
    """Back to ACTV when the record is complete, else to PAIN."""
    caller = api_caller(request, org, Permission.CUSTOMERS_MANAGE)
    customer = selectors.customer_get(org=caller.ctx.org, customer_id=customer_id)
    actions.customer_activate(customer=customer, actor=caller.actor)
    return _detail_out(selectors.customer_get(org=caller.ctx.org, customer_id=customer_id))
