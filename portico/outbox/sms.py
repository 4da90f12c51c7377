"""SMS: the console backend (development) or Twilio through its official client (SMS_BACKEND).

Twilio reports what happened to each message at the status callback (``webhooks.twilio_status``);
its address goes with every message and names the outbox message, so a report that arrives
before the worker has recorded the message's SID still finds it.
"""

from __future__ import annotations

import hashlib
import logging
import sys
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.urls import reverse
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from portico.outbox.mailbox import mailbox_store
from portico.outbox.models import Channel, OutboxMessage

logger = logging.getLogger(__name__)
TWILIO_TIMEOUT_SECONDS = 15


class RebasedTwilioHttpClient(TwilioHttpClient):
    """Sends every Twilio request to ``base`` (scheme and host swapped, path kept): for a local
    fake Twilio (TWILIO_API_BASE). Region and edge settings only rewrite *.twilio.com hosts."""

    def __init__(self, base: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base = urlsplit(base)

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        parts = urlsplit(url)
        url = urlunsplit(parts._replace(scheme=self.base.scheme, netloc=self.base.netloc))
        return super().request(method, url, *args, **kwargs)


def twilio_client() -> Client:
    http_client: TwilioHttpClient
    if settings.TWILIO_API_BASE:
        http_client = RebasedTwilioHttpClient(settings.TWILIO_API_BASE, timeout=TWILIO_TIMEOUT_SECONDS)
    else:
        http_client = TwilioHttpClient(timeout=TWILIO_TIMEOUT_SECONDS)
    return Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client)


def twilio_status_callback_url(message: OutboxMessage) -> str:
    return f"{settings.SITE_URL}{reverse('twilio_status')}?{urlencode({'message': message.pk})}"


class SmsTransport:
    """One SMS to ``message.to`` (E.164), from the organization's sender (``payload["from"]``)
    or TWILIO_FROM. The body's one-time link is filled in here, never stored."""

    def send(self, message: OutboxMessage) -> str:
        body = message.reveal(message.body_text)
        sender = (message.payload or {}).get("from") or settings.TWILIO_FROM
        if settings.SMS_BACKEND == "twilio":
            return self._send_twilio(message, body, sender)
        return self._send_console(message, body, sender)

    def _send_twilio(self, message: OutboxMessage, body: str, sender: str) -> str:
        client = twilio_client()
        try:
            # Any TwilioRestException or network error propagates: the outbox retries later.
            sent = client.messages.create(
                to=message.to, from_=sender, body=body, status_callback=twilio_status_callback_url(message)
            )
        finally:
            session = getattr(client.http_client, "session", None)
            if session is not None:
                session.close()
        return str(sent.sid)

    def _send_console(self, message: OutboxMessage, body: str, sender: str) -> str:
        """The development provider: keeps the SMS in the mailbox (Sent messages shows it)."""
        message_id = "console-sms-" + hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:32]
        created = mailbox_store(
            message_id=message_id,
            channel=Channel.SMS,
            to=message.to,
            subject=f"SMS from {sender}" if sender else "SMS",
            body_text=body,
        )
        logger.info("console SMS to %s stored as %s (SMS_BACKEND=console: not delivered)", message.to, message_id)
        if created and settings.DEBUG:  # the body may hold a one-time link: printed in development only
            sys.stdout.write(f"--- SMS to {message.to} from {sender or '(no sender)'}\n{body}\n--- end of SMS\n")
            sys.stdout.flush()
        return message_id
