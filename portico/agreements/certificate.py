"""The audit certificate: the page(s) appended to a signed agreement before it is sealed (WeasyPrint).

Agreement number and title, organization, the signer (name typed, account email), the method (a
drawn signature is drawn again from its SVG path), when (UTC and the organization's time zone),
from where (IP, user agent), the document's SHA-256, the consent (when, disclosure version), and
every event of the agreement's hash chain with its hash. Nothing is fetched: the page has no
external resources.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from portico.agreements.chain import chain_verify
from portico.agreements.models import Agreement, AgreementEvent, AgreementSignature
from portico.core.pdf import font_config
from portico.core.timezones import time_zone_get

# The signature canvas's coordinate space (the canvas in portal_detail.html, signature.js).
DRAWING_WIDTH, DRAWING_HEIGHT = 600, 200


def _when(at: dt.datetime | None, zone: Any) -> dict[str, str]:
    if at is None:
        return {"utc": "", "local": ""}
    return {
        "utc": at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "local": timezone.localtime(at, zone).strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


def certificate_context(agreement: Agreement, signature: AgreementSignature) -> dict[str, Any]:
    zone = time_zone_get(agreement.org.time_zone)
    events = list(AgreementEvent.objects.filter(agreement_id=agreement.pk).order_by("seq"))
    return {
        "a": agreement,
        "org": agreement.org,
        "s": signature,
        "signer_email": signature.user.email,
        "signed": _when(signature.signed_at, zone),
        "consent": signature.consent,
        "consent_at": _when(signature.consent.given_at, zone),
        "zone": str(zone),
        "events": [{"e": e, "at": _when(e.at, zone)} for e in events],
        "chain_intact": chain_verify(agreement, events).intact,
        "drawing_box": f"0 0 {DRAWING_WIDTH} {DRAWING_HEIGHT}",
    }


def certificate_pdf(agreement: Agreement, signature: AgreementSignature) -> bytes:
    html = render_to_string("agreements/certificate.html", certificate_context(agreement, signature))
    document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=set())).render(font_config=font_config())
    return document.write_pdf()
