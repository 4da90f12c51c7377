"""Automatic reminders (the sweep), with time-machine: on the organization's schedule (days after
entering a step), never in the quiet hours of the client's time zone (a later sweep sends it),
never twice for the same step and day, stopped when the client moves on or the record is closed
or deleted."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from portico.audit.models import AuditAction, AuditEvent
from portico.clients.actions import client_delete, client_status_change, client_update
from portico.core.actors import Actor
from portico.invitations.actions import invitation_revoke, invitations_revoke_open
from portico.invitations.models import Invitation
from portico.journey.actions import journey_remind, journey_reminders_send, journey_settings_save
from portico.journey.models import JourneyReminder, ReminderKind
from portico.journey.tests.helpers import accept, estimate_make, estimate_move, invite, journey, staff
from portico.orgs.actions import org_settings_update
from testing.world import client_make, portal_set_up

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)  # a Monday, noon UTC


def at(days: float, hour: int = 12) -> dt.datetime:
    return (T0 + dt.timedelta(days=days)).replace(hour=hour)


def sweep(when: dt.datetime) -> int:
    with time_machine.travel(when, tick=False):
        return journey_reminders_send()


def test_reminders_follow_the_schedule_and_an_expired_invitation_gets_a_fresh_link(org_a, deliver):
    with time_machine.travel(T0, tick=False):
        mark = invite(org_a, time_zone="UTC")
    mail.outbox.clear()
    assert sweep(at(1)) == 0
    with deliver():
        assert sweep(at(2)) == 1
    [message] = mail.outbox
    assert message.to == ["mark@example.test"] and "/portal/" in message.body
    assert sweep(at(2, hour=15)) == 0  # the same step and day: never twice
    assert sweep(at(4)) == 0
    assert sweep(at(5)) == 1
    assert sweep(at(9)) == 1  # the invitation (7 days) has expired: sent again, a fresh link
    offsets = list(JourneyReminder.objects.order_by("pk").values_list("offset_days", "fresh_link", "kind"))
    assert offsets == [(2, False, "auto"), (5, False, "auto"), (9, True, "auto")]
    assert Invitation.objects.get(client=mark).sent_count == 2
    assert sweep(at(30)) == 0  # the schedule is done
    events = AuditEvent.objects.filter(action=AuditAction.JOURNEY_REMINDER_SENT)
    assert events.count() == 3 and {e.target_id for e in events} == {str(mark.pk)}


def test_missed_offsets_are_not_sent_late(org_a):
    with time_machine.travel(T0, tick=False):
        invite(org_a, time_zone="UTC")
    assert sweep(at(6)) == 1  # the sweep did not run on day 2: only the most recent reminder
    assert list(JourneyReminder.objects.values_list("offset_days", flat=True)) == [5]


def test_never_in_the_quiet_hours_of_the_clients_time_zone(org_a):
    with time_machine.travel(T0, tick=False):
        mexico = invite(org_a, name="Mia Mexico", email="mia@example.test", time_zone="America/Mexico_City")
        london = invite(org_a, name="Lou London", email="lou@example.test", time_zone="Europe/London")
    # 13:00 UTC: 07:00 in Mexico City (quiet until 08:00), 13:00 in London.
    assert sweep(at(2, hour=13)) == 1
    assert list(JourneyReminder.objects.values_list("journey__client", flat=True)) == [london.pk]
    # 15:00 UTC: 09:00 in Mexico City: the later sweep sends it.
    assert sweep(at(2, hour=15)) == 1
    mine = JourneyReminder.objects.get(journey__client=mexico)
    assert mine.day == dt.date(2026, 3, 4)
    # 03:00 UTC on day 5: 21:00 in Mexico City the day before (quiet), 03:00 in London (quiet).
    assert sweep(at(5, hour=3)) == 0


def test_the_time_zone_is_read_from_the_record_when_the_sweep_runs(org_a):
    # Quiet hours follow the client's time zone as it is now (changed after the invitation), and
    # the organization's when the record has none (changed too): nothing is copied at the start.
    with time_machine.travel(T0, tick=False):
        mexico = invite(org_a, name="Mia Mexico", email="mia@example.test", time_zone="UTC")
        plain = invite(org_a, name="Pat Plain", email="pat@example.test", time_zone="")
    client_update(client=mexico, actor=Actor.system(), time_zone="America/Mexico_City")
    org_settings_update(org=org_a.org, actor=Actor.system(), time_zone="Asia/Tokyo")
    # 13:00 UTC: 07:00 in Mexico City (quiet), 22:00 in Tokyo (quiet).
    assert sweep(at(2, hour=13)) == 0
    # 15:00 UTC: 09:00 in Mexico City; 00:00 in Tokyo (still quiet).
    assert sweep(at(2, hour=15)) == 1
    assert JourneyReminder.objects.get().journey.client_id == mexico.pk
    # 00:00 UTC the next day: 09:00 in Tokyo.
    assert sweep(at(3, hour=0)) == 1
    assert JourneyReminder.objects.get(journey__client=plain).day == dt.date(2026, 3, 5)


def test_quiet_hours_are_the_organizations_setting(org_a):
    journey_settings_save(org=org_a.org, actor=staff(org_a), quiet_start=dt.time(9, 0), quiet_end=dt.time(17, 0))
    with time_machine.travel(T0, tick=False):
        invite(org_a, time_zone="UTC")
    assert sweep(at(2, hour=12)) == 0
    assert sweep(at(2, hour=18)) == 1


def test_reminders_stop_when_the_client_moves_on(org_a):
    portal_set_up(org_a)
    eve = client_make(org_a, "Eve Estimate")
    with time_machine.travel(T0, tick=False):
        estimate_move(estimate_make(org_a, eve), "send")
        invite(org_a, eve, time_zone="UTC")
    with time_machine.travel(at(1), tick=False):
        accept(eve)
    assert sweep(at(2)) == 0  # no longer at the account step; one day into the estimate step
    assert sweep(at(3)) == 1
    assert JourneyReminder.objects.get().step == "estimate"
    with time_machine.travel(at(4), tick=False):
        estimate_move(eve.estimates.get(), "approve")
    assert sweep(at(6)) == 0  # complete


def test_reminders_stop_when_the_record_is_closed_or_deleted(org_a):
    portal_set_up(org_a)
    eve = client_make(org_a, "Eve Estimate")
    with time_machine.travel(T0, tick=False):
        estimate_make(org_a, eve)
        invite(org_a, eve, time_zone="UTC")
        dan = invite(org_a, name="Dan Deleted", email="dan@example.test", time_zone="UTC")
        accept(eve)
    eve.refresh_from_db()
    client_status_change(action="close", client=eve, actor=staff(org_a))
    client_delete(client=dan, actor=staff(org_a))
    assert sweep(at(3)) == 0
    assert not JourneyReminder.objects.exists()


def test_a_client_whose_invitation_was_revoked_is_not_reminded(org_a):
    with time_machine.travel(T0, tick=False):
        mark = invite(org_a, time_zone="UTC")
        invitation_revoke(invitation=Invitation.objects.get(client=mark), actor=staff(org_a))
    assert journey(mark).current_step == "invite"  # invitation_revoked refreshed it
    assert sweep(at(3)) == 0


def test_the_sweep_never_sends_a_revoked_link_even_when_the_stored_step_lags(org_a):
    """The choice reads the invitation itself: a journey still stored at "account" (no refresh
    yet) whose invitation was revoked gets no "open the link… it works until…" text."""
    with time_machine.travel(T0, tick=False):
        mark = invite(org_a, time_zone="UTC")
        eve = invite(org_a, name="Eve Client", email="eve@example.test", time_zone="UTC")
    Invitation.objects.filter(client=mark).update(status="revoked")  # as if no refresh had followed
    assert journey(mark).current_step == "account"
    assert sweep(at(3)) == 1
    assert list(JourneyReminder.objects.values_list("journey__client", flat=True)) == [eve.pk]


def test_revoking_open_invitations_sends_the_journey_back_to_invite(org_a):
    mark = invite(org_a, time_zone="UTC")
    assert invitations_revoke_open(client=mark, actor=staff(org_a), reason="staff") == 1
    assert journey(mark).current_step == "invite"
    assert sweep(at(3)) == 0


def test_a_tap_the_same_day_counts(org_a):
    with time_machine.travel(T0, tick=False):
        mark = invite(org_a, time_zone="UTC")
    with time_machine.travel(at(2, hour=9), tick=False):
        journey_remind(journey=journey(mark), actor=staff(org_a))
    assert sweep(at(2, hour=12)) == 0  # already reminded of this step today
    assert sweep(at(3, hour=12)) == 1
    assert list(JourneyReminder.objects.order_by("pk").values_list("kind", flat=True)) == [
        ReminderKind.MANUAL,
        ReminderKind.AUTOMATIC,
    ]


def test_reminders_switched_off(org_a):
    journey_settings_save(org=org_a.org, actor=staff(org_a), reminders_enabled=False)
    with time_machine.travel(T0, tick=False):
        invite(org_a, time_zone="UTC")
    assert sweep(at(2)) == 0


def test_other_organizations_follow_their_own_settings(org_a, org_b):
    journey_settings_save(org=org_b.org, actor=staff(org_b), reminder_days="3")
    with time_machine.travel(T0, tick=False):
        invite(org_a, time_zone="UTC")
        invite(org_b, time_zone="UTC")
    assert sweep(at(2)) == 1
    assert JourneyReminder.objects.get().org == org_a.org
    assert sweep(at(3)) == 1
    assert JourneyReminder.objects.filter(org=org_b.org).count() == 1


def test_the_sweep_command_runs_it(org_a):
    with time_machine.travel(T0, tick=False):
        invite(org_a, time_zone="UTC")
    out = io.StringIO()
    with time_machine.travel(at(2), tick=False):
        call_command("sweep", stdout=out)
    assert "journey: onboarding reminders sent: 1" in out.getvalue()
