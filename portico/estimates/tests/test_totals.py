"""totals.totals_compute: the amounts always add up, to the minor unit, in every currency an
organization may choose (property-based, hypothesis), and the rules read as documented."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from portico.core.money import CURRENCIES, currency_places, money_round
from portico.estimates.totals import money_text, totals_compute


@dataclass
class Line:
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal


def _dec(places: int, low: str, high: str) -> st.SearchStrategy[Decimal]:
    return st.decimals(
        min_value=Decimal(low), max_value=Decimal(high), places=places, allow_nan=False, allow_infinity=False
    )


lines_strategy = st.lists(
    st.builds(
        Line,
        quantity=_dec(3, "0.001", "10000"),
        unit_price=_dec(3, "0", "1000000"),
        tax_rate=st.sampled_from([Decimal(0), Decimal(5), Decimal("7.5"), Decimal(16), Decimal(21), Decimal("8.875")]),
    ),
    min_size=0,
    max_size=12,
)
discount_strategy = st.one_of(
    st.tuples(st.just(""), st.just(Decimal(0))),
    st.tuples(st.just("percent"), _dec(3, "0", "100")),
    st.tuples(st.just("amount"), _dec(3, "0", "5000000")),
)


def _in_minor_unit(amount: Decimal, currency: str) -> bool:
    return amount == money_round(amount, currency) and -amount.as_tuple().exponent <= currency_places(currency)  # type: ignore[operator]


@settings(max_examples=300, deadline=None)
@given(lines=lines_strategy, currency=st.sampled_from(sorted(CURRENCIES)), discount=discount_strategy)
def test_everything_adds_up_to_the_minor_unit_in_every_currency(lines, currency, discount):
    kind, value = discount
    t = totals_compute(lines, currency=currency, discount_kind=kind, discount_value=value)
    amounts = [
        *t.lines,
        t.subtotal,
        t.discount,
        t.tax,
        t.total,
        *(x.base for x in t.taxes),
        *(x.amount for x in t.taxes),
    ]
    assert all(_in_minor_unit(a, currency) for a in amounts), amounts
    # each line is quantity × price rounded once; the subtotal is their sum
    assert t.lines == [money_round(line.quantity * line.unit_price, currency) for line in lines]
    assert t.subtotal == sum(t.lines, Decimal(0))
    # the discount never exceeds the subtotal and is shared among the rates exactly
    assert Decimal(0) <= t.discount <= t.subtotal
    assert sum((x.base for x in t.taxes), Decimal(0)) == t.subtotal - t.discount
    # each rate's tax is its discounted base × rate, to the minor unit
    for x in t.taxes:
        assert x.base >= 0
        assert x.amount == money_round(x.base * x.rate / 100, currency)
    assert t.tax == sum((x.amount for x in t.taxes), Decimal(0))
    # and the total is exactly what the client reads above it
    assert t.total == sum(t.lines, Decimal(0)) - t.discount + sum((x.amount for x in t.taxes), Decimal(0))
    if kind == "percent":
        assert t.discount == min(money_round(t.subtotal * value / 100, currency), t.subtotal)


@settings(max_examples=100, deadline=None)
@given(lines=lines_strategy, currency=st.sampled_from(sorted(CURRENCIES)))
def test_without_discount_each_rate_is_taxed_on_its_own_lines(lines, currency):
    t = totals_compute(lines, currency=currency)
    for x in t.taxes:
        own = sum((a for line, a in zip(lines, t.lines, strict=True) if line.tax_rate == x.rate), Decimal(0))
        assert x.base == own


def test_a_worked_example_tax_after_discount():
    lines = [
        Line(Decimal(3), Decimal("33.33"), Decimal(16)),  # 99.99
        Line(Decimal(1), Decimal("0.01"), Decimal(0)),  # 0.01
    ]
    t = totals_compute(lines, currency="USD", discount_kind="percent", discount_value=Decimal(10))
    assert t.lines == [Decimal("99.99"), Decimal("0.01")]
    assert t.subtotal == Decimal("100.00")
    assert t.discount == Decimal("10.00")
    # 1,000 cents shared 99.99 : 0.01 → 999.9 and 0.1 cents: 999 and 0, the leftover cent to the
    # larger remainder (0.9): the 16 % lines carry all 10.00 of it.
    assert [(x.rate, x.base) for x in t.taxes] == [(Decimal(0), Decimal("0.01")), (Decimal(16), Decimal("89.99"))]
    assert t.taxes[1].amount == Decimal("14.40")  # 14.3984
    assert t.total == Decimal("104.40")


def test_zero_decimal_and_three_decimal_currencies():
    lines = [Line(Decimal("2.5"), Decimal("333"), Decimal(10))]
    yen = totals_compute(lines, currency="JPY")
    assert yen.lines == [Decimal("833")] and yen.tax == Decimal("83") and yen.total == Decimal("916")
    dinar = totals_compute([Line(Decimal(1), Decimal("1.2345"), Decimal(5))], currency="KWD")
    assert dinar.lines == [Decimal("1.235")] and dinar.tax == Decimal("0.062") and dinar.total == Decimal("1.297")


def test_an_amount_discount_larger_than_the_subtotal_stops_at_zero():
    t = totals_compute(
        [Line(Decimal(1), Decimal(50), Decimal(16))], currency="MXN", discount_kind="amount", discount_value=Decimal(80)
    )
    assert t.discount == Decimal("50.00") and t.tax == Decimal("0.00") and t.total == Decimal("0.00")


def test_money_text_reads_in_the_currency_unit():
    assert money_text(Decimal("1234.5"), "USD") == "1,234.50 USD"
    assert money_text(Decimal("1234.5"), "JPY") == "1,235 JPY"
    assert money_text(Decimal("1.2"), "KWD") == "1.200 KWD"
