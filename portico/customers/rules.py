"""Rules other apps apply to a customer before they change it (metrics, freshbooks)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from portico.core.errors import PorticoError
from portico.customers.models import Customer


def customer_editable_check(customer: Customer) -> None:
    """Seed 002: an inactive customer cannot be edited or scored until it is reactivated."""
    if customer.is_inactive:
        raise PorticoError(_("This customer is inactive. Reactivate the customer first."), code="customer_inactive")
