"""An estimate's totals, computed in one place: the staff page, the portal, the PDF, the API and the
stored columns of the estimate row all come from ``totals_compute``.

The rules, each amount rounded half-up to the currency's minor unit (``money_round``):

1. line total = quantity × unit price;
2. subtotal = the sum of the line totals;
3. discount = a percentage of the subtotal, or an amount (never more than the subtotal);
4. tax applies **after** the discount: the discount is shared among the tax rates in proportion to
   their lines' totals (in whole minor units, the leftover units to the largest remainders, so the
   shares add up to the discount exactly); each rate's tax = its discounted base × rate %;
5. total = subtotal − discount + the tax of every rate.

So what the client reads always adds up, to the minor unit, in every currency.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Protocol

from portico.core.money import currency_places, money_round

HUNDRED = Decimal(100)


class LineLike(Protocol):
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal


@dataclass(frozen=True)
class TaxShare:
    rate: Decimal  # percent
    base: Decimal  # the rate's line totals less its share of the discount
    amount: Decimal


@dataclass(frozen=True)
class Totals:
    currency: str
    lines: list[Decimal]  # each line's total, in the lines' order
    subtotal: Decimal
    discount: Decimal
    taxes: list[TaxShare]  # by rate, ascending; rates with no tax (0 %) included
    tax: Decimal
    total: Decimal


def _discount(subtotal: Decimal, kind: str, value: Decimal, currency: str) -> Decimal:
    if kind == "percent":
        amount = money_round(subtotal * min(max(value, Decimal(0)), HUNDRED) / HUNDRED, currency)
    elif kind == "amount":
        amount = money_round(max(value, Decimal(0)), currency)
    else:
        return money_round(Decimal(0), currency)
    return min(amount, subtotal)


def _shares(discount: Decimal, weights: Sequence[Decimal], currency: str) -> list[Decimal]:
    """``discount`` split in proportion to ``weights`` in whole minor units (largest remainder)."""
    unit = Decimal(1).scaleb(-currency_places(currency))
    total_weight = sum(weights, Decimal(0))
    if not discount or not total_weight:
        return [money_round(Decimal(0), currency) for _ in weights]
    units = int(discount / unit)
    exact = [Decimal(units) * w / total_weight for w in weights]
    floors = [int(e.to_integral_value(rounding=ROUND_FLOOR)) for e in exact]
    leftover = units - sum(floors)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in by_remainder[:leftover]:
        floors[i] += 1
    return [money_round(Decimal(n) * unit, currency) for n in floors]


def totals_compute(
    lines: Iterable[LineLike], *, currency: str, discount_kind: str = "", discount_value: Decimal = Decimal(0)
) -> Totals:
    """The totals of ``lines`` (anything with quantity, unit_price and tax_rate as Decimals)."""
    lines = list(lines)
    line_totals = [money_round(line.quantity * line.unit_price, currency) for line in lines]
    subtotal = money_round(sum(line_totals, Decimal(0)), currency)
    discount = _discount(subtotal, discount_kind, Decimal(discount_value or 0), currency)
    gross: dict[Decimal, Decimal] = {}
    for line, amount in zip(lines, line_totals, strict=True):
        rate = Decimal(line.tax_rate).normalize() + 0  # 16.000 and 16 are one rate
        gross[rate] = gross.get(rate, Decimal(0)) + amount
    rates = sorted(gross)
    shares = _shares(discount, [gross[r] for r in rates], currency)
    taxes = []
    for rate, share in zip(rates, shares, strict=True):
        base = money_round(gross[rate] - share, currency)
        taxes.append(TaxShare(rate=rate, base=base, amount=money_round(base * rate / HUNDRED, currency)))
    tax = money_round(sum((t.amount for t in taxes), Decimal(0)), currency)
    total = money_round(subtotal - discount + tax, currency)
    return Totals(
        currency=currency, lines=line_totals, subtotal=subtotal, discount=discount, taxes=taxes, tax=tax, total=total
    )


def money_text(amount: Decimal, currency: str) -> str:
    """How an amount reads on the page, in the PDF and in messages: "1,234.50 USD"."""
    places = currency_places(currency)
    return f"{money_round(amount, currency):,.{places}f} {currency}"
