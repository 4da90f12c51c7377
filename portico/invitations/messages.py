"""Invitation messages: the organization's texts (Settings → Client portal) rendered for one
client, or for many at once in bulk sends, with the one-time link kept as a secret placeholder."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape

from portico.invitations.models import InvitationChannel
from portico.outbox.models import Channel, secret_marker
from portico.portal.models import PortalSettings

SAMPLE_LINK = "https://…/invite/…"  # stands for the link in previews


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass
class RenderedInvitation:
    subject: str
    body_text: str
    body_html: str


def invitation_render(
    *, portal: PortalSettings, client_name: str, channel: str, expires_at: dt.datetime, link: str
) -> RenderedInvitation:
    """The message as the client will see it, in the organization's language. ``link`` is the
    real link when sending (as a secret placeholder) or a sample for the preview."""
    org = portal.org
    with translation.override(org.language):
        values = _Blank(
            client_name=client_name,
            org_name=org.name,
            portal_name=portal.portal_name,
            link=link,
            expires=formats.date_format(timezone.localtime(expires_at), "DATE_FORMAT"),
        )
        if channel == InvitationChannel.SMS:
            return RenderedInvitation("", portal.invitation_sms_body.format_map(values), "")
        body = portal.invitation_email_body.format_map(values)
        html = render_to_string(
            "invitations/email/invitation.html",
            {
                "portal": portal,
                "org": org,
                "paragraphs": [p for p in body.replace(link, "").split("\n\n") if p.strip()],
                "link": link,
                "logo_url": settings.SITE_URL + reverse("portal_logo", args=[org.slug]) if portal.logo else "",
            },
        )
        return RenderedInvitation(portal.invitation_email_subject.format_map(values), body + "\n", html)


_NAME = "\ue000client_name\ue001"  # a stand-in no organization text or name contains


def invitation_render_many(
    *, portal: PortalSettings, client_names: list[str], channel: str, expires_at: dt.datetime, link: str
) -> list[RenderedInvitation]:
    """``invitation_render`` for many clients at once (bulk sends), with the same result: the
    message is rendered once with a stand-in name, which is then replaced by each client's name
    (HTML-escaped in the HTML part, as the template would). A name with a line break (it would
    change the paragraphs) or the link placeholder is rendered on its own."""
    shared = invitation_render(portal=portal, client_name=_NAME, channel=channel, expires_at=expires_at, link=link)
    rendered = []
    for name in client_names:
        if "\n" in name or "\r" in name or link in name or _NAME in name:
            rendered.append(
                invitation_render(portal=portal, client_name=name, channel=channel, expires_at=expires_at, link=link)
            )
            continue
        rendered.append(
            RenderedInvitation(
                shared.subject.replace(_NAME, name),
                shared.body_text.replace(_NAME, name),
                shared.body_html.replace(_NAME, escape(name)),
            )
        )
    return rendered


def invitation_link_url(raw: str) -> str:
    # reverse() once per process, not per link (bulk sends make thousands); the token is URL-safe.
    prefix, suffix = _link_pattern(settings.SITE_URL, get_script_prefix())
    return prefix + raw + suffix


@functools.lru_cache(maxsize=8)
def _link_pattern(site_url: str, script_prefix: str) -> tuple[str, str]:
    prefix, suffix = reverse("invitation_open", args=["TOKEN"]).split("TOKEN")
    return site_url + prefix, suffix


def invitation_message_key(invitation_id: int, sent_count: int) -> str:
    """The outbox idempotency key of an invitation's ``sent_count``-th send: one message per send."""
    return f"invitation:{invitation_id}:{sent_count}"


def invitation_message_key_sql(invitation_id: Any, sent_count: Any) -> Concat:
    """``invitation_message_key`` as an SQL expression over an invitation's columns (e.g.
    ``OuterRef("pk")``, ``OuterRef("sent_count")``): bulk sends find their messages by it."""
    return Concat(
        Value("invitation:"),
        Cast(invitation_id, CharField()),
        Value(":"),
        Cast(sent_count, CharField()),
        output_field=CharField(),
    )


def invitation_message_fields(
    *,
    portal: PortalSettings,
    invitation_id: int,
    sent_count: int,
    channel: str,
    address: str,
    client_name: str,
    expires_at: dt.datetime,
    raw: str,
    rendered: RenderedInvitation | None = None,
) -> dict[str, Any]:
    """The outbox message of one send (``outbox_enqueue`` / ``outbox_message_new`` arguments):
    the rendered texts with the link as a secret, the sender, and the invitation it belongs to.
    ``rendered``: the texts, when the caller rendered them already (``invitation_render_many``
    with the link placeholder)."""
    if rendered is None:
        rendered = invitation_render(
            portal=portal, client_name=client_name, channel=channel, expires_at=expires_at, link=secret_marker("link")
        )
    if channel == InvitationChannel.EMAIL:
        payload: dict[str, Any] = {"from_name": portal.sender_name, "reply_to": portal.reply_to}
    else:
        payload = {"from": portal.sms_sender}
    return {
        "org": portal.org,
        "channel": Channel.EMAIL if channel == InvitationChannel.EMAIL else Channel.SMS,
        "to": address,
        "idempotency_key": invitation_message_key(invitation_id, sent_count),
        "subject": rendered.subject,
        "body_text": rendered.body_text,
        "body_html": rendered.body_html,
        "payload": {**payload, "invitation": invitation_id},
        "secrets": {"link": invitation_link_url(raw)},  # the raw token travels in the message only
    }
