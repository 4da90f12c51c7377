"""The booking widget embedded in another website, in headless Chromium at 390×844 in Madrid:
the page detects the visitor's time zone, shows free times in it, and the visitor books one
from inside the <iframe> (no cookies there: the signed form token stands in for CSRF)."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from playwright.sync_api import Browser, expect

from portico.bookings.actions import availability_window_add, booking_settings_save
from portico.bookings.models import Booking
from portico.core.actors import Actor
from portico.core.tokens import token_new
from portico.leads.models import Lead, LeadSource
from portico.orgs.actions import org_settings_update
from testing.browser import screenshot, sign_in
from testing.world import world_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_books_from_the_embedded_widget_in_their_time_zone(browser: Browser, live_server, settings) -> None:
    settings.PORTICO_PUBLIC_FORM_MIN_SECONDS = 1
    alpha = world_create("alpha")
    org_settings_update(org=alpha.org, actor=Actor.system(), time_zone="America/New_York")
    booking_settings_save(
        org=alpha.org, actor=Actor.system(), enabled=True, slot_minutes=30, min_notice_hours=2, horizon_days=30
    )
    for weekday in range(7):
        availability_window_add(
            org=alpha.org, user=alpha.admin, actor=Actor.system(), weekday=weekday, start=dt.time(9), end=dt.time(12)
        )
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, timezone_id="Europe/Madrid"
    )
    page = context.new_page()
    widget = f"{live_server.url}/w/alpha/book/"
    page.set_content(
        f'<h1>Alpha’s website</h1><iframe src="{widget}" style="width:100%;height:1600px;border:0"></iframe>'
    )
    frame = page.frame_locator("iframe")
    expect(frame.get_by_text("Times are shown in Europe/Madrid.")).to_be_visible()
    # 9:00 in New York is 15:00 in Madrid: the visitor's times run from 3 p.m. to 5:30 p.m.
    first = frame.locator(".slots label").first
    expect(first).to_contain_text(re.compile(r"^(3|4|5)(:30)? p\.m\.$"))
    first.click()
    frame.get_by_label("Your name").fill("Vera Visitor")
    frame.get_by_label("Email").fill("vera@example.test")
    frame.get_by_label("Message").fill("About my taxes")
    screenshot(page, "booking-widget-embedded")
    time.sleep(1.1)  # a person takes longer than the minimum fill time
    frame.get_by_role("button", name="Book this time").click()
    expect(frame.get_by_text("Thank you: you are booked")).to_be_visible()
    booking = Booking.objects.get()
    assert booking.time_zone == "Europe/Madrid"
    assert booking.start.astimezone(dt.UTC).hour in (13, 14, 15, 16)  # 9:00–11:30 New York in winter or summer
    assert Lead.objects.get().source == LeadSource.BOOKING

    # The booker's link on the phone: cancel, or move to another time.
    raw, digest = token_new()
    Booking.objects.filter(pk=booking.pk).update(token_digest=digest)  # the emailed link's secret is not stored
    phone = context.new_page()
    phone.goto(f"{live_server.url}/w/alpha/booking/{raw}/")
    expect(phone.get_by_role("button", name="Cancel my booking")).to_be_visible()
    screenshot(phone, "booking-manage-phone")
    phone.locator(".slots label").nth(2).click()
    phone.get_by_role("button", name="Move my booking to this time").click()
    expect(phone.get_by_text("Your booking was moved")).to_be_visible()
    assert Booking.objects.filter(state="booked").get().rescheduled_from == booking

    # Staff on a phone: their availability page.
    sign_in(phone, live_server.url, alpha.admin.email)
    phone.goto(f"{live_server.url}/o/alpha/settings/booking/")
    expect(phone.get_by_role("heading", name="Add weekly availability")).to_be_visible()
    screenshot(phone, "booking-settings-phone")
    context.close()
