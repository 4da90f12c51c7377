"""Reads the customer actions, pages and API share: what a record still needs to be active
(``customer_missing_fields``, the one list of required fields), whether a tax id is a Mexican RFC,
the screening as data, and the content check of a compliance document's file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils.translation import gettext as _

from portico.core.errors import PorticoError
from portico.customers.models import Customer
from portico.customers.screening import Screening

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# The only files a compliance document may be, told by their first bytes (never the name or the
# browser's content type): PDF, JPEG, PNG.
DOCUMENT_SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


def is_rfc(tax_id: str) -> bool:
    """A Mexican RFC (letters first), not a US EIN (nine digits)."""
    return bool(tax_id) and not tax_id.isdigit()


@dataclass(frozen=True)
class Missing:
    field: str
    label: str


def customer_missing_fields(customer: Customer) -> list[Missing]:
    """What the record still needs to be active (ACTV), in form order. Required for everyone:
    legal name, trade name, tax id, industry, payment terms, sales owner, at least one address and
    one contact; for a customer with a Mexican RFC also régimen fiscal, uso de CFDI and the fiscal
    postal code (CFDI 4.0 needs them). Two queries (addresses, contacts)."""
    client = customer.client
    checks: list[tuple[str, str, bool]] = [
        ("legal_name", _("Legal name"), bool(client.name)),
        ("trade_name", _("Trade name"), bool(client.trade_name)),
        ("tax_id", _("RFC/EIN"), bool(client.tax_id)),
        ("industry", _("Industry"), bool(customer.industry)),
        ("payment_terms", _("Payment terms"), bool(customer.payment_terms)),
        ("sales_owner", _("Sales owner"), customer.sales_owner_id is not None),
    ]
    if is_rfc(client.tax_id):
        checks += [
            ("regimen_fiscal", _("Régimen fiscal"), bool(customer.regimen_fiscal)),
            ("uso_cfdi", _("Uso de CFDI"), bool(customer.uso_cfdi)),
            ("fiscal_postal_code", _("Fiscal postal code"), bool(customer.fiscal_postal_code)),
        ]
    checks += [
        ("addresses", _("At least one address"), customer.addresses.exists()),
        ("contacts", _("At least one contact"), customer.contacts.exists()),
    ]
    return [Missing(name, label) for name, label, ok in checks if not ok]


def customer_url(customer: Customer, org_slug: str) -> str:
    return reverse("customer_detail", args=[org_slug, customer.pk])


def screening_data(screening: Screening) -> dict[str, Any]:
    """The screening as data (audit detail, API answer, refusal extra)."""
    entry = screening.entry
    if entry is None:
        return {"listed": False, "situation": "", "situation_label": "", "action": "", "publications": []}
    return {
        "listed": True,
        "situation": entry.situation,
        "situation_label": str(entry.get_situation_display()),
        "action": screening.action,
        "name": entry.name,
        "publications": [
            {"label": label, "date": when.isoformat() if hasattr(when, "isoformat") else str(when)}
            for label, when in entry.publications()
        ],
    }


def document_sniff(upload: UploadedFile) -> tuple[bytes, str, str]:
    """(content, content type, extension) of an upload that really is a PDF, JPEG or PNG and at
    most MAX_DOCUMENT_BYTES; anything else is refused with why."""
    if upload.size is not None and upload.size > MAX_DOCUMENT_BYTES:
        raise _too_big()
    upload.seek(0)
    data = upload.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise _too_big()
    for signature, content_type, ext in DOCUMENT_SIGNATURES:
        if data.startswith(signature):
            return data, content_type, ext
    raise PorticoError(
        _("A compliance document must be a PDF, JPEG or PNG file."), code="not_document", extra={"field": "file"}
    )


def _too_big() -> PorticoError:
    return PorticoError(
        _("Documents can be at most %(limit)s MB.") % {"limit": MAX_DOCUMENT_BYTES // (1024 * 1024)},
        code="too_big",
        extra={"field": "file", "max_bytes": MAX_DOCUMENT_BYTES},
    )
