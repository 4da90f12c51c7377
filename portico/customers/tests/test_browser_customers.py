"""Customers in headless Chromium, on a phone (390×844) and on a desktop (1280×800): quick create
with an RFC on the SAT 69-B list shows the alert with the situation and dates, the new row is
partial at once; completing the record makes it active; deactivating leaves the row with only
View and Activate (and an Undo); "Update score" replaces the "–" with a number. No phone page
scrolls sideways."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from portico.clients.models import ClientKind
from portico.customers.models import Customer, CustomerStatus
from portico.customers.tests.factories import company_rfc, sat69b_entry
from portico.metrics.models import ManualValue, Metric, MetricKind
from testing.browser import screenshot, sign_in
from testing.world import client_make, world_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def _journey(page: Page, base: str, width: int) -> None:
    alpha = world_create("alpha")
    person = client_make(alpha, "Lucía Compras", email="lucia@example.test", kind=ClientKind.PERSON)
    tax_id = company_rfc()
    sat69b_entry(tax_id, "presunto")

    sign_in(page, base, alpha.admin.email)
    page.goto(f"{base}/o/alpha/")
    page.locator("nav.subnav").get_by_role("link", name="Customers").click()
    page.wait_for_url(re.compile(r"/o/alpha/customers/$"))
    _fits(page, width)

    page.locator("#new-customer-button").click()
    page.get_by_label("Legal name").fill("Servicios Simulados S.A. de C.V.")
    page.get_by_label("Trade name").fill("Simulados")
    page.get_by_label("RFC/EIN").fill(tax_id.lower())
    page.locator("#quick-create-submit").click()
    expect(page.locator("#screening-alert")).to_contain_text("Presunto")
    expect(page.locator("#screening-alert")).to_contain_text("2024")
    customer = Customer.objects.get()
    row = page.locator(f"#customer-{customer.pk}")
    expect(row).to_contain_text("Partial information")
    expect(row).to_contain_text(tax_id)
    _fits(page, width)
    screenshot(page, f"customers-quick-create-69b-{width}")

    row.locator("summary").click()
    row.get_by_role("menuitem", name="Edit").click()
    page.wait_for_url(re.compile(rf"/o/alpha/customers/{customer.pk}/edit/$"))
    expect(page.locator("#customer-missing")).to_contain_text("Industry")
    page.get_by_label("Industry").fill("Logistics")
    page.get_by_label("Payment terms").select_option("net30")
    page.get_by_label("Sales owner").select_option(str(alpha.admin.pk))
    page.get_by_label("Régimen fiscal").select_option("601")
    page.get_by_label("Uso de CFDI").select_option("G03")
    page.get_by_label("Fiscal postal code").fill("06600")
    page.locator("#customer-save").click()
    expect(page.locator("#customer-missing")).to_contain_text("At least one address")
    form = page.locator("#address-form")
    form.get_by_label("Street and number").fill("Av. Reforma 222")
    form.get_by_label("State").fill("Ciudad de México")
    form.get_by_label("Postal code").fill("06600")
    form.get_by_label("Country").fill("MX")
    page.locator("#address-add").click()
    expect(page.locator("#customer-addresses")).to_contain_text("Av. Reforma 222")
    page.locator("#contact-form").get_by_label("Person's case number").fill(person.case_number)
    page.locator("#contact-add").click()
    expect(page.locator("#customer-status")).to_contain_text("Active")
    expect(page.locator("#customer-complete")).to_be_visible()
    _fits(page, width)
    screenshot(page, f"customers-complete-{width}")
    assert Customer.objects.get(pk=customer.pk).status == CustomerStatus.ACTIVE

    # The catalog has one manual metric; the customer's value is 8 of 10: its score will be 80.00.
    metric = Metric.objects.create(org=alpha.org, name="Relationship", kind=MetricKind.MANUAL, scale_max=10)
    ManualValue.objects.create(metric=metric, customer_id=customer.pk, value=8)
    page.goto(f"{base}/o/alpha/customers/")
    row = page.locator(f"#customer-{customer.pk}")
    expect(row).to_contain_text("Active")
    expect(row.locator(".customer-score")).to_have_text("–")
    row.locator("summary").click()
    row.get_by_role("menuitem", name="Update score").click()
    row = page.locator(f"#customer-{customer.pk}")
    expect(row.locator(".customer-score")).to_have_text("80.00")
    _fits(page, width)

    row.locator("summary").click()
    row.get_by_role("menuitem", name="Deactivate").click()
    row = page.locator(f"#customer-{customer.pk}")
    expect(row).to_contain_text("Inactive")
    expect(row.locator("#undo-button")).to_be_visible()
    row.locator("summary").click()
    expect(row.get_by_role("menuitem")).to_have_text(["View", "Activate"])
    expect(row.locator(".customer-score")).to_have_text("80.00")  # kept, but never recomputed while inactive
    _fits(page, width)
    screenshot(page, f"customers-inactive-{width}")
    assert Customer.objects.get(pk=customer.pk).status == CustomerStatus.INACTIVE


def test_quick_create_complete_and_deactivate_on_a_phone(page: Page, live_server):
    _journey(page, live_server.url, 390)


def test_quick_create_complete_and_deactivate_on_a_desktop(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        _journey(context.new_page(), live_server.url, 1280)
    finally:
        context.close()
