"""Email attachments: stored with the message (text content, e.g. a booking's .ics, or base64 for a
binary file, e.g. a signed agreement's PDF) and attached by the email transport (single sends and
batches share it)."""

from __future__ import annotations

import base64

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


def test_a_binary_attachment_travels_as_base64_and_arrives_as_its_bytes(org_a, deliver):
    pdf = b"%PDF-1.7\n\x00\xff\xfe binary\n%%EOF\n"
    with deliver(), transaction.atomic():
        outbox_enqueue(
            org=org_a.org,
            channel=Channel.EMAIL,
            to="signer@example.test",
            idempotency_key="attach:3",
            subject="Signed",
            body_text="The signed copy is attached.",
            attachments=[
                {
                    "filename": "signed.pdf",
                    "mimetype": "application/pdf",
                    "content": base64.b64encode(pdf).decode(),
                    "encoding": "base64",
                }
            ],
        )
    assert OutboxMessage.objects.get(idempotency_key="attach:3").payload[ATTACHMENTS_KEY][0]["encoding"] == "base64"
    (sent,) = mail.outbox
    assert sent.attachments == [("signed.pdf", pdf, "application/pdf")]
