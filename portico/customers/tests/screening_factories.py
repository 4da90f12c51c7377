"""Customers for the SAT 69-B screening tests (a company client record with a Customer row)."""

from __future__ import annotations

from portico.accounts.models import User
from portico.clients.actions import client_create
from portico.clients.models import ClientKind
from portico.core.actors import Actor
from portico.customers.models import Customer
from testing.world import World


def screened_customer_make(
    w: World, *, rfc: str, name: str = "", situation: str = "", owner: User | None = None
) -> Customer:
    client = client_create(
        org=w.org, actor=Actor.system(), name=name or f"Customer {rfc}", kind=ClientKind.COMPANY, tax_id=rfc
    )
    return Customer.objects.create(client=client, org=w.org, sat69b_situation=situation, sales_owner=owner)
