"""Review fixes of the booking pages: the widget obeys the organization's public-pages switch;
the booking rules (who may cancel, only live upcoming bookings, no reschedule once booking is
off) live in the actions; the widget keeps its form token when shown again and reports its
height to the embedding site; the settings page's snippet comes from the one embed_snippets
(SITE_URL, only while booking is on); availability is shown a few people at a time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from portico.bookings.actions import (
    availability_window_add,
    booking_cancel,
    booking_reschedule,
    booking_settings_save,
)
from portico.bookings.models import Booking, BookingState
from portico.bookings.tests.conftest import at, book
from portico.bookings.views import STAFF_SHOWN
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.leads.actions import lead_settings_save
from portico.leads.models import Lead
from portico.leads.public import TOKEN_FIELD
from portico.leads.tests.conftest import TOKEN, form_token_from
from portico.orgs.actions import membership_add
from testing.world import user_create

SITE = "https://portico.example"


def _widget(world):
    return reverse("booking_widget", args=[world.org.slug])


def _manage(world, raw):
    return reverse("booking_manage", args=[world.org.slug, raw])


def _booking_off(world):
    booking_settings_save(
        org=world.org, actor=Actor.system(), enabled=False, slot_minutes=30, min_notice_hours=2, horizon_days=30
    )


def _public_forms_off(world):
    lead_settings_save(org=world.org, actor=Actor.system(), navigators=[], public_forms=False, thank_you="")


def test_the_widget_is_not_found_when_the_organizations_public_pages_are_off(client, bookable, org_b):
    _public_forms_off(bookable)
    assert client.get(_widget(bookable)).status_code == 404
    posted = client.post(_widget(bookable), {"start": at(8, 10).isoformat(), "name": "Vera", "email": "v@x.test"})
    assert posted.status_code == 404
    assert not Booking.objects.exists() and not Lead.objects.exists()
    assert client.get(_widget(org_b)).status_code == 200  # the other organization's switch is its own


def test_the_bookers_link_still_cancels_when_public_pages_are_off(client, bookable):
    booking, raw = book(bookable, at(8, 10))
    _public_forms_off(bookable)
    assert client.post(_manage(bookable, raw), {"op": "cancel"}).status_code == 200
    booking.refresh_from_db()
    assert booking.state == BookingState.CANCELLED


def test_once_booking_is_off_the_link_cancels_but_does_not_reschedule(client, bookable):
    booking, raw = book(bookable, at(8, 10))
    _booking_off(bookable)
    moved = client.post(_manage(bookable, raw), {"op": "reschedule", "start": at(8, 11).isoformat()})
    assert moved.status_code == 400 and "no longer takes bookings online" in moved.content.decode()
    assert Booking.objects.count() == 1
    with pytest.raises(PorticoError, match="no longer takes bookings online"):
        booking_reschedule(booking=booking, actor=Actor.system(), start=at(8, 11), raw_token=raw)
    assert client.post(_manage(bookable, raw), {"op": "cancel"}).status_code == 200
    booking.refresh_from_db()
    assert booking.state == BookingState.CANCELLED


def test_the_cancel_action_takes_only_live_upcoming_bookings(bookable, clock):
    booking, raw = book(bookable, at(8, 10))
    done = booking_cancel(booking=booking, actor=Actor.system())
    with pytest.raises(PorticoError, match="no longer live"):
        booking_cancel(booking=done, actor=Actor.system())
    later, raw = book(bookable, at(8, 11))
    clock.move_to(at(8, 11, 5))
    with pytest.raises(PorticoError, match="already started or passed"):
        booking_cancel(booking=later, actor=Actor.system())
    with pytest.raises(PorticoError, match="already started or passed"):
        booking_reschedule(booking=later, actor=Actor.system(), start=at(9, 10), raw_token=raw)
    later.refresh_from_db()
    assert later.state == BookingState.BOOKED


def test_the_cancel_action_lets_staff_cancel_only_their_own_without_the_settings_permission(bookable):
    booking, _raw = book(bookable, at(8, 10))  # with the admin
    with pytest.raises(PorticoError, match="only your own bookings"):
        booking_cancel(booking=booking, actor=Actor.system(), staff_user=bookable.readonly)
    booking.refresh_from_db()
    assert booking.state == BookingState.BOOKED
    booking_cancel(booking=booking, actor=Actor.system(), staff_user=bookable.readonly, may_cancel_others=True)
    assert booking.state == BookingState.CANCELLED


def test_the_widget_shown_again_keeps_its_first_token(client, bookable):
    token = form_token_from(client, _widget(bookable))
    again = client.post(
        _widget(bookable),
        {TOKEN_FIELD: token, "start": at(8, 10).isoformat(), "staff": "any", "name": "Vera", "email": "", "phone": ""},
    )
    assert "Enter an email address or a mobile number." in again.content.decode()
    assert TOKEN.search(again.content.decode()).group(1) == token


@pytest.mark.parametrize("page", ["widget", "contact"])
def test_every_embeddable_page_reports_its_height(client, bookable, page):
    url = _widget(bookable) if page == "widget" else reverse("lead_contact_form", args=[bookable.org.slug])
    text = client.get(url).content.decode()
    assert text.count('postMessage({portico: "height"') == 1
    assert 'id="main"' in text


def test_the_settings_page_offers_the_shared_snippet_only_while_booking_is_on(client, bookable, settings):
    settings.SITE_URL = SITE
    client.force_login(bookable.admin)
    url = reverse("booking_settings", args=[bookable.org.slug])
    text = client.get(url).content.decode()
    assert f"&lt;iframe src=&quot;{SITE}/w/alpha/book/&quot;" in text and "min-height:560px" in text
    assert f"&lt;script src=&quot;{SITE}/w/alpha/embed.js&quot; data-page=&quot;booking&quot;" in text
    assert "testserver" not in text and "760px" not in text
    _booking_off(bookable)
    text = client.get(url).content.decode()
    assert "embed.js" not in text and "Turn booking on to get the snippet" in text
    # The lead settings page points to it instead of repeating it.
    leads = client.get(reverse("lead_settings", args=[bookable.org.slug])).content.decode()
    assert "/book/" not in leads and reverse("booking_settings", args=[bookable.org.slug]) in leads


def test_availability_is_shown_a_few_people_at_a_time(client, bookable, django_assert_max_num_queries):
    people = []
    for n in range(STAFF_SHOWN + 2):
        user = user_create(f"staff{n:02}@alpha.test", name=f"Staff {n:02}")
        membership_add(org=bookable.org, user=user, role=bookable.roles["Navigator"], actor=Actor.system())
        availability_window_add(
            org=bookable.org, user=user, actor=Actor.system(), weekday=2, start=dt.time(13), end=dt.time(14)
        )
        people.append(user)
    client.force_login(bookable.admin)
    url = reverse("booking_settings", args=[bookable.org.slug])
    client.get(url)
    with django_assert_max_num_queries(20):
        text = client.get(url).content.decode()
    assert text.count('aria-labelledby="person-') == STAFF_SHOWN
    assert 'id="staff-chooser"' in text
    last = people[-1]
    one = client.get(url, {"staff": last.pk}).content.decode()
    assert one.count('aria-labelledby="person-') == 1 and f'id="person-{last.pk}"' in one
    # Whoever is shown, the add forms still offer everyone.
    assert f'<option value="{people[0].pk}">' in one
