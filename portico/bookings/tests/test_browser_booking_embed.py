"""In headless Chromium at 390×844: the booking widget put into another website by the script
snippet (embed.js) grows to its content, as the contact form does, instead of staying a
320-pixel box with a scroll bar inside (portal/base.html reports its height too)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from portico.bookings.actions import availability_window_add, booking_settings_save
from portico.core.actors import Actor
from testing.browser import screenshot
from testing.world import world_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_embedded_widget_frame_fits_its_content(page: Page, live_server, settings, host_site) -> None:
    settings.SITE_URL = live_server.url
    alpha = world_create("alpha")
    booking_settings_save(
        org=alpha.org, actor=Actor.system(), enabled=True, slot_minutes=30, min_notice_hours=2, horizon_days=30
    )
    for weekday in range(7):
        availability_window_add(
            org=alpha.org, user=alpha.admin, actor=Actor.system(), weekday=weekday, start=dt.time(9), end=dt.time(12)
        )
    host_site.embed(live_server.url, page="booking")
    page.goto(host_site.url)
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("button", name="Book this time")).to_be_visible()
    # The frame takes the widget's own height (well over the script's 320-pixel start).
    page.wait_for_function("document.querySelector('iframe').getBoundingClientRect().height > 700")
    inner = page.frames[1].evaluate("Math.ceil(document.getElementById('main').getBoundingClientRect().bottom)")
    box = page.locator("iframe").bounding_box()
    assert box is not None and abs(box["height"] - inner) <= 2, (box, inner)
    screenshot(page, "booking-embedded")
