"""Signing on a phone (headless Chromium at 390×844, touch): the client opens the agreement,
consents to electronic records, draws a signature with a finger and the mouse, signs, sees the
signed state and downloads the sealed copy (its SHA-256 is the one recorded, and its seal checks
out). No page scrolls sideways."""

from __future__ import annotations

import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from portico.agreements.models import AgreementSignature, AgreementState, ElectronicConsent
from portico.agreements.seal import pdf_check
from portico.agreements.tests.factories import BODY, agreement_sent_make, approved_estimate_make
from portico.agreements.tests.signing_helpers import consent, sent_for
from portico.estimates.lines import LineInput
from portico.estimates.tests.factories import joined
from testing.browser import screenshot, sign_in
from testing.world import world_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def _touch_stroke(page: Page, points: list[tuple[float, float]]) -> None:
    """A finger drawing on the touch screen (Chromium turns touches into pointer events)."""
    cdp = page.context.new_cdp_session(page)
    first, *rest = points
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": first[0], "y": first[1]}]})
    for x, y in rest:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_consent_draw_sign_and_download_the_sealed_copy_on_a_phone(page: Page, live_server):
    alpha = world_create("alpha")
    client, person = joined(alpha, "Mark Client", "mark@example.test")
    # The estimate's table, with a line long enough to push a page sideways if nothing wraps it.
    long_line = LineInput(
        description="Remove and replace the entire rear deck including joists, " * 4 + "x" * 80,
        quantity=Decimal(3),
        unit="h",
        unit_price=Decimal("1234567.89"),
        tax_rate=Decimal(16),
    )
    approved_estimate_make(alpha, client, person, lines=[long_line])
    agreement = agreement_sent_make(alpha, client=client, body=BODY + "{{ estimate.lines }}")
    base = live_server.url
    sign_in(page, base, person.email)
    page.goto(f"{base}/portal/alpha/agreements/{agreement.pk}/")
    expect(page.locator("#agreement-text")).to_contain_text("Service agreement")
    expect(page.locator("#document-hash")).to_have_text(agreement.document_hash)
    expect(page.locator("#agreement-text .agreement-doc table.estimate-lines")).to_contain_text("rear deck")
    _fits(page)

    # Step 1: the disclosure, on the page and as a PDF; the box says they could read both.
    expect(page.locator("#consent-step")).to_contain_text("paper")
    pdf = page.request.get(base + page.locator("#disclosure-pdf").get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    screenshot(page, "agreement-consent-390")
    page.locator("#consent-agree").check()
    page.locator("#consent-give").click()
    expect(page.get_by_text("Thank you: you consented to electronic records.")).to_be_visible()
    assert ElectronicConsent.objects.filter(user=person, withdrawn_at=None).count() == 1

    # Step 2: the document's PDF is the hashed one; draw with a finger and with the mouse; sign.
    document = page.request.get(base + page.locator("#agreement-pdf").get_attribute("href"))
    assert hashlib.sha256(document.body()).hexdigest() == agreement.document_hash
    pad = page.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    x0, y0, w, h = box["x"], box["y"], box["width"], box["height"]
    _touch_stroke(page, [(x0 + w * f, y0 + h * (0.3 + 0.4 * (i % 2))) for i, f in enumerate((0.1, 0.2, 0.3, 0.4, 0.5))])
    page.mouse.move(x0 + w * 0.55, y0 + h * 0.7)
    page.mouse.down()
    for f in (0.6, 0.7, 0.8, 0.9):
        page.mouse.move(x0 + w * f, y0 + h * (1.0 - f * 0.6), steps=3)
    page.mouse.up()
    drawing = page.locator("#drawing").input_value()
    assert drawing.startswith("M") and drawing.count("M") == 2 and "L" in drawing
    expect(page.locator("#name_typed")).not_to_be_empty()
    page.locator("#intent").check()
    _fits(page)
    screenshot(page, "agreement-sign-390")
    page.locator("#sign").click()
    # On to the client's next step ("continue"; here the portal home), with the thanks.
    page.wait_for_url(re.compile(r"/portal/alpha/$"))
    expect(page.get_by_text("Thank you: you signed")).to_be_visible()
    page.goto(f"{base}/portal/alpha/agreements/{agreement.pk}/")
    expect(page.locator("#agreement-signed")).to_be_visible()
    _fits(page)
    screenshot(page, "agreement-signed-390")

    agreement.refresh_from_db()
    signature = AgreementSignature.objects.get(agreement=agreement)
    assert agreement.state == AgreementState.SIGNED and signature.method == "drawn"
    assert signature.drawing.count("M") == 2 and signature.user_agent
    sealed = page.request.get(base + page.locator("#signed-pdf").get_attribute("href"))
    assert sealed.ok and sealed.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(sealed.body()).hexdigest() == agreement.signed_hash
    assert sealed.body().startswith(document.body())
    # pyHanko runs its own event loop: check the seal off Playwright's thread.
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(pdf_check, sealed.body()).result().ok


def test_a_drawing_too_detailed_to_keep_is_said_not_dropped(page: Page, live_server):
    alpha = world_create("alpha")
    agreement, person = sent_for(alpha)
    consent(alpha, person)
    sign_in(page, live_server.url, person.email)
    page.goto(f"{live_server.url}/portal/alpha/agreements/{agreement.pk}/")
    pad = page.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    x0, y0, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x0 + 5, y0 + 5)
    page.mouse.down()
    for i in range(24):  # a scribble of some 2,400 segments: well over 20,000 characters of path
        page.mouse.move(x0 + (w - 5 if i % 2 == 0 else 5), y0 + h * (0.1 + 0.035 * i), steps=100)
    page.mouse.up()
    assert len(page.locator("#drawing").input_value()) > 20_000
    expect(page.locator("#signature-error")).to_be_visible()
    page.locator("#intent").check()
    page.locator("#sign").click()
    expect(page.locator("#signature-error")).to_be_visible()
    assert not AgreementSignature.objects.filter(agreement=agreement).exists()
    _fits(page)
