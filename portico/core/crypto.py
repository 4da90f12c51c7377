"""Secrets at rest: credentials the organization types in (its Stripe keys, ...) are stored
encrypted (Fernet: AES-128-CBC + HMAC-SHA256) and never shown again in full.

The keys come from ``settings.SECRETS_KEYS`` (the first encrypts, all decrypt: add a new key in
front to rotate, re-save, then drop the old one). Without it, keys are derived from SECRET_KEY
and each of SECRET_KEY_FALLBACKS (the first encrypts), so a development set-up needs nothing and
rotating SECRET_KEY the way Django documents it (the old one moved to the fallbacks) keeps stored
credentials readable; production sets its own (a copy of the database alone then reveals no
credential: the deploy check warns otherwise)."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretUnreadable(Exception):
    """The stored value was encrypted with a key this installation no longer has."""


def derived_key(secret_key: str) -> str:
    """The Fernet key derived from a Django SECRET_KEY (when SECRETS_KEYS is not set)."""
    digest = hashlib.sha256(b"portico.core.crypto:" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def _fernet() -> MultiFernet:
    keys = list(getattr(settings, "SECRETS_KEYS", []) or [])
    if not keys:
        secret_keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
        keys = [derived_key(key) for key in secret_keys if key]
    return MultiFernet([Fernet(key) for key in keys])


def secret_seal(value: str) -> str:
    """``value`` encrypted for storage ("" stays "")."""
    if not value:
        return ""
    return _fernet().encrypt(value.encode()).decode()


def secret_open(token: str) -> str:
    """The stored ``token`` decrypted ("" stays "")."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("a stored secret cannot be decrypted with the configured SECRETS_KEYS") from exc


def secret_hint(value: str) -> str:
    """What the page shows of a secret once saved: its kind and last four ("sk_test_…4242")."""
    if not value:
        return ""
    # Stripe's prefixes ("sk_test_", "whsec_") say which key it is and are no secret.
    head = value[: value.rfind("_") + 1] if "_" in value[:-8] else ""
    return f"{head}…{value[-4:]}"
