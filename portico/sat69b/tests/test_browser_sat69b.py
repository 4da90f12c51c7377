"""SAT 69-B settings in headless Chromium at 390×844: an operator uploads the sample list, an
administrator sets the screening policy. No page scrolls sideways."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from portico.customers.models import ScreeningAction
from portico.customers.screening import screening_policy
from portico.sat69b.models import Situation
from portico.sat69b.tests.factories import SAMPLE
from testing.browser import screenshot, sign_in
from testing.world import user_create, world_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def test_an_operator_uploads_the_list_and_an_admin_sets_the_policy_on_a_phone(page: Page, live_server):
    alpha = world_create("alpha")
    operator = user_create("ops@portico.test", operator=True)
    base = live_server.url

    sign_in(page, base, operator.email)
    page.goto(f"{base}/o/alpha/settings/")
    page.get_by_role("link", name="SAT 69-B list").click()
    page.wait_for_url(re.compile(r"/o/alpha/settings/sat69b/$"))
    expect(page.locator("#sat69b-none")).to_be_visible()
    page.locator("#sat69b-upload input[type=file]").set_input_files(str(SAMPLE))
    page.locator("#sat69b-upload").get_by_role("button", name="Import").click()
    expect(page.locator("#sat69b-rows")).to_have_text("10")
    _fits(page)
    screenshot(page, "sat69b-status-390")

    page.context.clear_cookies()
    sign_in(page, base, alpha.admin.email)
    page.goto(f"{base}/o/alpha/settings/")
    page.get_by_role("link", name="SAT 69-B screening").click()
    page.wait_for_url(re.compile(r"/o/alpha/customers/settings/screening/$"))
    expect(page.locator("#sat69b-upload")).to_have_count(0)
    page.locator("#screening-policy input[name=presunto][value=block]").check()
    page.locator("#screening-policy").get_by_role("button", name="Save").click()
    expect(page.get_by_text("SAT 69-B screening policy saved.")).to_be_visible()
    _fits(page)
    screenshot(page, "sat69b-policy-390")
    assert screening_policy(org=alpha.org)[Situation.PRESUNTO] == ScreeningAction.BLOCK
