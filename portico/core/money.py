"""Money: amounts are ``Decimal`` in a currency's minor unit, never floats.

``CURRENCIES`` is the list an organization may choose from: ISO 4217 code -> (name, the number of
decimal places of its minor unit). Rounding is half-up to that unit (``money_round``), the rule
invoices and tax authorities use; every total is computed by one function built on it
(estimates/totals.py)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CURRENCIES: dict[str, tuple[str, int]] = {
    "USD": ("US dollar", 2),
    "MXN": ("Mexican peso", 2),
    "CAD": ("Canadian dollar", 2),
    "EUR": ("Euro", 2),
    "GBP": ("Pound sterling", 2),
    "COP": ("Colombian peso", 2),
    "BRL": ("Brazilian real", 2),
    "ARS": ("Argentine peso", 2),
    "PEN": ("Peruvian sol", 2),
    "CHF": ("Swiss franc", 2),
    "AUD": ("Australian dollar", 2),
    "JPY": ("Japanese yen", 0),
    "CLP": ("Chilean peso", 0),
    "KRW": ("South Korean won", 0),
    "KWD": ("Kuwaiti dinar", 3),
    "BHD": ("Bahraini dinar", 3),
}
CURRENCY_CHOICES = [(code, f"{code} – {name}") for code, (name, _places) in CURRENCIES.items()]


def currency_places(code: str) -> int:
    return CURRENCIES[code][1]


def money_round(amount: Decimal, code: str) -> Decimal:
    """``amount`` rounded half-up to the currency's minor unit."""
    return amount.quantize(Decimal(1).scaleb(-currency_places(code)), rounding=ROUND_HALF_UP)
