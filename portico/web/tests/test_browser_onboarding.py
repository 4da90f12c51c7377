"""Issue 12's whole journey in headless Chromium at 390×844, across the onboarding apps (seed 003):
a visitor sends the contact form embedded in the organization's own website; staff prepare an
estimate on the lead, convert it and invite by SMS (the estimate moves to the new client first, so
the journey has the estimate step), then send the estimate; the client opens the SMS link, creates
the account from the prefilled form, asks a question on the estimate, reads the answer and
approves with one tap; the board shows the client a column further at each step, and the
portal account leaves "enrollment pending" by itself."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from portico.clients.models import Client
from portico.estimates.models import Estimate, EstimateState
from portico.journey.models import COMPLETE, Journey
from portico.leads.models import Lead, LeadState
from portico.portal.models import PortalAccount, PortalAccountStatus
from testing.browser import screenshot, sign_in
from testing.world import portal_set_up, run_tasks, world_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLIENT_PASSWORD = "a-long-portal-pass-phrase"


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def _board_column_of(page: Page, base: str, name: str) -> str:
    """The board's column (step key) that lists ``name``."""
    page.goto(f"{base}/o/alpha/onboarding/")
    row = page.locator(".journey-row", has_text=name)
    expect(row).to_have_count(1)
    return row.locator("xpath=ancestor::section[1]").get_attribute("id") or ""


