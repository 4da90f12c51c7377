"""Writes to the outbox: messages in, staff retries, provider reports, the sweep. (The worker's
side, claiming and sending, is delivery.py.)"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any, TypedDict, Unpack

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.exceptions import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from portico.audit.decorators import action
from portico.core.actors import Actor
from portico.core.sql import copy_rows
from portico.outbox.delivery import enqueue_delivery, enqueue_delivery_many, outbox_label
from portico.outbox.models import (
    ATTACHMENTS_KEY,
    MESSAGE_DELIVERY_MACHINE,
    OUTBOX_MACHINE,
    SECRETS_KEY,
    Channel,
    DeliveryEvent,
    OutboxMessage,
    OutboxState,
    secret_marker,
)
from portico.outbox.signals import message_delivery


class MessageContent(TypedDict, total=False):
    """A message's content beyond where it goes (see ``outbox_message_new``)."""

    subject: str
    body_text: str
    body_html: str
    payload: dict[str, Any] | None
    secrets: dict[str, str] | None
    attachments: list[dict[str, str]] | None


@action(
    tx="caller",
    audited=False,
    why="a message is part of the audited change that writes it; its delivery has its own history",
)
def outbox_enqueue(
    *, org: Any, channel: str, to: str, idempotency_key: str, **content: Unpack[MessageContent]
) -> OutboxMessage:
    """Record a message to send. Call inside the transaction of the change that causes it:
    a rollback drops the message, a commit hands it to the worker. The same key twice
    gives back the first message and sends nothing more.

    ``secrets`` (e.g. a one-time link) never enter the stored body: the body holds a
    ``secret_marker(name)`` placeholder, the transport puts the value in at send time, and the
    value is erased once the message is sent."""
    draft = outbox_message_new(org=org, channel=channel, to=to, idempotency_key=idempotency_key, **content)
    fields = ("org", "channel", "to", "subject", "body_text", "body_html", "payload", "max_attempts")
    message, created = OutboxMessage.objects.get_or_create(
        idempotency_key=idempotency_key, defaults={name: getattr(draft, name) for name in fields}
    )
    if created:
        transaction.on_commit(partial(enqueue_delivery, message.pk))
    return message


def outbox_message_new(
    *,
    org: Any,
    channel: str,
    to: str,
    idempotency_key: str,
    subject: str = "",
    body_text: str = "",
    body_html: str = "",
    payload: dict[str, Any] | None = None,
    secrets: dict[str, str] | None = None,
    attachments: list[dict[str, str]] | None = None,
) -> OutboxMessage:
    """An unsaved message, exactly as ``outbox_enqueue`` would store it: for ``outbox_enqueue_many``.
    ``attachments`` (email only): ``[{"filename", "mimetype", "content"}]`` with text content, or
    with ``"encoding": "base64"`` and the base64 of a binary file (a signed agreement's PDF)."""
    if secrets:
        payload = {**(payload or {}), SECRETS_KEY: secrets}
    if attachments:
        payload = {
            **(payload or {}),
            ATTACHMENTS_KEY: [
                {k: str(a[k]) for k in ("filename", "mimetype", "content", "encoding") if k in a} for a in attachments
            ],
        }
    return OutboxMessage(
        org=org,
        channel=channel,
        to=to,
        idempotency_key=idempotency_key,
        subject=subject[:300],
        body_text=body_text,
        body_html=body_html,
        payload=payload or {},
        max_attempts=settings.OUTBOX_MAX_ATTEMPTS,
    )


