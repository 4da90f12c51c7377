"""The estimate as a PDF (WeasyPrint), in the organization's portal branding: its name, colours and
logo. The body is the same partial the pages render (``estimates/_sheet.html``), so the amounts are
the same text; the footer carries the content hash. Nothing is fetched over the network: the logo
is read from storage and handed to WeasyPrint from memory; nothing else is fetched."""

from __future__ import annotations

import threading
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from PIL import ImageFile
from weasyprint import HTML, Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from portico.estimates.content import Sheet
from portico.estimates.models import Estimate
from portico.portal.models import PortalSettings

# Importing WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES, which would make every
# upload check in the process (clients/images.py) accept truncated images. The logo we hand it
# was checked when uploaded, so WeasyPrint needs no leniency: put Pillow's strict default back.
ImageFile.LOAD_TRUNCATED_IMAGES = False

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_URL = "portico:logo"
_fonts = threading.local()


def _font_config() -> FontConfiguration:
    """One font configuration per thread, kept between PDFs (making one costs a few tens of ms;
    the PDFs declare no @font-face of their own, so there is nothing to leak from one to the next)."""
    config = getattr(_fonts, "config", None)
    if config is None:
        config = _fonts.config = FontConfiguration()
    return config


class BrandingFetcher(URLFetcher):
    """The only resource a PDF loads: the organization's logo, handed over from memory (no
    base64 in the HTML, no network, no file paths). Any other URL (typed in a line) is refused."""

    def __init__(self, logo: bytes, content_type: str) -> None:
        super().__init__(allowed_protocols=set())
        self.logo, self.content_type = logo, content_type

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url == LOGO_URL and self.logo:
            return URLFetcherResponse(url, body=self.logo, headers={"Content-Type": self.content_type})
        raise ValueError(f"not fetched: {url[:40]}")


def _branding(estimate: Estimate) -> dict[str, Any]:
    portal = PortalSettings.objects.filter(org_id=estimate.org_id).first()
    brand: dict[str, Any] = {
        "name": estimate.org.name,
        "primary": "#1f5fbf",
        "accent": "#0b7a4b",
        "logo": b"",
        "logo_type": "",
    }
    if portal is None:
        return brand
    brand.update(
        name=portal.portal_name or estimate.org.name, primary=portal.primary_colour, accent=portal.accent_colour
    )
    if portal.logo:
        try:
            with portal.logo.open("rb") as f:
                data = f.read(LOGO_MAX_BYTES + 1)
        except OSError:
            data = b""
        if data and len(data) <= LOGO_MAX_BYTES:
            brand["logo"] = data
            brand["logo_type"] = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    return brand


def estimate_pdf_document(sheet: Sheet, *, language: str) -> Document:
    """The laid-out pages (tests read their text); ``estimate_pdf`` writes them."""
    brand = _branding(sheet.estimate)
    with translation.override(language):
        html = render_to_string(
            "estimates/pdf.html",
            {"sheet": sheet, "e": sheet.estimate, "brand": brand, "logo_url": LOGO_URL, "pdf": True},
        )
    fetcher = BrandingFetcher(brand["logo"], brand["logo_type"])
    return HTML(string=html, url_fetcher=fetcher).render(font_config=_font_config())


def estimate_pdf(sheet: Sheet, *, language: str) -> bytes:
    return estimate_pdf_document(sheet, language=language).write_pdf()
