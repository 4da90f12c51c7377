"""SMS: sent through the official twilio client to a local fake Twilio (never a mock of the
library), retried when Twilio fails, and kept in the development mailbox with SMS_BACKEND=console."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portico.core.actors import Actor, ActorKind
from portico.invitations.actions import invitation_send
from portico.outbox.actions import outbox_enqueue
from portico.outbox.models import SECRETS_KEY, MailboxEntry, OutboxMessage, OutboxState
from testing.world import client_make, portal_set_up, run_tasks

pytestmark = pytest.mark.django_db

PHONE = "+525512345678"


def _invite_by_sms(world, deliver, **portal):
    portal_set_up(world, **portal)
    client = client_make(world, phone=PHONE)
    with deliver():
        invitation = invitation_send(client=client, actor=Actor(kind=ActorKind.STAFF, user=world.admin), channel="sms")
    invitation.refresh_from_db()
    return invitation


def _sms(django_capture_on_commit_callbacks, key="sms-1", to=PHONE, body="Your code: [[secret:code]]"):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        return outbox_enqueue(
            org=None,
            channel="sms",
            to=to,
            idempotency_key=key,
            body_text=body,
            payload={"from": ""},
            secrets={"code": "123456"},
        )


def test_an_invitation_sms_goes_through_twilio_with_the_real_link(org_a, fake_twilio, deliver):
    invitation = _invite_by_sms(org_a, deliver)
    message = OutboxMessage.objects.get(pk=invitation.last_message_id)
    assert (message.state, message.channel, message.to) == (OutboxState.SENT, "sms", PHONE)

    [sent] = fake_twilio.messages
    body = fake_twilio.last_body(PHONE)
    assert "http://testserver/invite/" in body and "[[secret" not in body
    assert (sent["To"], sent["From"]) == (PHONE, "+15005550006")  # no org sender: TWILIO_FROM
    assert sent["StatusCallback"] == f"http://testserver{reverse('twilio_status')}?message={message.pk}"
    assert message.provider_message_id == sent["sid"] and sent["sid"].startswith("SM")

    # Portico never stored the link: the outbox keeps the placeholder, and the secret is gone once sent.
    link = body[body.index("http://testserver/invite/") :].split()[0]
    assert "[[secret:link]]" in message.body_text and link not in message.body_text
    assert SECRETS_KEY not in message.payload
    assert invitation.delivery == "sent"
    assert not MailboxEntry.objects.exists()


def test_the_organizations_sms_sender_is_used(org_a, fake_twilio, deliver):
    _invite_by_sms(org_a, deliver, sms_sender="AlphaOrg")
    assert fake_twilio.messages[0]["From"] == "AlphaOrg"


@pytest.mark.django_db(transaction=True)  # the worker's own after-commit hooks schedule the retry
def test_a_twilio_failure_is_retried_later(fake_twilio, django_capture_on_commit_callbacks):
    fake_twilio.fail_next(1)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        message = _sms(django_capture_on_commit_callbacks)
        run_tasks()
        message.refresh_from_db()
        assert (message.state, message.attempts) == (OutboxState.PENDING, 1)
        assert "TwilioRestException" in message.last_error and "500" in message.last_error
        assert message.next_attempt_at == start + dt.timedelta(seconds=30)
        assert fake_twilio.messages == [] and fake_twilio.requests == 1

        clock.shift(dt.timedelta(seconds=31))
        run_tasks()
    message.refresh_from_db()
    assert (message.state, message.attempts) == (OutboxState.SENT, 2)
    assert list(message.attempt_rows.values_list("outcome", flat=True)) == ["error", "sent"]
    assert [m["Body"] for m in fake_twilio.messages] == ["Your code: 123456"]
    assert message.provider_message_id == fake_twilio.messages[0]["sid"]


def test_wrong_twilio_credentials_are_an_error_not_a_send(fake_twilio, settings, django_capture_on_commit_callbacks):
    settings.TWILIO_AUTH_TOKEN = "not-the-token"
    message = _sms(django_capture_on_commit_callbacks)
    run_tasks()
    message.refresh_from_db()
    assert message.state == OutboxState.PENDING and "401" in message.last_error
    assert fake_twilio.messages == []


def test_the_console_backend_keeps_the_sms_for_developers(org_a, deliver, settings, client):
    settings.SMS_BACKEND = "console"
    invitation = _invite_by_sms(org_a, deliver)
    message = OutboxMessage.objects.get(pk=invitation.last_message_id)
    entry = MailboxEntry.objects.get()
    assert (entry.channel, entry.to, entry.message_id) == ("sms", PHONE, message.provider_message_id)
    assert "http://testserver/invite/" in entry.body_text
    assert invitation.delivery == "sent"

    client.force_login(org_a.admin)
    page = client.get(reverse("message_detail", args=["alpha", message.pk])).content.decode()
    assert entry.body_text in page  # the delivered copy, link included (development mailbox)


def test_the_console_backend_drops_a_repeat_like_an_idempotent_provider(django_capture_on_commit_callbacks, settings):
    from portico.outbox.sms import SmsTransport

    settings.SMS_BACKEND = "console"
    message = _sms(django_capture_on_commit_callbacks)
    run_tasks()
    message = OutboxMessage.objects.get(pk=message.pk)
    assert SmsTransport().send(message) == message.provider_message_id  # a worker that died before marking
    entry = MailboxEntry.objects.get()
    assert entry.duplicates_dropped == 1 and entry.body_text == "Your code: 123456"
