"""The estimate as a PDF (WeasyPrint), in the organization's portal branding: its name, colours and
logo. The body is the same partial the pages render (``estimates/_sheet.html``), so the amounts are
the same text; the footer carries the content hash. Nothing is fetched over the network: the logo
is read from storage and handed to WeasyPrint from memory; nothing else is fetched."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML, Document

from portico.core.pdf import LOGO_URL, BrandingFetcher, branding_read, font_config
from portico.estimates import selectors
from portico.estimates.content import Sheet, estimate_sheet
from portico.estimates.models import Estimate, EstimatePdf, EstimateState
from portico.portal.models import PortalSettings


def _portal(estimate: Estimate) -> PortalSettings | None:
    """The organization's portal branding (joined by the estimate selectors: no query then)."""
    try:
        return estimate.org.portal_settings
    except PortalSettings.DoesNotExist:
        return None


def estimate_branding(estimate: Estimate) -> dict[str, Any]:
    """Name, colours and logo (bytes and MIME type) of the PDF's header."""
    portal = _portal(estimate)
    if portal is None:
        return branding_read(name=estimate.org.name)
    return branding_read(
        name=portal.portal_name or estimate.org.name,
        primary=portal.primary_colour,
        accent=portal.accent_colour,
        logo=portal.logo,
    )


def estimate_pdf_document(sheet: Sheet, *, language: str) -> Document:
    """The laid-out pages (tests read their text); ``estimate_pdf`` writes them."""
    brand = estimate_branding(sheet.estimate)
    with translation.override(language):
        html = render_to_string(
            "estimates/pdf.html",
            {"sheet": sheet, "e": sheet.estimate, "brand": brand, "logo_url": LOGO_URL, "pdf": True},
        )
    fetcher = BrandingFetcher(brand["logo"], brand["logo_type"])
    return HTML(string=html, url_fetcher=fetcher).render(font_config=font_config())


def estimate_pdf(sheet: Sheet, *, language: str) -> bytes:
    return estimate_pdf_document(sheet, language=language).write_pdf()


# --- kept PDFs of sent estimates ---

# Part of every key: change it when pdf.html or _sheet.html change what a kept PDF shows.
LAYOUT_VERSION = "1"


def estimate_pdf_key(estimate: Estimate, *, language: str) -> str:
    """Everything a sent estimate's PDF shows besides its (hashed, fixed) content: the language,
    the branding's version (the portal settings' ``updated_at``, the organization's name), the
    client's name and the date sent. Any change gives a new key: a kept file is never stale."""
    portal = _portal(estimate)
    owner = estimate.client or estimate.lead
    parts = [
        LAYOUT_VERSION,
        estimate.pk,
        estimate.content_hash,
        language,
        estimate.org.name,
        portal.updated_at.isoformat() if portal is not None else "",
        portal.logo.name if portal is not None else "",
        getattr(owner, "name", ""),
        estimate.sent_at.isoformat() if estimate.sent_at else "",
    ]
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()


def _kept_read(row: EstimatePdf) -> bytes | None:
    try:
        with row.file.open("rb") as f:
            return f.read()
    except OSError:  # the file is gone from storage: render it again
        return None


def _keep(estimate: Estimate, *, language: str, key: str, data: bytes, old: list[EstimatePdf]) -> None:
    """Store the PDF under its key; the estimate's ``old`` PDFs in this language (other keys, or this
    key with its file gone) go, rows and files."""
    row = EstimatePdf(estimate=estimate, language=language, key=key)
    try:
        row.file.save(f"estimate-{estimate.pk}-{key[:16]}.pdf", ContentFile(data), save=False)
    except OSError:  # storage refused it: the download still gets its PDF, rendered the next time too
        return
    try:
        with transaction.atomic():
            if old:
                EstimatePdf.objects.filter(pk__in=[r.pk for r in old]).delete()
            row.save()
    except IntegrityError:  # another download kept the same PDF meanwhile
        row.file.storage.delete(row.file.name)
        return
    for stale in old:
        if stale.file.name != row.file.name:
            stale.file.storage.delete(stale.file.name)


def estimate_pdf_bytes(estimate: Estimate, *, language: str) -> bytes:
    """The estimate's PDF. A draft is always rendered afresh; a sent, approved, declined... one
    never changes, so its PDF is rendered once per key and read from storage afterwards."""
    keep = estimate.state != EstimateState.DRAFT and bool(estimate.content_hash)
    key = estimate_pdf_key(estimate, language=language) if keep else ""
    old: list[EstimatePdf] = []
    if keep:
        for row in EstimatePdf.objects.filter(estimate=estimate, language=language):
            kept = _kept_read(row) if row.key == key else None
            if kept is not None:
                return kept
            old.append(row)
    sheet = estimate_sheet(
        estimate, selectors.estimate_lines(estimate=estimate), selectors.estimate_attachments(estimate=estimate)
    )
    data = estimate_pdf(sheet, language=language)
    if keep:
        _keep(estimate, language=language, key=key, data=data, old=old)
    return data
