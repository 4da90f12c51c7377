"""What the client sees of an estimate, as one canonical document, and its SHA-256.

The hash is fixed when the estimate is sent (``Estimate.content_hash``); the client's approval names
it, so an approval always concerns the exact content they were shown. The serialisation: JSON with
sorted keys, no spaces, UTF-8, amounts as plain decimal strings in the currency's minor unit."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from portico.core.money import money_round
from portico.estimates.models import Estimate, EstimateAttachment, EstimateLine
from portico.estimates.totals import Totals, totals_compute


def estimate_totals(estimate: Estimate, lines: Sequence[EstimateLine]) -> Totals:
    return totals_compute(
        lines,
        currency=estimate.currency,
        discount_kind=estimate.discount_kind,
        discount_value=estimate.discount_value,
    )


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def estimate_content(
    estimate: Estimate, lines: Sequence[EstimateLine], attachments: Sequence[EstimateAttachment]
) -> dict[str, Any]:
    totals = estimate_totals(estimate, lines)
    money = estimate.currency
    return {
        "number": estimate.number,
        "version": estimate.version,
        "currency": money,
        "scope": estimate.scope,
        "notes": estimate.notes,
        "valid_until": estimate.valid_until.isoformat() if estimate.valid_until else None,
        "discount": {"kind": estimate.discount_kind, "value": _plain(Decimal(estimate.discount_value))},
        "lines": [
            {
                "description": line.description,
                "quantity": _plain(Decimal(line.quantity)),
                "unit": line.unit,
                "unit_price": _plain(Decimal(line.unit_price)),
                "tax_rate": _plain(Decimal(line.tax_rate)),
                "total": str(amount),
            }
            for line, amount in zip(lines, totals.lines, strict=True)
        ],
        "attachments": [{"name": a.name, "size": a.size} for a in attachments],
        "totals": {
            "subtotal": str(totals.subtotal),
            "discount": str(totals.discount),
            "taxes": [{"rate": _plain(t.rate), "base": str(t.base), "amount": str(t.amount)} for t in totals.taxes],
            "tax": str(totals.tax),
            "total": str(money_round(totals.total, money)),
        },
    }


def content_hash(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass
class Sheet:
    """What the staff page, the portal page and the PDF show of an estimate (one partial renders it)."""

    estimate: Estimate
    rows: list[tuple[EstimateLine, Decimal]]
    totals: Totals
    attachments: list[EstimateAttachment]
    hash: str  # the fixed hash once sent; a draft's is what it would be now


def estimate_sheet(
    estimate: Estimate, lines: Sequence[EstimateLine], attachments: Sequence[EstimateAttachment]
) -> Sheet:
    totals = estimate_totals(estimate, lines)
    digest = estimate.content_hash or content_hash(estimate_content(estimate, lines, attachments))
    return Sheet(
        estimate=estimate,
        rows=list(zip(lines, totals.lines, strict=True)),
        totals=totals,
        attachments=list(attachments),
        hash=digest,
    )
