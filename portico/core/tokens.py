"""One-time link tokens: 256-bit secrets of which only a SHA-256 digest is stored."""

from __future__ import annotations

import hashlib
import secrets


def token_digest(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


def token_new() -> tuple[str, str]:
    """Return (raw token for the link, digest for the database)."""
    raw = secrets.token_urlsafe(32)  # 32 bytes = 256 bits
    return raw, token_digest(raw)
