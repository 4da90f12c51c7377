from __future__ import annotations

from typing import Any

from django.conf import settings
from django.shortcuts import get_object_or_404

from portico.core.keyset import Page, keyset_page
from portico.outbox.models import Channel, MailboxEntry, OutboxMessage

PAGE_SIZE = 50


def outbox_page(*, org: Any, state: str = "", cursor: str = "", page_size: int = PAGE_SIZE) -> Page[OutboxMessage]:
    """One page of the organization's sent messages, newest first (keyset on id), without their texts."""
    qs = OutboxMessage.objects.filter(org=org).defer("body_text", "body_html", "payload")
    if state:
        qs = qs.filter(state=state)
    return keyset_page(qs, order=("-id",), cursor=cursor, page_size=page_size)


def dev_mailbox_copy(*, message: OutboxMessage) -> MailboxEntry | None:
    """The copy the development mailbox received, when this installation delivers there
    (`make run`: MailboxBackend for email, SMS_BACKEND=console for SMS); None with a real
    provider, where Portico keeps no readable secret."""
    if message.channel == Channel.SMS:
        local = settings.SMS_BACKEND == "console"
    else:
        local = settings.EMAIL_BACKEND == "portico.outbox.mailbox.MailboxBackend"
    if not local or not message.provider_message_id:
        return None
    return MailboxEntry.objects.filter(message_id=message.provider_message_id).first()


def outbox_get(*, org: Any, message_id: int) -> OutboxMessage:
    return get_object_or_404(
        OutboxMessage.objects.prefetch_related("attempt_rows", "delivery_events"), org=org, pk=message_id
    )
