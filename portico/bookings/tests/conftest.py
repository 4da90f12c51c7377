"""Bookings test set-up: org_a in New York time, booking on, the admin bookable Monday to Friday
9:00–12:00 (30-minute slots, 2 hours' notice, 30 days ahead), and the clock on Monday
2026-12-07 08:00 New York time."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

import pytest
import time_machine

from portico.accounts.models import User
from portico.bookings.actions import availability_window_add, booking_make, booking_settings_save
from portico.bookings.models import Booking
from portico.core.actors import Actor
from portico.orgs.actions import org_settings_update
from testing.world import World

NY = zoneinfo.ZoneInfo("America/New_York")
NOW = dt.datetime(2026, 12, 7, 8, 0, tzinfo=NY)  # a Monday


def at(day: int, hour: int, minute: int = 0, zone: zoneinfo.ZoneInfo = NY, month: int = 12) -> dt.datetime:
    """An instant given in ``zone`` (New York by default), in December 2026."""
    return dt.datetime(2026, month, day, hour, minute, tzinfo=zone)


def bookable_setup(world: World, *, user: User | None = None, zone: str = "America/New_York") -> User:
    org_settings_update(org=world.org, actor=Actor.system(), time_zone=zone)
    world.org.refresh_from_db()
    booking_settings_save(
        org=world.org, actor=Actor.system(), enabled=True, slot_minutes=30, min_notice_hours=2, horizon_days=30
    )
    user = user or world.admin
    for weekday in range(5):
        availability_window_add(
            org=world.org, user=user, actor=Actor.system(), weekday=weekday, start=dt.time(9), end=dt.time(12)
        )
    return user


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def bookable(org_a, clock, settings) -> World:
    settings.PORTICO_PUBLIC_FORM_MIN_SECONDS = 0  # the fill-time test sets it back
    bookable_setup(org_a)
    return org_a


def book(world: World, start: dt.datetime, *, staff: User | None = None, **fields: str) -> tuple[Booking, str]:
    values = {"name": "Vera Visitor", "email": "vera@example.test", "time_zone": "Europe/Madrid", **fields}
    return booking_make(org=world.org, actor=Actor.system(), staff=staff, start=start, **values)  # type: ignore[arg-type]


@dataclass
class Ics:
    method: str
    props: dict[str, str]


def ics_parse(text: str) -> Ics:
    """Just enough of RFC 5545 for the tests: unfold, then NAME[;params]:value per line."""
    assert "\r\n" in text, "iCalendar lines end in CRLF"
    unfolded = re.sub(r"\r\n[ \t]", "", text)
    props: dict[str, str] = {}
    method = ""
    in_event = False
    for line in unfolded.split("\r\n"):
        if not line:
            continue
        name, _sep, value = line.partition(":")
        key = name.split(";")[0]
        if line == "BEGIN:VEVENT":
            in_event = True
        elif line == "END:VEVENT":
            in_event = False
        elif key == "METHOD":
            method = value
        elif in_event:
            props[key] = line  # the whole line: parameters included
    return Ics(method=method, props=props)
