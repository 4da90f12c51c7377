"""Provider webhooks: what happened to a message after it left (delivered, bounced, failed).

Each report is verified (Twilio: ``X-Twilio-Signature``; email: anymail checks Basic auth and
the ESP's signature, see receivers.py), then applied once through
``outbox_delivery_event_apply``, which records a DeliveryEvent and sends ``message_delivery``.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from portico.outbox.actions import outbox_delivery_event_apply
from portico.outbox.models import Channel, DeliveryKind, OutboxMessage

logger = logging.getLogger(__name__)

# Twilio MessageStatus → delivery kind. queued, accepted, scheduled, sending (and read, canceled …)
# add nothing: the worker already reported "sent" when Twilio accepted the message.
TWILIO_KINDS = {
    "sent": DeliveryKind.SENT,
    "delivered": DeliveryKind.DELIVERED,
    "undelivered": DeliveryKind.BOUNCED,
    "failed": DeliveryKind.FAILED,
}


def twilio_signature_valid(request: HttpRequest) -> bool:
    """The request carries Twilio's signature, made with our auth token over the exact address
    Portico gave Twilio (SITE_URL + path + query) and the posted fields."""
    token = settings.TWILIO_AUTH_TOKEN
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    url = settings.SITE_URL + request.get_full_path()
    return bool(RequestValidator(token).validate(url, request.POST, signature))


def _twilio_message(request: HttpRequest, sid: str) -> OutboxMessage | None:
    sms = OutboxMessage.objects.filter(channel=Channel.SMS)
    # The callback address names the outbox message (signed with the rest): found even when the
    # report arrives before the worker has stored the SID.
    pk = request.GET.get("message", "")
    if pk.isdigit():
        message = sms.filter(pk=int(pk)).first()
        if message is not None:
            return message
    return sms.filter(provider_message_id=sid).first()


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest) -> HttpResponse:
    """Twilio's status callback (the ``status_callback`` of every SMS Portico sends)."""
    if not twilio_signature_valid(request):
        logger.warning("Twilio status callback refused: missing or wrong X-Twilio-Signature")
        return HttpResponseForbidden("Bad signature")
    sid = request.POST.get("MessageSid", "")
    status = request.POST.get("MessageStatus", "")
    kind = TWILIO_KINDS.get(status)
    if not sid or kind is None:
        return HttpResponse()
    message = _twilio_message(request, sid)
    if message is None:
        logger.info("Twilio status %s for unknown message %s ignored", status, sid)
        return HttpResponse()
    error_code = request.POST.get("ErrorCode", "")
    error_message = request.POST.get("ErrorMessage", "")
    detail = " ".join(part for part in (f"Twilio error {error_code}" if error_code else "", error_message) if part)
    outbox_delivery_event_apply(
        message=message,
        provider="twilio",
        event_id=f"twilio:{sid}:{status}",
        kind=kind,
        at=timezone.now(),
        detail=detail,
    )
    return HttpResponse()
