"""The customers catalog's part in events of the apps below it: a new SAT 69-B list re-screens
every customer; a change to a customer's client record made elsewhere (the client record's own
Edit page or API) keeps to the catalog's rules: the tax id was validated and screened at creation
and cannot change, the record stays a company's, and an inactive customer's legal and trade name are
not edited."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from portico.clients.signals import client_changing
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.customers.models import Customer
from portico.customers.rules import customer_editable_check
from portico.customers.screening_actions import customers_rescreen
from portico.sat69b.models import Sat69bImport
from portico.sat69b.signals import sat69b_imported


def on_sat69b_imported(sender: Any, sat69b_import: Sat69bImport, actor: Actor, **kwargs: Any) -> int:
    return customers_rescreen(sat69b_import=sat69b_import, actor=actor)


def on_client_changing(sender: Any, client: Any, actor: Actor, changes: dict[str, Any], **kwargs: Any) -> None:
    """Refuse, before anything is saved, a change the catalog's own Edit would refuse."""
    customer = Customer.objects.filter(pk=client.pk).only("client_id", "status").first()
    if customer is None:
        return
    if "tax_id" in changes:
        raise PorticoError(
            _("The RFC/EIN cannot change after the customer is created. Create a new customer instead."),
            code="invalid",
            extra={"field": "tax_id"},
        )
    if "kind" in changes:
        raise PorticoError(
            _("This record is a company customer: it stays a company."), code="invalid", extra={"field": "kind"}
        )
    if changes.keys() & {"name", "trade_name"}:  # the catalog's legal and trade name
        customer_editable_check(customer)


def connect() -> None:
    sat69b_imported.connect(on_sat69b_imported, dispatch_uid="customers.rescreen")
    client_changing.connect(on_client_changing, dispatch_uid="customers.client_changing")
