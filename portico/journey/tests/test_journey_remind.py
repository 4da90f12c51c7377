"""One-tap reminder from the board: by the client's channel (email or SMS) through the outbox,
with a fresh invitation link when theirs has expired; once per step and day; audited."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portico.audit.models import AuditAction, AuditEvent
from portico.core.middleware import REFUSAL_HEADER
from portico.invitations.models import Invitation
from portico.journey.models import JourneyReminder, ReminderKind
from portico.journey.tests.helpers import accept, estimate_make, estimate_move, invite, journey
from testing.world import client_make, last_link, portal_set_up

pytestmark = pytest.mark.django_db


def _remind(client, world, j):
    return client.post(reverse("journey_remind", args=[world.org.slug, j.pk]))


def test_an_email_reminder_goes_to_the_invitation_address_with_the_portal_link(client, org_a, deliver):
    mark = invite(org_a)
    mail.outbox.clear()
    client.force_login(org_a.admin)
    with deliver():
        response = _remind(client, org_a, journey(mark))
    assert response.status_code == 302 and REFUSAL_HEADER not in response
    [message] = mail.outbox
    assert message.to == ["mark@example.test"]
    assert reverse("portal_org_home", args=[org_a.org.slug]) in message.body
    assert "create your account" in message.body
    reminder = JourneyReminder.objects.get()
    assert (reminder.kind, reminder.step, reminder.channel, reminder.fresh_link) == (
        ReminderKind.MANUAL,
        "account",
        "email",
        False,
    )
    assert reminder.sent_by == org_a.admin and reminder.message is not None
    event = AuditEvent.objects.get(action=AuditAction.JOURNEY_REMINDER_SENT)
    assert (event.target_id, event.actor_user, event.detail["step"]) == (str(mark.pk), org_a.admin, "account")


def test_an_sms_reminder_goes_by_sms(client, org_a, fake_twilio, deliver):
    with deliver():
        sara = invite(org_a, name="Sara Sms", channel="sms", phone="+525512345678")
    client.force_login(org_a.admin)
    with deliver():
        _remind(client, org_a, journey(sara))
    body = fake_twilio.last_body("+525512345678")
    assert reverse("portal_org_home", args=[org_a.org.slug]) in body
    assert "/invite/" not in body  # the invitation's link is not sent again while it works
    assert JourneyReminder.objects.get().channel == "sms"


def test_an_expired_invitation_gets_a_fresh_link(client, org_a, deliver):
    with deliver():
        mark = invite(org_a)
    old_link = last_link("mark@example.test", r"https?://\S+/invite/\S+/")
    client.force_login(org_a.admin)
    with time_machine.travel(timezone.now() + dt.timedelta(days=8), tick=False), deliver():
        response = _remind(client, org_a, journey(mark))
        assert "fresh link" in next(str(m) for m in response.wsgi_request._messages)
    invitation = Invitation.objects.get(client=mark)
    assert invitation.sent_count == 2 and invitation.status == "pending"
    assert last_link("mark@example.test", r"https?://\S+/invite/\S+/") != old_link
    reminder = JourneyReminder.objects.get()
    assert reminder.fresh_link and reminder.message == invitation.last_message


def test_a_step_is_reminded_once_a_day(client, org_a):
    mark = invite(org_a)
    client.force_login(org_a.admin)
    _remind(client, org_a, journey(mark))
    again = _remind(client, org_a, journey(mark))
    assert again[REFUSAL_HEADER] == "already"
    assert JourneyReminder.objects.count() == 1
    with time_machine.travel(timezone.now() + dt.timedelta(days=1), tick=False):
        assert REFUSAL_HEADER not in _remind(client, org_a, journey(mark))
    assert JourneyReminder.objects.count() == 2


def test_the_estimate_step_is_reminded_with_the_portal_link(client, org_a, deliver):
    portal_set_up(org_a)
    eve = client_make(org_a, "Eve Estimate")
    estimate_move(estimate_make(org_a, eve), "send")
    invite(org_a, eve)
    accept(eve)
    mail.outbox.clear()
    client.force_login(org_a.admin)
    with deliver():
        _remind(client, org_a, journey(eve))
    [message] = mail.outbox
    assert "approve your estimate" in message.body
    assert JourneyReminder.objects.get().step == "estimate"


def test_a_complete_or_closed_journey_is_not_reminded(client, org_a):
    done = invite(org_a)
    accept(done)
    client.force_login(org_a.admin)
    assert _remind(client, org_a, journey(done))[REFUSAL_HEADER] == "complete"
    assert not JourneyReminder.objects.exists()


def test_another_organizations_journey_is_a_404(client, org_a, org_b):
    theirs = invite(org_a)
    client.force_login(org_b.admin)
    response = client.post(reverse("journey_remind", args=[org_b.org.slug, journey(theirs).pk]))
    assert response.status_code == 404
    assert not JourneyReminder.objects.exists()


def test_staff_without_the_invitation_permission_cannot_remind(client, org_a):
    mark = invite(org_a)
    client.force_login(org_a.readonly)
    assert _remind(client, org_a, journey(mark)).status_code == 403
