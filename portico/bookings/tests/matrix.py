"""The bookings app's factories for orgs/tests/test_permission_matrix.py.

Its pages (booking_settings, my_availability, booking_list) take no parameter and answer GET
(their POST forms are tested in test_availability.py); ``booking_cancel`` needs a booking of the
organization, booked with the admin. The public pages (/w/<org_slug>/…) are not organization
pages: their cross-organization cases are in test_booking_widget.py and test_booking_manage.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from portico.bookings.actions import availability_window_add, booking_make, booking_settings_save
from portico.bookings.models import AvailabilityWindow
from portico.core.actors import Actor
from testing.world import World


def booking_for(w: World) -> int:
    """A booking with ``w``'s admin tomorrow at 10:00 UTC (booking on, the admin free every day)."""
    if not AvailabilityWindow.objects.filter(org=w.org, user=w.admin).exists():
        booking_settings_save(
            org=w.org, actor=Actor.system(), enabled=True, slot_minutes=30, min_notice_hours=0, horizon_days=30
        )
        for weekday in range(7):
            availability_window_add(
                org=w.org, user=w.admin, actor=Actor.system(), weekday=weekday, start=dt.time(0), end=dt.time(23, 30)
            )
    tomorrow = (timezone.now() + dt.timedelta(days=1)).date()
    start = dt.datetime.combine(tomorrow, dt.time(10), tzinfo=dt.UTC)
    booking, _raw = booking_make(
        org=w.org, actor=Actor.system(), staff=w.admin, start=start, name="Mat Rix", email="matrix@x.test"
    )
    return booking.pk


URL_FACTORIES: dict[str, Callable[[World], dict[str, Any]]] = {}
ID_FACTORIES: dict[str, Callable[[World], int]] = {"booking_id": booking_for}
POST_DATA: dict[str, Callable[[World], dict[str, Any]]] = {}
EXPECTED_REFUSALS: dict[str, str] = {}
NEEDS_PORTAL: set[str] = set()
