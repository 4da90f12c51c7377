"""The defences of every public form a visitor posts without signing in (the contact form, the
referral landing page, the booking widget).

The pages are embedded in other websites, where browsers do not send our cookies to the frame, so
they cannot use Django's CSRF cookie. A signed form token rendered into the form stands in for it:
it names the organization and the moment the form was shown (an HMAC with SECRET_KEY, so it cannot
be forged), which also gives the minimum fill time. A post is a bot when the honeypot field is
filled, the token is missing, forged or for another organization, or the form came back faster
than a person types; a bot gets the normal "thank you" answer and nothing is created. Posts are
rate limited per IP address and per organization (a fixed window in the cache)."""

from __future__ import annotations

import enum
import time
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest

from portico.core.actors import client_ip
from portico.orgs.models import Organization

TOKEN_FIELD = "form_token"  # noqa: S105 (a form field name, not a secret)
HONEYPOT_FIELD = "website"  # hidden from people (off-screen, aria-hidden, tabindex -1); bots fill it
_SALT = "portico.leads.public-form"
MAX_AGE = 24 * 3600  # a form left open overnight still works


class Verdict(enum.Enum):
    HUMAN = "human"
    BOT = "bot"  # answer as if it worked; create nothing
    LIMITED = "limited"  # too many posts: say so (429)


def form_token_new(org: Organization) -> str:
    return signing.dumps({"o": org.pk, "t": time.time()}, salt=_SALT, compress=True)


def _window(key: str, limit: int, seconds: int) -> bool:
    """Count one post in the current window; False once ``limit`` is passed."""
    bucket = f"{key}:{int(time.time() // seconds)}"
    cache.add(bucket, 0, seconds + 5)
    try:
        count = cache.incr(bucket)
    except ValueError:  # evicted between add and incr
        cache.set(bucket, 1, seconds + 5)
        count = 1
    return count <= limit


def submission_verdict(request: HttpRequest, org: Organization, data: Any) -> Verdict:
    """Judge one POST of a public form (``data``: request.POST)."""
    per_ip, per_org = settings.PORTICO_PUBLIC_FORM_RATE_PER_IP, settings.PORTICO_PUBLIC_FORM_RATE_PER_ORG
    ip = client_ip(request) or "unknown"
    # Bots are counted too: a flood from one address is cut off whatever it sends.
    if not _window(f"public-form:ip:{ip}", per_ip, 3600) or not _window(f"public-form:org:{org.pk}", per_org, 3600):
        return Verdict.LIMITED
    if (data.get(HONEYPOT_FIELD) or "").strip():
        return Verdict.BOT
    try:
        token = signing.loads(data.get(TOKEN_FIELD) or "", salt=_SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return Verdict.BOT
    if not isinstance(token, dict) or token.get("o") != org.pk:
        return Verdict.BOT
    if time.time() - float(token.get("t", 0)) < settings.PORTICO_PUBLIC_FORM_MIN_SECONDS:
        return Verdict.BOT
    return Verdict.HUMAN
