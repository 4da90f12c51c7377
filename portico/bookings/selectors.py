"""Reads of bookings: the settings (defaults until saved), availability, free slots, a booking by
its link, the staff list of bookings (keyset pages). Another organization's ids are a 404."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from portico.accounts.models import User
from portico.bookings.models import AvailabilityWindow, Booking, BookingSettings, BookingState, TimeOff
from portico.core.keyset import Page, keyset_page
from portico.core.timezones import time_zone_get
from portico.core.tokens import token_digest
from portico.orgs.models import Membership, MembershipStatus, Organization

PAGE_SIZE = 25
UTC = dt.UTC


def booking_settings_get(*, org: Organization) -> BookingSettings:
    """The organization's settings; unsaved defaults (booking off) until an admin saves them."""
    found = BookingSettings.objects.filter(org=org).first()
    return found if found is not None else BookingSettings(org=org)


def org_zone(org: Organization) -> zoneinfo.ZoneInfo:
    return time_zone_get(org.time_zone)


def staff_members(*, org: Organization) -> list[User]:
    """Active staff of the organization, by name (whose availability the settings page shows)."""
    return [
        m.user
        for m in Membership.objects.filter(org=org, status=MembershipStatus.ACTIVE)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    ]


def bookable_staff(*, org: Organization) -> list[User]:
    """Active staff with at least one weekly window: the people a visitor can choose."""
    ids = AvailabilityWindow.objects.filter(org=org).values("user_id")
    return [
        m.user
        for m in Membership.objects.filter(org=org, status=MembershipStatus.ACTIVE, user_id__in=ids)
        .select_related("user")
        .order_by("user__full_name", "user__id")
    ]


def windows_of(*, org: Organization, users: Iterable[User]) -> dict[int, list[AvailabilityWindow]]:
    found: dict[int, list[AvailabilityWindow]] = defaultdict(list)
    for window in AvailabilityWindow.objects.filter(org=org, user__in=list(users)).order_by("weekday", "start"):
        found[window.user_id].append(window)
    return found


def time_off_of(*, org: Organization, users: Iterable[User], upcoming_only: bool = True) -> dict[int, list[TimeOff]]:
    qs = TimeOff.objects.filter(org=org, user__in=list(users))
    if upcoming_only:
        qs = qs.filter(end__gt=timezone.now())
    found: dict[int, list[TimeOff]] = defaultdict(list)
    for item in qs.order_by("start"):
        found[item.user_id].append(item)
    return found


def window_get(*, org: Organization, window_id: int, user: User | None = None) -> AvailabilityWindow:
    qs = AvailabilityWindow.objects.filter(org=org)
    if user is not None:
        qs = qs.filter(user=user)
    return get_object_or_404(qs, pk=window_id)


def time_off_get(*, org: Organization, time_off_id: int, user: User | None = None) -> TimeOff:
    qs = TimeOff.objects.filter(org=org)
    if user is not None:
        qs = qs.filter(user=user)
    return get_object_or_404(qs, pk=time_off_id)


# --- free slots ---


@dataclass
class Slot:
    start: dt.datetime  # UTC
    end: dt.datetime  # UTC
    staff_ids: list[int] = field(default_factory=list)  # who is free then (one, or several for "anyone")


def _overlaps(start: dt.datetime, end: dt.datetime, busy: list[tuple[dt.datetime, dt.datetime]]) -> bool:
    return any(b_start < end and start < b_end for b_start, b_end in busy)


def slots_compute(
    *,
    zone: zoneinfo.ZoneInfo,
    windows: dict[int, list[AvailabilityWindow]],
    busy: dict[int, list[tuple[dt.datetime, dt.datetime]]],
    slot_minutes: int,
    earliest: dt.datetime,
    latest: dt.datetime,
    range_start: dt.datetime,
    range_end: dt.datetime,
) -> list[Slot]:
    """The pure computation: every slot of ``slot_minutes`` inside a weekly window (wall-clock
    times in ``zone``, made instants with zoneinfo on each date, so daylight-saving days are right:
    a window across the spring-forward gap is an hour shorter), not overlapping a busy interval
    (time off, live bookings), starting at or after ``earliest`` (the minimum notice) and no
    later than ``latest`` (how far ahead), within [range_start, range_end). Slots of several
    people at the same instant are merged."""
    length = dt.timedelta(minutes=slot_minutes)
    lower, upper = max(earliest, range_start), min(latest, range_end)
    by_start: dict[dt.datetime, Slot] = {}
    if lower >= upper:
        return []
    # Every local date that can hold a slot inside the range (a day's margin for the offsets).
    first = lower.astimezone(zone).date() - dt.timedelta(days=1)
    last = upper.astimezone(zone).date() + dt.timedelta(days=1)
    for user_id, user_windows in windows.items():
        user_busy = busy.get(user_id, [])
        day = first
        while day <= last:
            for window in user_windows:
                if window.weekday != day.weekday():
                    continue
                start = dt.datetime.combine(day, window.start, tzinfo=zone).astimezone(UTC)
                end = dt.datetime.combine(day, window.end, tzinfo=zone).astimezone(UTC)
                # Nonexistent wall times (the gap) resolve as zoneinfo does (fold=0); step in UTC.
                at = start
                while at + length <= end:
                    if lower <= at and at < upper and not _overlaps(at, at + length, user_busy):
                        slot = by_start.setdefault(at, Slot(start=at, end=at + length))
                        slot.staff_ids.append(user_id)
                    at += length
            day += dt.timedelta(days=1)
    return [by_start[key] for key in sorted(by_start)]


