"""The journey settings page (admins): steps, stalled after, reminder schedule, quiet hours; audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from portico.audit.models import AuditAction, AuditEvent
from portico.journey.models import JourneySettings

pytestmark = pytest.mark.django_db


def _post(client, world, **changes):
    data = {
        "optional_steps": ["estimate"],
        "create_job": "on",
        "stalled_after_days": "5",
        "reminders_enabled": "on",
        "reminder_days": "2, 5, 9",
        "quiet_start": "20:00",
        "quiet_end": "08:00",
        **changes,
    }
    return client.post(reverse("journey_settings", args=[world.org.slug]), data)


def test_the_page_shows_the_defaults_and_the_steps_offered(client, org_a):
    client.force_login(org_a.admin)
    html = client.get(reverse("journey_settings", args=[org_a.org.slug])).content.decode()
    assert 'value="estimate"' in html and "checked" in html
    assert 'value="2, 5, 9"' in html


def test_saving_changes_the_settings_and_is_audited(client, org_a):
    client.force_login(org_a.admin)
    response = _post(
        client, org_a, optional_steps=[], reminder_days="9,2, 2", stalled_after_days="7", quiet_start="21:30"
    )
    assert response.status_code == 302
    saved = JourneySettings.objects.get(org=org_a.org)
    assert (saved.optional_steps, saved.reminder_days, saved.stalled_after_days) == ([], "2, 9", 7)
    assert saved.quiet_start == dt.time(21, 30)
    event = AuditEvent.objects.get(action=AuditAction.JOURNEY_SETTINGS_CHANGED)
    assert event.actor_user == org_a.admin
    assert set(event.detail["changed"]) == {"optional_steps", "reminder_days", "stalled_after_days", "quiet_start"}
    # Nothing changed: nothing written, nothing audited.
    _post(client, org_a, optional_steps=[], reminder_days="2, 9", stalled_after_days="7", quiet_start="21:30")
    assert AuditEvent.objects.filter(action=AuditAction.JOURNEY_SETTINGS_CHANGED).count() == 1


def test_bad_values_are_refused(client, org_a):
    client.force_login(org_a.admin)
    response = _post(client, org_a, reminder_days="2, soon", optional_steps=["agreement"])
    assert response.status_code == 200
    assert not JourneySettings.objects.exists()
    html = response.content.decode()
    assert "Whole numbers from 1 to 365" in html and "agreement" in html


def test_staff_without_the_settings_permission_are_refused(client, org_a, org_b):
    client.force_login(org_a.readonly)
    assert _post(client, org_a).status_code == 403
    client.force_login(org_b.admin)
    assert _post(client, org_a).status_code == 404
    assert not JourneySettings.objects.exists()


def test_the_job_at_the_end_can_be_turned_off(client, org_a):
    client.force_login(org_a.admin)
    data = {"create_job": ""}
    assert _post(client, org_a, **data).status_code == 302
    assert JourneySettings.objects.get(org=org_a.org).create_job is False
    event = AuditEvent.objects.get(action=AuditAction.JOURNEY_SETTINGS_CHANGED)
    assert "create_job" in event.detail["changed"]
