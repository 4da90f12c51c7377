"""The agreement as a PDF (WeasyPrint), in the organization's portal branding: rendered **once**,
when the agreement is sent; those bytes are stored and hashed (SHA-256) and are what the client
reads and signs. Drafts and template previews are rendered the same way but never stored. Nothing
is fetched: the logo is handed over from memory (``core/pdf.py``)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML

from portico.core.pdf import LOGO_URL, BrandingFetcher, branding_read, font_config
from portico.orgs.models import Organization
from portico.portal.models import PortalSettings


def org_branding(org: Organization) -> dict[str, Any]:
    portal = PortalSettings.objects.filter(org=org).first()
    if portal is None:
        return branding_read(name=org.name)
    return branding_read(
        name=portal.portal_name or org.name,
        primary=portal.primary_colour,
        accent=portal.accent_colour,
        logo=portal.logo,
    )


def agreement_pdf(
    *, org: Organization, title: str, body: str, label: str, client_name: str, language: str, draft: bool = False
) -> bytes:
    """The document: header (branding, number), title, the merged text (already clean HTML)."""
    brand = org_branding(org)
    with translation.override(language):
        html = render_to_string(
            "agreements/pdf.html",
            {
                "title": title,
                "body": body,
                "label": label,
                "client_name": client_name,
                "brand": brand,
                "logo_url": LOGO_URL,
                "draft": draft,
            },
        )
    fetcher = BrandingFetcher(brand["logo"], brand["logo_type"])
    return HTML(string=html, url_fetcher=fetcher).write_pdf(font_config=font_config())
