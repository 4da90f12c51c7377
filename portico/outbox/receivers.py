"""Email delivery reports: anymail verifies each ESP tracking webhook (Basic auth with
ANYMAIL_WEBHOOK_SECRET plus the ESP's own signature; a bad one is a 400 before this runs) and
normalizes it into ``anymail.signals.tracking``; this receiver applies it to its outbox message."""

from __future__ import annotations

import logging
from typing import Any

from anymail.signals import AnymailTrackingEvent, EventType, tracking
from django.utils import timezone

from portico.outbox.actions import outbox_delivery_event_apply
from portico.outbox.models import Channel, DeliveryKind, OutboxMessage

logger = logging.getLogger(__name__)

# anymail's normalized event types → delivery kinds. queued, sent, deferred, opened, clicked,
# complained, unsubscribed … add nothing to a message's delivery.
ANYMAIL_KINDS = {
    EventType.DELIVERED: DeliveryKind.DELIVERED,
    EventType.BOUNCED: DeliveryKind.BOUNCED,
    EventType.REJECTED: DeliveryKind.BOUNCED,
    EventType.FAILED: DeliveryKind.FAILED,
}


def tracked_message(event: AnymailTrackingEvent) -> OutboxMessage | None:
    """The outbox message of ``event``: by the idempotency key EmailTransport sends as metadata,
    else by the ESP's message id (what EmailTransport stored as provider_message_id)."""
    emails = OutboxMessage.objects.filter(channel=Channel.EMAIL)
    key = (event.metadata or {}).get("idempotency_key")
    if key:
        message = emails.filter(idempotency_key=str(key)).first()
        if message is not None:
            return message
    if event.message_id:
        return emails.filter(provider_message_id=str(event.message_id)).first()
    return None


def email_tracking(sender: Any, event: AnymailTrackingEvent, esp_name: str, **kwargs: Any) -> None:
    kind = ANYMAIL_KINDS.get(event.event_type)
    if kind is None:
        return
    message = tracked_message(event)
    if message is None:
        logger.info("%s %s event for unknown message %s ignored", esp_name, event.event_type, event.message_id)
        return
    provider = esp_name.lower()
    at = event.timestamp or timezone.now()
    event_id = event.event_id or f"{event.message_id}:{event.event_type}:{at.isoformat()}"
    detail = event.description or event.mta_response or event.reject_reason or ""
    outbox_delivery_event_apply(
        message=message,
        provider=provider,
        event_id=f"{provider}:{event_id}",
        kind=kind,
        at=at,
        detail=str(detail),
    )


def connect() -> None:
    tracking.connect(email_tracking, dispatch_uid="outbox_email_tracking")