@action(tx="caller", audited=False, why="messages are part of the audited bulk change that writes them")
def outbox_enqueue_many(*, messages: list[OutboxMessage]) -> dict[str, int]:
    """Record many messages (made by ``outbox_message_new``) with one INSERT, inside the
    transaction of the change that causes them; after commit they go to the worker in batches
    of OUTBOX_BATCH_SIZE (one task each, one mail connection each). A key already in the outbox
    keeps its first message, as with ``outbox_enqueue``. Returns each key's message id."""
    if not messages:
        return {}
    # PostgreSQL: one COPY (an INSERT spends most of its time escaping the bodies in Python); a key
    # already in the outbox makes it fail, and INSERT … ON CONFLICT DO NOTHING does the work.
    if not copy_rows(OutboxMessage, messages):
        OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True, batch_size=1000)
    keys = [m.idempotency_key for m in messages]
    ids = dict(OutboxMessage.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", "pk"))
    # A message that existed already is claimed only while it is due: handing it over again is harmless.
    transaction.on_commit(partial(enqueue_delivery_many, sorted(ids.values())))
    return ids


@action(
    tx="caller",
    audited=False,
    why="a message is part of the audited change that writes it; its delivery has its own history",
)
def outbox_enqueue_email(
    *,
    org: Any,
    to: str,
    template: str,
    context: dict[str, Any],
    idempotency_key: str,
    language: str,
    secrets: dict[str, str] | None = None,
    attachments: list[dict[str, str]] | None = None,
) -> OutboxMessage:
    """Render ``{template}_subject.txt``, ``_message.txt`` and (optional) ``_message.html``
    in the recipient's language and put the email in the outbox. Each ``secrets`` entry is
    available to the templates by name but stored only as a placeholder."""
    context = {**context, **{name: secret_marker(name) for name in (secrets or {})}}
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body_text = render_to_string(f"{template}_message.txt", context).strip() + "\n"
        try:
            body_html = str(render_to_string(f"{template}_message.html", context))
        except TemplateDoesNotExist:
            body_html = ""
    return outbox_enqueue(
        org=org,
        channel=Channel.EMAIL,
        to=to,
        idempotency_key=idempotency_key,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        secrets=secrets,
        attachments=attachments,
    )


@action(audited=False, why="the DeliveryEvent row is the record of the report")
def outbox_delivery_event_apply(
    *, message: OutboxMessage, provider: str, event_id: str, kind: str, at: dt.datetime, detail: str = ""
) -> bool:
    """A verified provider report (webhook) about ``message``: record it and send
    ``message_delivery``, once per ``event_id``. The provider's retries and replays of the same
    event find it recorded and change nothing (False)."""
    try:
        with transaction.atomic():  # a savepoint: the duplicate's IntegrityError leaves the outer transaction usable
            DeliveryEvent.objects.create(
                message=message, provider=provider, event_id=event_id[:255], kind=kind, at=at, detail=detail[:300]
            )
    except IntegrityError:
        return False
    # A report older than the state it found (webhooks arrive in any order) moves nothing.
    MESSAGE_DELIVERY_MACHINE.apply_many(OutboxMessage.objects.filter(pk=message.pk), kind)
    message_delivery.send(sender=OutboxMessage, message=message, kind=kind, at=at, detail=detail[:300])
    return True


@action
def outbox_retry(*, message: OutboxMessage, actor: Actor) -> OutboxMessage:
    """Staff retry of a failed message: a fresh set of attempts, starting now."""
    OUTBOX_MACHINE.apply(
        message,
        "retry",
        actor=actor,
        updates={"next_attempt_at": timezone.now(), "max_attempts": F("attempts") + settings.OUTBOX_MAX_ATTEMPTS},
        target_label=outbox_label(message),
    )
    transaction.on_commit(partial(enqueue_delivery, message.pk))
    message.refresh_from_db()
    return message


@action(tx="own", audited=False, why="it only hands due messages to the worker again")
def outbox_sweep(*, limit: int = 1000) -> int:
    """Hand every due message to the worker: retries whose task was lost and messages whose
    worker died mid-send. Run by `manage.py sweep` (cron) and at `make run` start."""
    now = timezone.now()
    due = list(
        OutboxMessage.objects.filter(
            Q(state=OutboxState.PENDING, next_attempt_at__lte=now) | Q(state=OutboxState.SENDING, claimed_until__lt=now)
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    if due:
        enqueue_delivery_many(due)  # in batches: a backlog after an outage is not one task per message
    return len(due)
