"""In headless Chromium at 390×844 (issue 12's flow, the leads part): a visitor on the organization's own website (another origin:
127.0.0.1 on a port of its own beside the live server's localhost; both loopback, so Chromium's
private-network rules let the page load the script) sends the contact form embedded by the script snippet; the frame fits its content; the lead keeps
the host page and its UTM parameters; a staff member converts it on a phone and invites by SMS;
the client opens the link and finds the account form filled in from the lead."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from portico.leads.models import Lead
from testing.browser import screenshot, sign_in
from testing.world import portal_set_up, run_tasks, world_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_sends_the_embedded_form_and_staff_convert_and_invite_by_sms(
    page: Page, other_page: Page, live_server, settings, host_site, fake_twilio
) -> None:
    settings.SITE_URL = live_server.url
    settings.PORTICO_PUBLIC_FORM_MIN_SECONDS = 1
    alpha = world_create("alpha")
    portal_set_up(alpha, services="Roofing\nGutters", primary_colour="#8a2be2")
    host_site.embed(live_server.url)
    page.goto(host_site.url)
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("heading", name="Contact us")).to_be_visible()
    frame.get_by_label("Your name").fill("Vera Visitor")
    frame.get_by_label("Email").fill("vera@example.test")
    frame.get_by_label("Mobile").fill("+52 55 1234 5678")
    frame.get_by_label("Service of interest").select_option("Gutters")
    frame.get_by_label("Message").fill("The gutters leak.")
    screenshot(page, "lead-embedded-form")
    page.wait_for_timeout(1100)  # a person takes longer than the minimum fill time
    frame.get_by_role("button", name="Send").click()
    expect(frame.get_by_text("We received your message")).to_be_visible()
    # The frame follows the height the page reports (postMessage): no inner scroll bar.
    frame_box = page.locator("iframe").bounding_box()
    assert frame_box is not None and 150 < frame_box["height"] < 600, frame_box  # the thanks, not the form's height
    screenshot(page, "lead-embedded-thanks")
    lead = Lead.objects.get()
    assert (lead.name, lead.phone, lead.service, lead.source) == ("Vera Visitor", "+525512345678", "Gutters", "form")
    assert lead.page == host_site.url
    assert lead.utm == {"utm_source": "flyer", "utm_campaign": "spring"}
    assert lead.time_zone  # the visitor's browser said which

    # Staff, on a phone: the leads list, the lead, convert and invite by SMS.
    sign_in(other_page, live_server.url, alpha.admin.email)
    other_page.goto(f"{live_server.url}/o/alpha/leads/")
    other_page.get_by_role("link", name="Vera Visitor").click()
    other_page.get_by_label("Invite by SMS").check()
    other_page.get_by_role("button", name="Convert").click()
    expect(other_page.get_by_text("is now a client and the portal invitation is on its way")).to_be_visible()
    expect(other_page.get_by_role("button", name="Resend the invitation")).to_be_visible()
    screenshot(other_page, "lead-converted")
    run_tasks()
    path = re.search(r"/invite/[\w-]+/", fake_twilio.last_body("+525512345678")).group(0)

    # The visitor, now a client, opens the SMS link: the account form is filled in from the lead.
    page.goto(live_server.url + path)
    expect(page.get_by_label("Your name")).to_have_value("Vera Visitor")
    expect(page.get_by_label("Email address (your username)")).to_have_value("vera@example.test")
    lead.refresh_from_db()
    assert lead.state == "converted" and lead.client.navigators.get() == alpha.admin
