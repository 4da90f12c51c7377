"""Web Push to staff phones: the VAPID key pair and the outbox transport for Channel.PUSH.

The private key lives in a PEM file (settings.VAPID_PRIVATE_KEY_FILE, made by ``manage.py
vapid_keys``); browsers subscribe with its public half, the applicationServerKey. A push service
answering 404 or 410 means the subscription is gone for good: it is deleted and nothing is retried.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from py_vapid import Vapid

from portico.notifications.models import PushSubscription
from portico.outbox.models import OutboxMessage

PUSH_TTL_SECONDS = 3600
GONE_STATUSES = (404, 410)


class PushNotConfigured(RuntimeError):
    """No VAPID key file: push cannot be sent (run ``manage.py vapid_keys``)."""


def vapid_generate(path: Path) -> Vapid:
    """Make a new key pair and write its private PEM to ``path`` (owner-only)."""
    vapid = Vapid()
    vapid.generate_keys()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_bytes(vapid.private_pem())
    return vapid


def vapid_load() -> Vapid:
    path = Path(settings.VAPID_PRIVATE_KEY_FILE)
    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise PushNotConfigured(f"No VAPID key at {path}: run `manage.py vapid_keys`.") from exc
    return Vapid.from_pem(pem)


def application_server_key(vapid: Vapid) -> str:
    """The public key as browsers want it: base64url of the uncompressed point, unpadded."""
    raw = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def application_server_key_or_blank() -> str:
    try:
        return application_server_key(vapid_load())
    except PushNotConfigured:
        return ""


class PushTransport:
    """Channel.PUSH: one outbox message is one push to one subscription (payload["subscription"])."""

    def send(self, message: OutboxMessage) -> str:
        from pywebpush import WebPushException, webpush

        payload = message.payload or {}
        # The device must still be the one (and the person's) the message was written for.
        subscription = PushSubscription.objects.filter(
            pk=payload.get("subscription") or 0, endpoint=message.to, user_id=payload.get("user") or 0
        ).first()
        if subscription is None:
            return ""  # the device unsubscribed since: nothing to send
        data = json.dumps(
            {"title": message.subject, "body": message.reveal(message.body_text), "url": payload.get("url") or "/"}
        )
        try:
            response = webpush(
                {"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}},
                data=data,
                vapid_private_key=vapid_load(),
                vapid_claims={"sub": settings.VAPID_SUBJECT},
                ttl=PUSH_TTL_SECONDS,
                timeout=15,
            )
        except WebPushException as exc:
            status = getattr(exc.response, "status_code", None)
            if status in GONE_STATUSES:
                subscription.delete()
                return ""
            raise
        return str(response.headers.get("Location", "")) if hasattr(response, "headers") else ""