def test_website_lead_to_approved_estimate_on_a_phone(
    page: Page, other_page: Page, live_server, settings, host_site, fake_twilio
) -> None:
    settings.SITE_URL = live_server.url
    settings.PORTICO_PUBLIC_FORM_MIN_SECONDS = 1
    alpha = world_create("alpha")
    portal_set_up(alpha, services="Roofing\nGutters", sms_sender="+15005550006")
    base = live_server.url

    # 1. A visitor on the organization's website sends the embedded contact form.
    host_site.embed(base)
    page.goto(host_site.url)
    frame = page.frame_locator("iframe")
    frame.get_by_label("Your name").fill("Vera Visitor")
    frame.get_by_label("Email").fill("vera@example.test")
    frame.get_by_label("Mobile").fill("+52 55 1234 5678")
    frame.get_by_label("Service of interest").select_option("Gutters")
    frame.get_by_label("Message").fill("The gutters leak.")
    page.wait_for_timeout(1100)  # a person takes longer than the minimum fill time
    frame.get_by_role("button", name="Send").click()
    expect(frame.get_by_text("We received your message")).to_be_visible()
    lead = Lead.objects.get(org=alpha.org)

    # 2. Staff, on a phone: an estimate on the lead, then convert and invite by SMS.
    staff = other_page
    sign_in(staff, base, alpha.admin.email)
    staff.goto(f"{base}/o/alpha/leads/{lead.pk}/")
    staff.get_by_role("link", name="New estimate").click()
    staff.get_by_label("Scope of work").fill("Replace the gutters")
    row = staff.locator("#lines fieldset").nth(0)
    row.get_by_label("Description").fill("Gutter, per metre")
    row.get_by_label("Quantity").fill("12")
    row.get_by_label("Unit price").fill("25.50")
    row.get_by_label("Tax %").fill("16")
    staff.get_by_role("button", name="Save draft").click()
    staff.wait_for_url(re.compile(r"/o/alpha/estimates/\d+/$"))
    expect(staff.locator("#estimate-total")).to_have_text(re.compile(r"354\.96"))  # 306.00 + 16 % tax
    staff.goto(f"{base}/o/alpha/leads/{lead.pk}/")
    staff.get_by_label("Invite by SMS").check()
    staff.get_by_role("button", name="Convert").click()
    expect(staff.get_by_text("is now a client and the portal invitation is on its way")).to_be_visible()
    _fits(staff)
    record = Client.objects.get(org=alpha.org, name="Vera Visitor")
    estimate = Estimate.objects.get(org=alpha.org)
    assert estimate.client_id == record.pk  # moved from the lead before the invitation went out
    assert Journey.objects.get(client=record).steps == ["invite", "account", "estimate"]
    assert _board_column_of(staff, base, "Vera Visitor") == "column-account"
    screenshot(staff, "onboarding-board-invited")
    staff.goto(f"{base}/o/alpha/estimates/{estimate.pk}/")
    staff.get_by_role("button", name="Send to the client").click()
    expect(staff.get_by_text("sent to Vera Visitor")).to_be_visible()
    run_tasks()

    # 3. The client opens the SMS link: the account form is prefilled from the lead.
    invite = next(m["Body"] for m in reversed(fake_twilio.sent_to("+525512345678")) if "/invite/" in m["Body"])
    page.goto(base + re.search(r"/invite/[\w-]+/", invite).group(0))
    expect(page.get_by_label("Your name")).to_have_value("Vera Visitor")
    expect(page.get_by_label("Email address (your username)")).to_have_value("vera@example.test")
    page.get_by_label("Password:", exact=True).fill(CLIENT_PASSWORD)
    page.get_by_label("Password again").fill(CLIENT_PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    # An SMS link proves the phone, not the address: the client confirms the email first.
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    run_tasks()
    confirm = next(m for m in reversed(mail.outbox) if "vera@example.test" in m.to and "/confirm-email/" in str(m.body))
    page.goto(re.search(r"https?://\S+/confirm-email/\S+/", str(confirm.body)).group(0))
    page.get_by_role("button", name="Confirm").click()
    screenshot(page, "onboarding-after-confirm")
    page.goto(f"{base}/portal/alpha/")
    if "/accounts/login/" in page.url:
        sign_in(page, base, "vera@example.test", CLIENT_PASSWORD)
        page.goto(f"{base}/portal/alpha/")
    account = PortalAccount.objects.get(org=alpha.org)
    assert account.status == PortalAccountStatus.ENROLLMENT_PENDING  # the estimate is still to approve
    checklist = page.locator("#onboarding-checklist")
    expect(checklist.locator("li[aria-current=step]")).to_contain_text(re.compile("estimate", re.I))
    _fits(page)
    screenshot(page, "onboarding-portal-checklist")
    assert _board_column_of(staff, base, "Vera Visitor") == "column-estimate"

    # 4. The client asks a question on the estimate; staff answer it like any request.
    checklist.get_by_role("link", name="Open the estimate").click()
    expect(page.get_by_text("Replace the gutters")).to_be_visible()
    page.get_by_label("Your question").fill("Are the downpipes included?")
    page.get_by_role("button", name="Send question").click()
    expect(page.get_by_text("Are the downpipes included?")).to_be_visible()
    estimate.refresh_from_db()
    staff.goto(f"{base}/o/alpha/requests/{estimate.question_id}/")
    staff.get_by_label("Message").fill("Yes, two downpipes are included.")
    staff.get_by_role("button", name=re.compile("Send")).first.click()
    page.reload()
    expect(page.get_by_text("Yes, two downpipes are included.")).to_be_visible()

    # 5. One tap to approve (a confirm step that shows the total).
    page.locator("#approve").click()
    expect(page.locator("#confirm-total")).to_have_text(re.compile(r"354\.96"))
    _fits(page)
    page.get_by_role("button", name="Yes, approve").click()
    # The last step: "continue" lands on the portal home, which says so once.
    page.wait_for_url(f"{base}/portal/alpha/")
    expect(page.get_by_text("Thank you: you approved estimate")).to_be_visible()
    expect(page.get_by_text("You're all set")).to_be_visible()
    page.goto(f"{base}/portal/alpha/estimates/{estimate.pk}/")
    expect(page.locator("#estimate-approved")).to_be_visible()
    screenshot(page, "onboarding-estimate-approved")
    estimate.refresh_from_db()
    assert estimate.state == EstimateState.APPROVED

    # 6. The board shows the client a column further (onboarding complete) and the portal
    # account is active by itself.
    staff.goto(f"{base}/o/alpha/onboarding/")
    expect(staff.locator(".journey-row", has_text="Vera Visitor")).to_have_count(0)
    expect(staff.get_by_text("Completed: 1.")).to_be_visible()
    _fits(staff)
    screenshot(staff, "onboarding-board-complete")
    assert Journey.objects.get(client=record).current_step == COMPLETE
    account.refresh_from_db()
    assert account.status == PortalAccountStatus.ACTIVE
    lead.refresh_from_db()
    assert lead.state == LeadState.CONVERTED and lead.client_id == record.pk
