"""/api/v1/ routes of the payments app: a client's payment method summary (``clients.view``):
kind, brand or bank, last 4, expiry, state, confirmed_at — never more. Another organization's
client is a 404."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Schema

from portico.clients.selectors import client_get
from portico.orgs.api_shared import api_caller, api_router
from portico.orgs.permissions import Permission
from portico.payments.models import PaymentMethod
from portico.payments.selectors import payment_method_summary

router = api_router(tags=["payments"])


class PaymentMethodOut(Schema):
    kind: str
    brand: str
    last4: str
    exp_month: int | None
    exp_year: int | None
    state: str
    confirmed_at: dt.datetime | None


class PaymentMethodSummaryOut(Schema):
    current: PaymentMethodOut | None
    failure_message: str = ""


def _out(pm: PaymentMethod) -> PaymentMethodOut:
    return PaymentMethodOut(
        kind=pm.kind,
        brand=pm.brand,
        last4=pm.last4,
        exp_month=pm.exp_month,
        exp_year=pm.exp_year,
        state=pm.state,
        confirmed_at=pm.confirmed_at,
    )


@router.get(
    "/clients/{client_id}/payment-method",
    response=PaymentMethodSummaryOut,
    summary="A client's payment method (what Stripe told Portico: never a card or account number)",
)
def payment_method_get(request: HttpRequest, client_id: int, org: str | None = None) -> PaymentMethodSummaryOut:
    """The active method, or one waiting for bank verification; null when none. ``failure_message``:
    the newest failed attempt since then."""
    caller = api_caller(request, org, Permission.CLIENTS_VIEW)
    summary = payment_method_summary(client=client_get(org=caller.ctx.org, client_id=client_id))
    return PaymentMethodSummaryOut(
        current=_out(summary.current) if summary.current else None,
        failure_message=summary.failed.failure_message if summary.failed else "",
    )
