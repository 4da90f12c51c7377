"""Agreements in headless Chromium at 390×844: staff write a template on a phone (toolbar, merge
fields), preview it with a real client (page and PDF), make an agreement for the client from their
approved estimate and send it after confirming. No page scrolls sideways."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from portico.agreements.models import Agreement, AgreementState
from portico.agreements.tests.factories import approved_estimate_make
from portico.estimates.tests.factories import joined
from portico.estimates.totals import money_text
from testing.browser import screenshot, sign_in
from testing.world import world_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def test_staff_write_a_template_preview_it_and_send_an_agreement_on_a_phone(page: Page, live_server):
    alpha = world_create("alpha")
    record, person = joined(alpha, "Mark Client", "mark@example.test")
    estimate = approved_estimate_make(alpha, record, person)
    total = money_text(estimate.total, estimate.currency)
    base = live_server.url

    sign_in(page, base, alpha.admin.email)
    page.goto(f"{base}/o/alpha/")
    page.locator("nav.subnav").get_by_role("link", name="Agreements").click()
    expect(page.locator(".empty")).to_contain_text("No agreements yet")
    page.get_by_role("link", name="Agreement templates").click()
    page.get_by_role("link", name="New template").click()
    page.get_by_label("Name (staff only)").fill("Standard")
    page.get_by_label("Document title").fill("Service agreement for {{ client.name }}")
    body = page.locator("#id_body")
    body.fill("Work by {{ organization.name }}")
    body.select_text()
    page.locator("#body-toolbar").get_by_title("Paragraph").click()
    body.press("End")
    body.type("<p>Total: {{ estimate.total }}</p>{{ estimate.lines }}")
    _fits(page)
    screenshot(page, "agreement-template-390")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Template “Standard” saved.")
    expect(page.locator("#versions li")).to_have_count(1)

    page.get_by_role("link", name="Preview with a client").click()
    page.get_by_label("With the data of").select_option(label="Mark Client")
    page.get_by_role("button", name="Show").click()
    doc = page.locator("#agreement-doc")
    expect(doc).to_contain_text("Service agreement for Mark Client")
    expect(doc).to_contain_text(f"Total: {total}")
    expect(doc.locator("table")).to_contain_text("Work item 1")
    _fits(page)
    screenshot(page, "agreement-preview-390")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF preview").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    page.goto(f"{base}/o/alpha/agreements/new/?client={record.pk}")
    expect(page.get_by_label("Approved estimate")).to_have_value(str(estimate.pk))
    _fits(page)
    page.get_by_role("button", name="Make the draft").click()
    page.wait_for_url(re.compile(r"/o/alpha/agreements/\d+/$"))
    expect(page.locator(".badge").first).to_have_text("Draft")
    page.get_by_role("link", name="Send to the client").click()
    _fits(page)
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".messages")).to_contain_text("sent to Mark Client")
    expect(page.locator("#chain-verdict")).to_contain_text("Intact: 2 events")
    _fits(page)
    screenshot(page, "agreement-detail-390")
    agreement = Agreement.objects.get(client=record)
    assert agreement.state == AgreementState.SENT and agreement.estimate == estimate
    expect(page.locator("#document-hash")).to_have_text(agreement.document_hash)
