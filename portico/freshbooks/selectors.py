"""Reads of the freshbooks app: the organization's connection. (A customer of the organization is
``portico.customers.selectors.customer_get``: another organization's id is a 404.)"""

from __future__ import annotations

from portico.freshbooks.models import FreshbooksConnection
from portico.orgs.models import Organization


def connection_of(*, org: Organization) -> FreshbooksConnection | None:
    return FreshbooksConnection.objects.select_related("connected_by").filter(org=org).first()
