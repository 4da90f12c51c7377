"""Reads of the freshbooks app: the organization's connection, and a customer of the organization
(another organization's id is a 404)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from portico.customers.models import Customer
from portico.freshbooks.models import FreshbooksConnection
from portico.orgs.models import Organization


def connection_of(*, org: Organization) -> FreshbooksConnection | None:
    return FreshbooksConnection.objects.select_related("connected_by").filter(org=org).first()


def customer_of(*, org: Organization, customer_id: int) -> Customer:
    """A live company customer of ``org``."""
    return get_object_or_404(
        Customer.objects.select_related("client", "org"), org=org, pk=customer_id, client__deleted_at=None
    )
