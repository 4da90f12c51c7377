"""/api/v1/ routes of the freshbooks app: create a customer in the organization's FreshBooks
(``customers.manage``). Refused with the one error shape when the organization has not connected
FreshBooks (400 ``freshbooks_not_connected``), the customer is inactive (400 ``customer_inactive``)
or already connected (409 ``already``), or FreshBooks refuses (502 ``freshbooks_error``, with
FreshBooks' message); nothing changes then. Another organization's customer is a 404."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Schema

from portico.customers.selectors import customer_get
from portico.freshbooks import actions
from portico.orgs.api_shared import ORG_PARAM_HELP, Id, api_caller, api_router
from portico.orgs.permissions import Permission

router = api_router(tags=["freshbooks"])


class FreshbooksLinkOut(Schema):
    customer_id: int
    freshbooks_id: str = Field(description="The client's id in the organization's FreshBooks.")
    connected_at: dt.datetime
    url: str = Field(description="The client's page in FreshBooks.")


@router.post(
    "/customers/{customer_id}/freshbooks",
    response=FreshbooksLinkOut,
    summary="Connect a customer to FreshBooks (creates the client there, once)",
)
def customer_freshbooks_connect(
    request: HttpRequest, customer_id: Id, org: str | None = Query(None, description=ORG_PARAM_HELP)
) -> FreshbooksLinkOut:
    """Only for customers not yet connected and not inactive; a second call is a 409."""
    caller = api_caller(request, org, Permission.CUSTOMERS_MANAGE)
    customer = customer_get(org=caller.ctx.org, customer_id=customer_id)
    customer = actions.customer_freshbooks_connect(customer=customer, actor=caller.actor)
    return FreshbooksLinkOut(
        customer_id=customer.pk,
        freshbooks_id=customer.freshbooks_id,
        connected_at=customer.freshbooks_connected_at or dt.datetime.now(dt.UTC),
        url=customer.freshbooks_url,
    )
