"""Line items as the actions take them (``LineInput``), and the one converter of line rows to them:
the staff form's posted strings, the API's decimals and a stored estimate's lines (revising) all go
through ``line_inputs``; ``actions._lines_check`` validates them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

# A line's fields, as the staff form posts them, the API takes them and EstimateLine stores them.
LINE_FIELDS = ("description", "quantity", "unit", "unit_price", "tax_rate")


@dataclass(frozen=True)
class LineInput:
    description: str
    quantity: Decimal
    unit_price: Decimal
    unit: str = ""
    tax_rate: Decimal = Decimal(0)


def line_inputs(rows: Iterable[Mapping[str, Any]]) -> list[LineInput]:
    """The one converter of line rows (the form's posted strings, the API's decimals, stored lines'
    values) to ``LineInput``; a blank number is 0. ``_lines_check`` validates them in the action."""
    return [
        LineInput(
            description=str(row.get("description") or ""),
            quantity=row.get("quantity") or "0",  # type: ignore[arg-type]  # checked by _lines_check
            unit=str(row.get("unit") or ""),
            unit_price=row.get("unit_price") or "0",  # type: ignore[arg-type]
            tax_rate=row.get("tax_rate") or "0",  # type: ignore[arg-type]
        )
        for row in rows
    ]
