"""Availability: weekly windows and time off, validated and audited; the settings page (every
staff member, admins) and my availability (my own only)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from portico.audit.models import AuditAction, AuditEvent
from portico.bookings.actions import availability_window_add, booking_settings_save, time_off_add
from portico.bookings.models import AvailabilityWindow, BookingSettings, TimeOff
from portico.bookings.tests.conftest import NY
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.core.middleware import REFUSAL_HEADER
from portico.orgs.actions import org_settings_update


def _add(world, user, weekday=0, start=9, end=12):
    return availability_window_add(
        org=world.org, user=user, actor=Actor.system(), weekday=weekday, start=dt.time(start), end=dt.time(end)
    )


def test_a_window_must_end_after_it_starts(org_a):
    with pytest.raises(PorticoError, match="The end must be after the start"):
        _add(org_a, org_a.admin, start=12, end=9)
    assert not AvailabilityWindow.objects.exists()


def test_windows_of_one_person_on_one_day_never_overlap(org_a):
    _add(org_a, org_a.admin, start=9, end=12)
    with pytest.raises(PorticoError, match="This overlaps Monday 09:00–12:00"):
        _add(org_a, org_a.admin, start=11, end=14)
    _add(org_a, org_a.admin, start=12, end=14)  # touching is fine
    _add(org_a, org_a.admin, weekday=1, start=11, end=14)  # another day
    _add(org_a, org_a.readonly, start=11, end=14)  # another person
    assert AvailabilityWindow.objects.count() == 4


def test_only_the_organizations_staff_can_have_availability(org_a, org_b):
    with pytest.raises(PorticoError, match="Only active staff"):
        _add(org_a, org_b.admin)


def test_time_off_must_end_after_it_starts(org_a):
    start = dt.datetime(2026, 12, 8, 9, tzinfo=NY)
    with pytest.raises(PorticoError, match="The end must be after the start"):
        time_off_add(org=org_a.org, user=org_a.admin, actor=Actor.system(), start=start, end=start)


def test_changes_are_audited(org_a):
    _add(org_a, org_a.admin)
    booking_settings_save(
        org=org_a.org, actor=Actor.system(), enabled=True, slot_minutes=45, min_notice_hours=1, horizon_days=10
    )
    events = AuditEvent.objects.filter(action=AuditAction.AVAILABILITY_CHANGED)
    assert events.count() == 2


def test_the_settings_page_saves_the_settings(client, org_a):
    client.force_login(org_a.admin)
    url = reverse("booking_settings", args=[org_a.org.slug])
    page = client.get(url)
    assert page.status_code == 200 and "Alpha Reader" in page.content.decode()  # everyone's availability
    assert not BookingSettings.objects.exists()  # shown with defaults, made only when saved
    response = client.post(
        url, {"op": "settings", "s-enabled": "on", "s-slot_minutes": 45, "s-min_notice_hours": 4, "s-horizon_days": 14}
    )
    assert response.status_code == 302
    saved = BookingSettings.objects.get(org=org_a.org)
    assert (saved.enabled, saved.slot_minutes, saved.min_notice_hours, saved.horizon_days) == (True, 45, 4, 14)
    bad = client.post(url, {"op": "settings", "s-slot_minutes": 2, "s-min_notice_hours": 4, "s-horizon_days": 14})
    assert bad.status_code == 200 and "greater than or equal to 10" in bad.content.decode()


def test_an_admin_sets_anyones_windows_and_time_off_in_the_organizations_time_zone(client, org_a):
    org_settings_update(org=org_a.org, actor=Actor.system(), time_zone="America/New_York")
    client.force_login(org_a.admin)
    url = reverse("booking_settings", args=[org_a.org.slug])
    response = client.post(
        url, {"op": "window_add", "w-user": org_a.readonly.pk, "w-weekday": 2, "w-start": "08:30", "w-end": "12:00"}
    )
    assert response.status_code == 302
    window = AvailabilityWindow.objects.get()
    assert (window.user, window.weekday, window.start, window.end) == (org_a.readonly, 2, dt.time(8, 30), dt.time(12))
    client.post(
        url,
        {
            "op": "time_off_add",
            "t-user": org_a.readonly.pk,
            "t-start": "2026-12-24T00:00",
            "t-end": "2026-12-26T00:00",
            "t-reason": "Holidays",
        },
    )
    item = TimeOff.objects.get()
    assert item.start == dt.datetime(2026, 12, 24, tzinfo=NY)  # typed in New York time
    assert item.reason == "Holidays"
    overlap = client.post(
        url, {"op": "window_add", "w-user": org_a.readonly.pk, "w-weekday": 2, "w-start": "11:00", "w-end": "13:00"}
    )
    assert overlap[REFUSAL_HEADER] == "overlap"
    reversed_times = client.post(
        url, {"op": "window_add", "w-user": org_a.readonly.pk, "w-weekday": 3, "w-start": "13:00", "w-end": "11:00"}
    )
    assert reversed_times.status_code == 200 and "The end must be after the start." in reversed_times.content.decode()
    client.post(url, {"op": "window_remove", "id": window.pk})
    client.post(url, {"op": "time_off_remove", "id": item.pk})
    assert not AvailabilityWindow.objects.exists() and not TimeOff.objects.exists()


def test_my_availability_changes_only_my_own(client, org_a):
    client.force_login(org_a.readonly)
    url = reverse("my_availability", args=[org_a.org.slug])
    response = client.post(url, {"op": "window_add", "w-weekday": 0, "w-start": "09:00", "w-end": "10:00"})
    assert response.status_code == 302
    assert AvailabilityWindow.objects.get().user == org_a.readonly
    admins = _add(org_a, org_a.admin, weekday=4)
    refused = client.post(url, {"op": "window_remove", "id": admins.pk})
    assert refused[REFUSAL_HEADER] == "not_yours"
    assert AvailabilityWindow.objects.filter(pk=admins.pk).exists()
    page = client.get(url).content.decode()
    assert "Monday" in page and "Friday" not in page.split("Add weekly availability")[0]


def test_another_organizations_window_is_404(client, org_a, org_b):
    theirs = _add(org_b, org_b.admin)
    client.force_login(org_a.admin)
    response = client.post(reverse("booking_settings", args=[org_a.org.slug]), {"op": "window_remove", "id": theirs.pk})
    assert response.status_code == 404
    assert AvailabilityWindow.objects.filter(pk=theirs.pk).exists()
