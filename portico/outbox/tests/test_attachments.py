"""Email attachments: stored with the message (text content, e.g. a booking's .ics) and attached
by the email transport (single sends and batches share it)."""

from __future__ import annotations

from django.core import mail
from django.db import transaction

from portico.outbox.actions import outbox_enqueue
from portico.outbox.models import ATTACHMENTS_KEY, Channel, OutboxMessage

ICS = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"


def test_an_email_carries_its_attachments(org_a, deliver):
    with deliver(), transaction.atomic():
        outbox_enqueue(
            org=org_a.org,
            channel=Channel.EMAIL,
            to="someone@example.test",
            idempotency_key="attach:1",
            subject="Your appointment",
            body_text="See the invitation.",
            attachments=[{"filename": "invite.ics", "mimetype": "text/calendar", "content": ICS}],
        )
    stored = OutboxMessage.objects.get(idempotency_key="attach:1")
    assert stored.payload[ATTACHMENTS_KEY][0]["filename"] == "invite.ics"
    (sent,) = mail.outbox
    assert sent.attachments == [("invite.ics", ICS, "text/calendar")]
    assert sent.body == "See the invitation."


def test_a_message_without_attachments_has_none(org_a, deliver):
    with deliver(), transaction.atomic():
        outbox_enqueue(
            org=org_a.org,
            channel=Channel.EMAIL,
            to="x@example.test",
            idempotency_key="attach:2",
            subject="Hi",
            body_text="Hi",
        )
    (sent,) = mail.outbox
    assert sent.attachments == []
    assert ATTACHMENTS_KEY not in OutboxMessage.objects.get(idempotency_key="attach:2").payload
