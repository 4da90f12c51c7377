"""Free slots: weekly windows in the organization's time zone, minus time off, minus live
bookings, minus the minimum notice, up to the horizon; daylight-saving days; the visitor's days."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

from portico.bookings.actions import availability_window_add, booking_cancel, time_off_add
from portico.bookings.selectors import booking_settings_get, day_range, free_slots, slots_by_day
from portico.bookings.tests.conftest import NY, at, book, bookable_setup
from portico.core.actors import Actor
from portico.orgs.actions import org_settings_update

UTC = dt.UTC
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def _slots(world, start, end, staff=None, now=None, settings=None):
    return free_slots(
        org=world.org,
        settings=settings or booking_settings_get(org=world.org),
        staff=staff or [world.admin],
        range_start=start,
        range_end=end,
        now=now,
    )


def test_a_window_gives_slots_of_the_set_length_in_the_organizations_time_zone(bookable):
    slots = _slots(bookable, at(8, 0), at(9, 0))  # Tuesday 8 December
    assert [s.start.astimezone(NY).strftime("%H:%M") for s in slots] == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "11:30",
    ]
    assert all(s.end - s.start == dt.timedelta(minutes=30) for s in slots)
    assert slots[0].start == dt.datetime(2026, 12, 8, 14, 0, tzinfo=UTC)  # stored and compared in UTC


def test_weekends_without_windows_have_no_slots(bookable):
    assert _slots(bookable, at(12, 0), at(14, 0)) == []  # Saturday and Sunday


def test_the_minimum_notice_hides_slots_starting_too_soon(bookable):
    # It is Monday 8:00 with 2 hours' notice: 9:00 and 9:30 are too soon, 10:00 is the first.
    slots = _slots(bookable, at(7, 0), at(8, 0))
    assert slots[0].start == at(7, 10)
    assert len(slots) == 4


def test_nothing_beyond_how_far_ahead_the_organization_allows(bookable):
    assert _slots(bookable, at(5, 0, month=12) + dt.timedelta(days=34), at(5, 0) + dt.timedelta(days=40)) == []
    later = _slots(bookable, at(7, 0), at(7, 0) + dt.timedelta(days=60))
    assert max(s.start for s in later) <= at(7, 8) + dt.timedelta(days=30)


def test_time_off_removes_the_slots_it_overlaps(bookable):
    time_off_add(org=bookable.org, user=bookable.admin, actor=Actor.system(), start=at(8, 9, 45), end=at(8, 11))
    slots = _slots(bookable, at(8, 0), at(9, 0))
    assert [s.start.astimezone(NY).strftime("%H:%M") for s in slots] == ["09:00", "11:00", "11:30"]


def test_live_bookings_take_their_slot_and_cancelled_ones_give_it_back(bookable):
    booking, _raw = book(bookable, at(8, 10))
    assert at(8, 10) not in [s.start for s in _slots(bookable, at(8, 0), at(9, 0))]
    booking_cancel(booking=booking, actor=Actor.system())
    assert at(8, 10) in [s.start for s in _slots(bookable, at(8, 0), at(9, 0))]


def test_anyone_merges_people_free_at_the_same_time(bookable):
    availability_window_add(
        org=bookable.org, user=bookable.readonly, actor=Actor.system(), weekday=1, start=dt.time(11), end=dt.time(13)
    )
    slots = _slots(bookable, at(8, 0), at(9, 0), staff=[bookable.admin, bookable.readonly])
    by_time = {s.start.astimezone(NY).strftime("%H:%M"): sorted(s.staff_ids) for s in slots}
    assert by_time["09:00"] == [bookable.admin.pk]
    assert by_time["11:30"] == sorted([bookable.admin.pk, bookable.readonly.pk])
    assert by_time["12:30"] == [bookable.readonly.pk]


def test_a_window_keeps_its_wall_clock_time_across_the_daylight_saving_change(org_a):
    """New York springs forward on Sunday 8 March 2026: 9:00 is 14:00 UTC the day before, 13:00 UTC after."""
    bookable_setup(org_a)
    availability_window_add(
        org=org_a.org, user=org_a.admin, actor=Actor.system(), weekday=5, start=dt.time(9), end=dt.time(10)
    )
    availability_window_add(
        org=org_a.org, user=org_a.admin, actor=Actor.system(), weekday=6, start=dt.time(9), end=dt.time(10)
    )
    now = dt.datetime(2026, 3, 1, tzinfo=UTC)
    slots = _slots(org_a, dt.datetime(2026, 3, 7, tzinfo=UTC), dt.datetime(2026, 3, 10, tzinfo=UTC), now=now)
    starts = [s.start for s in slots]
    assert dt.datetime(2026, 3, 7, 14, 0, tzinfo=UTC) in starts  # Saturday 9:00 EST
    assert dt.datetime(2026, 3, 8, 13, 0, tzinfo=UTC) in starts  # Sunday 9:00 EDT
    assert dt.datetime(2026, 3, 9, 13, 0, tzinfo=UTC) in starts  # Monday 9:00 EDT
    weekend = [s for s in slots if s.start.astimezone(NY).day in (7, 8)]
    assert [s.start.astimezone(NY).strftime("%d %H:%M") for s in weekend] == [
        "07 09:00",
        "07 09:30",
        "08 09:00",
        "08 09:30",
    ]


def test_a_window_across_the_spring_forward_gap_is_an_hour_shorter(org_a):
    bookable_setup(org_a)
    availability_window_add(
        org=org_a.org, user=org_a.admin, actor=Actor.system(), weekday=6, start=dt.time(1), end=dt.time(4)
    )
    now = dt.datetime(2026, 3, 1, tzinfo=UTC)
    start, end = day_range(dt.date(2026, 3, 8), 1, NY)
    slots = _slots(org_a, start, end, now=now)
    assert len(slots) == 4  # 01:00–04:00 local is two real hours on that night
    assert slots[0].start == dt.datetime(2026, 3, 8, 6, 0, tzinfo=UTC)
    assert slots[-1].end == dt.datetime(2026, 3, 8, 8, 0, tzinfo=UTC)


def test_the_visitor_sees_the_slots_on_their_own_days(bookable):
    """New York's 9:00–12:00 is 23:00–02:00 in Tokyo: a Tokyo day holds the end of one New York
    morning and the start of the next."""
    start, end = day_range(dt.date(2026, 12, 9), 1, TOKYO)  # Wednesday in Tokyo
    days = slots_by_day(_slots(bookable, start, end), TOKYO)
    assert [d.day for d in days] == [dt.date(2026, 12, 9)]
    assert [local.strftime("%H:%M") for _slot, local in days[0].slots] == [
        "00:00",
        "00:30",
        "01:00",
        "01:30",  # Tuesday 10:00–11:30 in New York
        "23:00",
        "23:30",  # Wednesday 9:00–9:30 in New York
    ]
    assert days[0].slots[0][0].start == at(8, 10)


def test_slots_of_a_week_cost_three_queries(bookable):
    settings = booking_settings_get(org=bookable.org)
    with CaptureQueriesContext(connection) as queries:
        assert _slots(bookable, at(7, 0), at(14, 0), settings=settings)
    assert len(queries) == 3


def test_another_organizations_windows_never_count(bookable, org_b):
    org_settings_update(org=org_b.org, actor=Actor.system(), time_zone="America/New_York")
    bookable_setup(org_b, user=org_b.admin)
    # org_b's admin is not org_a's staff: asking org_a for them finds nothing of theirs.
    assert _slots(bookable, at(8, 0), at(9, 0), staff=[org_b.admin]) == []
