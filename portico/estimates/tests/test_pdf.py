"""The PDF: the organization's branding, the content hash in the footer, and the same totals as the
staff page, the portal page and the API (all from totals.py)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from PIL import Image
from weasyprint.formatting_structure.boxes import TextBox

from portico.core.pdf import logo_content_type
from portico.estimates import selectors
from portico.estimates.content import estimate_sheet
from portico.estimates.pdf import estimate_branding, estimate_pdf_document
from portico.estimates.tests.factories import estimate_make, joined
from portico.estimates.totals import money_text
from portico.portal.models import PortalSettings

pytestmark = pytest.mark.django_db


def document_text(document):
    """The text WeasyPrint laid out on the pages (its boxes), margin boxes included."""
    return " ".join(
        box.text for page in document.pages for box in page._page_box.descendants() if isinstance(box, TextBox)
    )


def _sheet(estimate):
    """As the PDF download reads it (the organization's branding joined, fresh)."""
    estimate = selectors.estimate_get(org=estimate.org, estimate_id=estimate.pk)
    return estimate_sheet(
        estimate, selectors.estimate_lines(estimate=estimate), selectors.estimate_attachments(estimate=estimate)
    )


def test_totals_are_identical_on_screen_in_the_pdf_and_in_the_api(client, org_a):
    record, person = joined(org_a)
    estimate = estimate_make(
        org_a, client=record, sent=True, n_lines=7, discount_kind="percent", discount_value=Decimal("7.5")
    )
    sheet = _sheet(estimate)
    t = sheet.totals
    expected = [money_text(a, estimate.currency) for a in (*t.lines, t.subtotal, t.discount, t.tax, t.total)]
    expected += [money_text(x.amount, estimate.currency) for x in t.taxes if x.rate]
    pdf_text = document_text(estimate_pdf_document(sheet, language="en"))
    client.force_login(org_a.admin)
    staff_page = client.get(reverse("estimate_detail", args=[org_a.org.slug, estimate.pk])).content.decode()
    api = client.get(f"/api/v1/estimates/{estimate.pk}?org={org_a.org.slug}").json()
    client.force_login(person)
    portal_page = client.get(reverse("portal_estimate_detail", args=[org_a.org.slug, estimate.pk])).content.decode()
    for text in expected:
        assert text in pdf_text, text
        assert text in staff_page, text
        assert text in portal_page, text
    assert [Decimal(line["total"]) for line in api["lines"]] == t.lines
    assert Decimal(api["totals"]["total"]) == t.total == estimate.total
    assert (Decimal(api["totals"]["subtotal"]), Decimal(api["totals"]["discount"]), Decimal(api["totals"]["tax"])) == (
        t.subtotal,
        t.discount,
        t.tax,
    )
    assert [Decimal(x["amount"]) for x in api["totals"]["taxes"]] == [x.amount for x in t.taxes]


def test_branding_and_hash_in_the_footer(client, org_a):
    record, _person = joined(org_a)
    buffer = io.BytesIO()
    Image.new("RGB", (30, 10), "red").save(buffer, format="PNG")
    portal = PortalSettings.objects.get(org=org_a.org)
    portal.portal_name = "Alpha Renovations"
    portal.primary_colour = "#aa3300"
    portal.logo.save("logo.png", io.BytesIO(buffer.getvalue()), save=True)
    estimate = estimate_make(org_a, client=record, sent=True)
    document = estimate_pdf_document(_sheet(estimate), language="en")
    text = document_text(document)
    assert "Alpha Renovations" in text
    assert estimate.content_hash in text  # the footer's margin box
    images = [
        b for page in document.pages for b in page._page_box.descendants() if type(b).__name__ == "InlineReplacedBox"
    ]
    assert images, "the logo is drawn"
    client.force_login(org_a.admin)
    response = client.get(reverse("estimate_pdf", args=[org_a.org.slug, estimate.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"] == f'attachment; filename="estimate-{estimate.number}-v1.pdf"'


SVG_LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="30" height="10"><rect width="30" height="10" fill="red"/></svg>'
)


def _raster(fmt):
    buffer = io.BytesIO()
    Image.new("RGB", (30, 10), "red").save(buffer, format=fmt)
    return buffer.getvalue()


def test_the_logos_type_is_read_from_the_file():
    assert logo_content_type("logo.png", _raster("PNG")) == "image/png"
    assert logo_content_type("logo.jpg", _raster("JPEG")) == "image/jpeg"
    assert logo_content_type("logo.webp", _raster("WEBP")) == "image/webp"
    assert logo_content_type("logo.gif", _raster("GIF")) == "image/gif"
    assert logo_content_type("logo.png", _raster("WEBP")) == "image/webp"  # the content, not the name
    assert logo_content_type("logo.svg", SVG_LOGO) == "image/svg+xml"
    assert logo_content_type("logo.bin", b"not an image") == ""


@pytest.mark.parametrize(
    ("name", "data", "mime"),
    [("logo.svg", SVG_LOGO, "image/svg+xml"), ("logo.webp", _raster("WEBP"), "image/webp")],
)
def test_svg_and_webp_logos_are_handed_over_as_what_they_are_and_drawn(org_a, name, data, mime):
    record, _person = joined(org_a)
    portal = PortalSettings.objects.get(org=org_a.org)
    portal.logo.save(name, io.BytesIO(data), save=True)
    estimate = estimate_make(org_a, client=record, sent=True)
    sheet = _sheet(estimate)
    assert estimate_branding(sheet.estimate)["logo_type"] == mime
    document = estimate_pdf_document(sheet, language="en")
    images = [
        b for page in document.pages for b in page._page_box.descendants() if type(b).__name__ == "InlineReplacedBox"
    ]
    assert images, "the logo is drawn"
