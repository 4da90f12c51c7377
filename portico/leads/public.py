"""The defences of every public form a visitor posts without signing in (the contact form, the
referral landing page, the booking widget).

The pages are embedded in other websites, where browsers do not send our cookies to the frame, so
they cannot use Django's CSRF cookie. A signed form token rendered into the form stands in for it:
it names the organization and the moment the form was shown (an HMAC with SECRET_KEY, so it cannot
be forged), which also gives the minimum fill time. A post is a bot when the honeypot field is
filled, the token is missing, forged or for another organization, or the form came back faster
than a person types; a bot gets the normal "thank you" answer and nothing is created. Posts are
rate limited per IP address (every post) and per organization (a person's posts only), a fixed
window in the cache. ``public_form_handle`` is the one way a public view handles a post."""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest

from portico.clients.forms import form_add_refusal
from portico.core.actors import client_ip
from portico.core.errors import PorticoError
from portico.orgs.models import Organization

TOKEN_FIELD = "form_token"  # noqa: S105 (a form field name, not a secret)
HONEYPOT_FIELD = "website"  # hidden from people (off-screen, aria-hidden, tabindex -1); bots fill it
_SALT = "portico.leads.public-form"
MAX_AGE = 24 * 3600  # a form left open overnight still works

T = TypeVar("T")


class Verdict(enum.Enum):
    HUMAN = "human"
    BOT = "bot"  # answer as if it worked; create nothing
    LIMITED = "limited"  # too many posts: say so (429)


def form_token_new(org: Organization) -> str:
    return signing.dumps({"o": org.pk, "t": time.time()}, salt=_SALT, compress=True)


def rate_window(key: str, limit: int, seconds: int) -> bool:
    """Count one event under ``key`` in the current fixed window of ``seconds``; False once
    ``limit`` is passed. ``cache.add`` then ``cache.incr`` is atomic on locmem and Redis; the
    database cache's ``incr`` is a read then a write, so two posts at the same instant may count
    once there (a little leniency, never a lock-out; production uses Redis)."""
    bucket = f"{key}:{int(time.time() // seconds)}"
    cache.add(bucket, 0, seconds + 5)
    try:
        count = cache.incr(bucket)
    except ValueError:  # evicted between add and incr
        cache.set(bucket, 1, seconds + 5)
        count = 1
    return count <= limit


def _judge(org: Organization, data: Any) -> Verdict:
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


def submission_verdict(request: HttpRequest, org: Organization, data: Any) -> Verdict:
    """Judge one POST of a public form (``data``: request.POST). Every post counts toward its IP
    address's limit (a flood from one address is cut off whatever it sends); only a person's
    posts count toward the organization's, so bots on many addresses cannot lock real visitors out."""
    ip = client_ip(request) or "unknown"
    if not rate_window(f"public-form:ip:{ip}", settings.PORTICO_PUBLIC_FORM_RATE_PER_IP, 3600):
        return Verdict.LIMITED
    verdict = _judge(org, data)
    if verdict is Verdict.HUMAN and not rate_window(
        f"public-form:org:{org.pk}", settings.PORTICO_PUBLIC_FORM_RATE_PER_ORG, 3600
    ):
        return Verdict.LIMITED
    return verdict


# --- one way to handle a public form's post ---


def guard_context(request: HttpRequest, org: Organization) -> dict[str, str]:
    """What ``leads/public/_guard_fields.html`` renders: the form token and the honeypot. A form
    shown again (errors) keeps the token it was first shown with, so the minimum fill time is
    not restarted; a bad token only makes the next post a bot, which a person never sends."""
    posted = request.POST.get(TOKEN_FIELD, "") if request.method == "POST" else ""
    return {"token": posted or form_token_new(org), "token_field": TOKEN_FIELD, "honeypot_field": HONEYPOT_FIELD}


@dataclass
class PublicPost(Generic[T]):
    verdict: Verdict
    result: T | None = None  # what ``submit`` returned; None while the form shows errors
    refusal: PorticoError | None = None  # the action's refusal, already on the form

    @property
    def done(self) -> bool:
        return self.verdict is Verdict.HUMAN and self.result is not None


def public_form_handle(
    request: HttpRequest, org: Organization, form: forms.Form, submit: Callable[[dict[str, Any]], T]
) -> PublicPost[T]:
    """A public form's POST: the verdict (a bot or a flood gets no further), then for a person
    the form's validation and ``submit(cleaned_data)``; a ``PorticoError`` it raises is shown at
    the field it names (``form_add_refusal``). The view renders the answer for each outcome."""
    verdict = submission_verdict(request, org, request.POST)
    if verdict is not Verdict.HUMAN:
        return PublicPost(verdict=verdict)
    if not form.is_valid():
        return PublicPost(verdict=verdict)
    try:
        return PublicPost(verdict=verdict, result=submit(form.cleaned_data))
    except PorticoError as exc:
        form_add_refusal(form, exc)
        return PublicPost(verdict=verdict, refusal=exc)
