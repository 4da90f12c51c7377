"""``{{ amount|money:currency }}``: every amount of an estimate page and PDF reads the same way
(``totals.money_text``); ``{{ rate|percent }}``: a tax rate without trailing zeros."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from portico.estimates.totals import money_text

register = template.Library()


@register.filter
def money(amount: Any, currency: str) -> str:
    return money_text(Decimal(amount), currency)


@register.filter
def plain_number(value: Any) -> str:
    """16.000 → 16, 2.500 → 2.5."""
    text = format(Decimal(value).normalize(), "f")
    return text
