"""How each channel leaves the building. Every transport receives the idempotency key."""

from __future__ import annotations

import base64
import hashlib
from email.utils import formataddr, parseaddr
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from portico.outbox.models import ATTACHMENTS_KEY, Channel, OutboxMessage
from portico.outbox.sms import SmsTransport


class Transport(Protocol):
    def send(self, message: OutboxMessage) -> str:
        """Deliver ``message``; return the provider's id for it. Raise on failure."""
        ...


class EmailTransport:
    """Email through Django's mail backend (EMAIL_URL): SMTP, an anymail ESP, or the dev mailbox.

    The Message-ID is derived from the idempotency key, so a repeat after a crash is the
    same message to the provider and to the recipient's mail system. The provider id returned is
    the ESP's message id with an anymail backend (its webhooks name the message by it), else
    the Message-ID. A batch passes one open ``connection`` for all its messages; alone, the mail
    backend opens one per message.
    """

    def send(self, message: OutboxMessage, connection: Any = None) -> str:
        digest = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:40]
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ")
        message_id = f"<{digest}@{domain}>"
        payload = message.payload or {}
        from_email = settings.DEFAULT_FROM_EMAIL
        if payload.get("from_name"):  # the organization's sender name, on Portico's own address
            from_email = formataddr((payload["from_name"], parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.reveal(message.body_text),
            from_email=from_email,
            to=[message.to],
            reply_to=[payload["reply_to"]] if payload.get("reply_to") else None,
            headers={"Message-ID": message_id, "X-Portico-Idempotency-Key": message.idempotency_key},
            connection=connection,
        )
        if message.body_html:
            email.attach_alternative(message.reveal(message.body_html), "text/html")
        for attachment in payload.get(ATTACHMENTS_KEY, []):
            content = attachment["content"]
            if attachment.get("encoding") == "base64":
                content = base64.b64decode(content)
            email.attach(attachment["filename"], content, attachment["mimetype"])
        email.metadata = {"idempotency_key": message.idempotency_key}  # type: ignore[attr-defined]  # anymail ESPs
        email.send(fail_silently=False)
        # An anymail ESP answers with its own id, the one its tracking webhooks carry; other backends keep ours.
        esp_message_id = getattr(getattr(email, "anymail_status", None), "message_id", None)
        if isinstance(esp_message_id, str | int) and str(esp_message_id):
            return str(esp_message_id)
        return message_id


TRANSPORTS: dict[str, Transport] = {Channel.EMAIL: EmailTransport(), Channel.SMS: SmsTransport()}


def transport_for(channel: str) -> Transport:
    return TRANSPORTS[channel]
