"""The bookings app's cases for audit/tests/test_every_action_is_audited.py (action -> case(world, settings))."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from portico.audit.models import AuditAction
from portico.bookings.actions import (
    availability_window_add,
    booking_cancel,
    booking_make,
    booking_reschedule,
    booking_settings_save,
)
from portico.core.actors import Actor
from testing.world import World


def _bookable(w: World) -> dt.datetime:
    """Booking on in UTC, the admin free all day every day; returns tomorrow 10:00 UTC."""
    booking_settings_save(
        org=w.org, actor=Actor.system(), enabled=True, slot_minutes=30, min_notice_hours=0, horizon_days=30
    )
    for weekday in range(7):
        availability_window_add(
            org=w.org, user=w.admin, actor=Actor.system(), weekday=weekday, start=dt.time(0), end=dt.time(23, 30)
        )
    tomorrow = (timezone.now() + dt.timedelta(days=1)).date()
    return dt.datetime.combine(tomorrow, dt.time(10), tzinfo=dt.UTC)


def _book(w: World) -> tuple[Any, str]:
    start = _bookable(w)
    return booking_make(org=w.org, actor=Actor.system(), staff=None, start=start, name="Bo Booker", email="bo@x.test")


def _reschedule(w: World) -> Any:
    booking, raw = _book(w)
    return booking_reschedule(
        booking=booking, actor=Actor.system(), start=booking.start + dt.timedelta(hours=1), raw_token=raw
    )


AUDIT_CASES: dict[str, Callable[..., object]] = {
    AuditAction.AVAILABILITY_CHANGED: lambda w, s: availability_window_add(
        org=w.org, user=w.admin, actor=Actor.system(), weekday=0, start=dt.time(9), end=dt.time(12)
    ),
    AuditAction.BOOKING_MADE: lambda w, s: _book(w),
    AuditAction.BOOKING_CANCELLED: lambda w, s: booking_cancel(booking=_book(w)[0], actor=Actor.system()),
    AuditAction.BOOKING_RESCHEDULED: lambda w, s: _reschedule(w),
}