def free_slots(
    *,
    org: Organization,
    settings: BookingSettings,
    staff: list[User],
    range_start: dt.datetime,
    range_end: dt.datetime,
    now: dt.datetime | None = None,
) -> list[Slot]:
    """Free slots of ``staff`` (one person, or everyone bookable for "anyone") between two
    instants: their windows minus time off, minus live bookings, minus the minimum notice, up to
    how far ahead the organization allows. Three queries whatever the range."""
    now = now or timezone.now()
    if not staff:
        return []
    windows = windows_of(org=org, users=staff)
    busy: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for user_id, start, end in TimeOff.objects.filter(
        org=org, user__in=staff, end__gt=range_start, start__lt=range_end
    ).values_list("user_id", "start", "end"):
        busy[user_id].append((start, end))
    bookings = Booking.objects.filter(
        org=org, staff__in=staff, state=BookingState.BOOKED, end__gt=range_start, start__lt=range_end
    )
    for user_id, start, end in bookings.values_list("staff_id", "start", "end"):
        busy[user_id].append((start, end))
    return slots_compute(
        zone=org_zone(org),
        windows=windows,
        busy=busy,
        slot_minutes=settings.slot_minutes,
        earliest=now + dt.timedelta(hours=settings.min_notice_hours),
        latest=now + dt.timedelta(days=settings.horizon_days),
        range_start=range_start,
        range_end=range_end,
    )


@dataclass
class SlotDay:
    day: dt.date  # in the visitor's time zone
    slots: list[tuple[Slot, dt.datetime]]  # (slot, its start in the visitor's time zone)


def slots_by_day(slots: list[Slot], zone: zoneinfo.ZoneInfo) -> list[SlotDay]:
    """Slots grouped by the visitor's local day, in order."""
    days: dict[dt.date, SlotDay] = {}
    for slot in slots:
        local = slot.start.astimezone(zone)
        days.setdefault(local.date(), SlotDay(day=local.date(), slots=[])).slots.append((slot, local))
    return list(days.values())


def day_range(day: dt.date, days: int, zone: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """[midnight of ``day``, midnight ``days`` later) in ``zone``, as UTC instants."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=days), dt.time(0), tzinfo=zone).astimezone(UTC)
    return start, end


# --- bookings ---


def booking_by_token(*, org: Organization, raw_token: str) -> Booking:
    """The booking a cancel/reschedule link names (its organization's only); else a 404."""
    if not raw_token:
        raise Http404
    return get_object_or_404(
        Booking.objects.select_related("org", "staff"), org=org, token_digest=token_digest(raw_token)
    )


def booking_get(*, org: Organization, booking_id: int) -> Booking:
    """One of the organization's bookings; another organization's id is a 404."""
    return get_object_or_404(Booking.objects.select_related("org", "staff"), org=org, pk=booking_id)


def booking_list_queryset(*, org: Organization, user: User | None, everyone: bool, past: bool) -> QuerySet[Booking]:
    qs = Booking.objects.filter(org=org).select_related("staff")
    if not everyone:
        qs = qs.filter(staff=user)
    now = timezone.now()
    return qs.filter(start__lt=now) if past else qs.filter(end__gte=now, state=BookingState.BOOKED)


def booking_page(
    *, org: Organization, user: User | None, everyone: bool, past: bool = False, cursor: str = ""
) -> Page[Booking]:
    """Upcoming live bookings soonest first (or past ones, latest first), by keyset (start, id): one query."""
    qs = booking_list_queryset(org=org, user=user, everyone=everyone, past=past)
    order = ("-start", "-id") if past else ("start", "id")
    return keyset_page(qs, order=order, cursor=cursor, page_size=PAGE_SIZE)
