"""System checks for configuration that would be dangerous or inconsistent in production."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register


@register(deploy=True)
def check_mail_backend(app_configs: Any, **kwargs: Any) -> list[Warning]:
    backend = settings.EMAIL_BACKEND
    if backend.endswith(("console.EmailBackend", "locmem.EmailBackend", "mailbox.MailboxBackend")):
        return [
            Warning(
                "Mail is not delivered to anyone with this EMAIL_URL.",
                hint="Set EMAIL_URL to smtp://… or an anymail backend for production.",
                id="portico.W001",
            )
        ]
    return []


@register()
def check_site_url(app_configs: Any, **kwargs: Any) -> list[Error]:
    if not settings.SITE_URL.startswith(("http://", "https://")):
        return [
            Error(
                f"SITE_URL={settings.SITE_URL!r} is not an absolute http(s) address.",
                hint="Links in invitations are built from it, e.g. https://portico.example.org",
                id="portico.E001",
            )
        ]
    return []


@register(deploy=True)
def check_site_url_https(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if not settings.DEBUG and settings.SITE_URL.startswith("http://"):
        return [
            Warning(
                "SITE_URL uses http:// while DEBUG is off: one-time links would travel unencrypted.",
                hint="Set SITE_URL=https://your.host",
                id="portico.W002",
            )
        ]
    return []


@register()
def check_sms_backend(app_configs: Any, **kwargs: Any) -> list[Error]:
    backend = settings.SMS_BACKEND
    if backend not in ("console", "twilio"):
        return [Error(f"SMS_BACKEND={backend!r} is not known.", hint="Use console or twilio.", id="portico.E002")]
    if backend == "twilio" and not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN):
        return [
            Error(
                "SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.",
                hint="Both are on the Twilio console's account page; the token also verifies status callbacks.",
                id="portico.E003",
            )
        ]
    return []


@register(deploy=True)
def check_sms_delivery(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if settings.SMS_BACKEND == "console":
        return [
            Warning(
                "SMS is not delivered to anyone with SMS_BACKEND=console.",
                hint="Set SMS_BACKEND=twilio and the TWILIO_* settings for production.",
                id="portico.W003",
            )
        ]
    if settings.SMS_BACKEND == "twilio" and not settings.TWILIO_FROM:
        return [
            Warning(
                "TWILIO_FROM is empty: organizations without an SMS sender of their own cannot send SMS.",
                hint="Set TWILIO_FROM to a Twilio number in international format (+15005550006).",
                id="portico.W004",
            )
        ]
    return []


@register(deploy=True)
def check_secrets_keys(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    keys = list(settings.SECRETS_KEYS or [])
    if not keys:
        return [
            Warning(
                "SECRETS_KEYS is not set: stored credentials (Stripe keys) are encrypted with a key derived "
                "from SECRET_KEY, so a copy of the database and the settings reveals them.",
                hint="Set SECRETS_KEYS to a Fernet key: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'",
                id="portico.W005",
            )
        ]
    errors: list[CheckMessage] = []
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            errors.append(
                Error(
                    f"SECRETS_KEYS entry {position} is not a Fernet key (32 url-safe base64-encoded bytes).",
                    hint="Generate one with Fernet.generate_key(); stored credentials cannot be read without it.",
                    id="portico.E004",
                )
            )
    return errors
