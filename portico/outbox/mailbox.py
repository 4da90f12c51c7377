"""A Django mail backend that keeps delivered mail in the database (development and tests).
The console SMS backend (SMS_BACKEND=console) stores its messages here too.

It stands in for the mail provider: it prints each message to the console (so `make run`
needs no mail server) and stores one copy per Message-ID, dropping repeats the way an
idempotent provider does. Production uses SMTP or an anymail ESP backend (EMAIL_URL).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F

from portico.outbox.models import MailboxEntry


def mailbox_store(*, message_id: str, channel: str, to: str, subject: str, body_text: str, body_html: str = "") -> bool:
    """Keep one copy of a delivered message per ``message_id``; True when this copy is new.
    Its own transaction: the "provider" commits what it received whatever the caller does next."""
    with transaction.atomic():
        _, created = MailboxEntry.objects.get_or_create(
            message_id=message_id,
            defaults={"channel": channel, "to": to, "subject": subject, "body_text": body_text, "body_html": body_html},
        )
        if not created:
            MailboxEntry.objects.filter(message_id=message_id).update(duplicates_dropped=F("duplicates_dropped") + 1)
    return created


class MailboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        for message in email_messages:
            message_id = message.extra_headers.get("Message-ID") or message.message()["Message-ID"]
            html = ""
            for content, mimetype in getattr(message, "alternatives", []):
                if mimetype == "text/html":
                    html = str(content)
            created = mailbox_store(
                message_id=message_id,
                channel="email",
                to=", ".join(message.to),
                subject=str(message.subject),
                body_text=str(message.body),
                body_html=html,
            )
            if created and not self.fail_silently:
                sys.stdout.write(
                    f"--- mail to {', '.join(message.to)}: {message.subject}\n{message.body}\n--- end of mail\n"
                )
                sys.stdout.flush()
            sent += 1
        return sent
