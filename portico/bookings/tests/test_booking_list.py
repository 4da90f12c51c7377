"""The staff list of bookings: my upcoming ones; everyone's with the settings permission; keyset
pages at a fixed number of queries."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.urls import reverse

from portico.bookings.actions import availability_window_add, booking_cancel
from portico.bookings.models import Booking
from portico.bookings.selectors import PAGE_SIZE
from portico.bookings.tests.conftest import at, book
from portico.core.actors import Actor

QUERIES = 4  # session, user, memberships (org_view), the page


def _reader_bookable(world):
    for weekday in range(5):
        availability_window_add(
            org=world.org, user=world.readonly, actor=Actor.system(), weekday=weekday, start=dt.time(9), end=dt.time(12)
        )


def test_my_upcoming_bookings(client, bookable):
    _reader_bookable(bookable)
    book(bookable, at(8, 10), staff=bookable.admin, name="Ann Admin-Booker")
    book(bookable, at(8, 10), staff=bookable.readonly, name="Rita Reader-Booker", email="r@example.test")
    cancelled, _raw = book(bookable, at(8, 11), staff=bookable.readonly, name="Carl Cancelled", email="c@example.test")
    booking_cancel(booking=cancelled, actor=Actor.system())
    client.force_login(bookable.readonly)
    body = client.get(reverse("booking_list", args=[bookable.org.slug])).content.decode()
    assert "Rita Reader-Booker" in body
    assert "Ann Admin-Booker" not in body and "Carl Cancelled" not in body
    # Without the settings permission, "everyone" is not offered and not obeyed.
    everyone = client.get(reverse("booking_list", args=[bookable.org.slug]) + "?who=all").content.decode()
    assert "Ann Admin-Booker" not in everyone


def test_an_admin_sees_everyones(client, bookable):
    _reader_bookable(bookable)
    book(bookable, at(8, 10), staff=bookable.admin, name="Ann Admin-Booker")
    book(bookable, at(8, 10), staff=bookable.readonly, name="Rita Reader-Booker", email="r@example.test")
    client.force_login(bookable.admin)
    url = reverse("booking_list", args=[bookable.org.slug])
    mine = client.get(url).content.decode()
    assert "Ann Admin-Booker" in mine and "Rita Reader-Booker" not in mine
    everyone = client.get(url + "?who=all").content.decode()
    assert "Ann Admin-Booker" in everyone and "Rita Reader-Booker" in everyone


def test_past_bookings(client, bookable, clock):
    book(bookable, at(8, 10), name="Paula Past")
    clock.move_to(dt.datetime(2026, 12, 10, tzinfo=dt.UTC))
    client.force_login(bookable.admin)
    url = reverse("booking_list", args=[bookable.org.slug])
    assert "Paula Past" not in client.get(url).content.decode()
    assert "Paula Past" in client.get(url + "?when=past").content.decode()


def test_keyset_pages_at_a_fixed_number_of_queries(client, bookable, django_assert_num_queries):
    # Enough bookings for two pages, made directly: the list reads rows, however they came.
    starts = [at(8, 9) + dt.timedelta(days=day, minutes=30 * n) for day in range(0, 14) for n in range(6)]
    Booking.objects.bulk_create(
        Booking(org=bookable.org, staff=bookable.admin, start=s, end=s + dt.timedelta(minutes=30), name=f"B{i:03}")
        for i, s in enumerate(starts[: PAGE_SIZE + 5])
    )
    client.force_login(bookable.admin)
    url = reverse("booking_list", args=[bookable.org.slug])
    client.get(url)  # warm the session
    with django_assert_num_queries(QUERIES):
        first = client.get(url)
    page = first.context["page"]
    assert len(page.rows) == PAGE_SIZE and page.next_cursor
    assert [b.name for b in page.rows][:2] == ["B000", "B001"]
    with django_assert_num_queries(QUERIES):
        second = client.get(url + f"?cursor={page.next_cursor}")
    rows = second.context["page"].rows
    assert [b.name for b in rows] == [f"B{i:03}" for i in range(PAGE_SIZE, PAGE_SIZE + 5)]
    with django_assert_num_queries(QUERIES):
        client.get(url + "?who=all")


def test_another_organizations_bookings_never_show(client, bookable, org_b):
    book(bookable, at(8, 10), name="Alpha Visitor")
    client.force_login(org_b.admin)
    body = client.get(reverse("booking_list", args=[org_b.org.slug]) + "?who=all").content.decode()
    assert "Alpha Visitor" not in body


def test_staff_cancel_their_own_booking_from_the_list(client, bookable, deliver):
    booking, _raw = book(bookable, at(8, 10))
    client.force_login(bookable.admin)
    url = reverse("booking_list", args=[bookable.org.slug])
    assert reverse("booking_cancel", args=[bookable.org.slug, booking.pk]) in client.get(url).content.decode()
    with deliver():
        response = client.post(reverse("booking_cancel", args=[bookable.org.slug, booking.pk]))
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.state == "cancelled"
    assert any(m.to == ["vera@example.test"] and m.attachments for m in mail.outbox)  # the booker is told


def test_staff_without_the_settings_permission_cannot_cancel_a_colleagues_booking(client, bookable):
    booking, _raw = book(bookable, at(8, 10))  # with the admin
    client.force_login(bookable.readonly)
    response = client.post(reverse("booking_cancel", args=[bookable.org.slug, booking.pk]))
    assert response["X-Portico-Refusal"] == "not_yours"
    booking.refresh_from_db()
    assert booking.state == "booked"
