"""The rules and shapes the freshbooks actions apply (kept out of ``actions.py``, whose public
functions are all actions): the state's digest, the refusals, and what FreshBooks gets for a customer."""

from __future__ import annotations

import hashlib
from typing import Any

from django.utils.translation import gettext as _

from portico.core.errors import PorticoError
from portico.customers.models import AddressKind, Customer, CustomerAddress
from portico.customers.records import is_rfc
from portico.customers.rules import customer_editable_check


def state_digest(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def not_connected_error() -> PorticoError:
    return PorticoError(
        _("FreshBooks is not connected. An administrator must connect FreshBooks in Settings first."),
        code="freshbooks_not_connected",
    )


def customer_connect_check(customer: Customer) -> None:
    """Seed 002: only customers not yet connected, and never an inactive one."""
    customer_editable_check(customer)
    if customer.freshbooks_id:
        raise PorticoError(
            _("This customer is already connected to FreshBooks (client %(id)s).") % {"id": customer.freshbooks_id},
            code="already",
        )


def client_data(customer: Customer) -> dict[str, Any]:
    """What FreshBooks gets: the legal name as the organization, the trade name in the note, the
    tax id as its VAT number, and email, phone and the fiscal (else first) address when known."""
    client = customer.client
    data: dict[str, Any] = {"organization": client.name}
    if client.trade_name and client.trade_name != client.name:
        data["note"] = _("Trade name: %(name)s") % {"name": client.trade_name}
    if client.tax_id:
        data["vat_name"] = "RFC" if is_rfc(client.tax_id) else "EIN"
        data["vat_number"] = client.tax_id
    if client.email:
        data["email"] = client.email
    if client.phone:
        data["bus_phone"] = client.phone
    addresses = list(CustomerAddress.objects.filter(customer=customer).order_by("id"))
    address = next((a for a in addresses if a.kind == AddressKind.FISCAL), addresses[0] if addresses else None)
    if address is not None:
        data.update(
            p_street=address.line1,
            p_street2=address.line2,
            p_city=address.city,
            p_province=address.state,
            p_code=address.postal_code,
            p_country=address.country,
        )
    return data
