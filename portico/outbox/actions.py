"""Writes to the outbox. The only place an outgoing message changes state."""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.exceptions import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from portico.audit.actions import audit_record
from portico.audit.models import AuditAction
from portico.core.actors import Actor
from portico.outbox.models import (
    DELIVERY_RANK,
    OUTBOX_MACHINE,
    SECRETS_KEY,
    Channel,
    DeliveryEvent,
    OutboxAttempt,
    OutboxMessage,
    OutboxState,
    secret_marker,
)
from portico.outbox.signals import message_delivery
from portico.outbox.transports import transport_for

logger = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 6 * 60 * 60


def _enqueue_delivery(message_id: int, run_after: dt.datetime | None = None) -> None:
    from portico.outbox.tasks import deliver_outbox_message

    task = deliver_outbox_message if run_after is None else deliver_outbox_message.using(run_after=run_after)
    task.enqueue(message_id)


def outbox_enqueue(
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
) -> OutboxMessage:
    """Record a message to send. Call inside the transaction of the change that causes it:
    a rollback drops the message, a commit hands it to the worker. The same key twice
    gives back the first message and sends nothing more.

    ``secrets`` (e.g. a one-time link) never enter the stored body: the body holds a
    ``secret_marker(name)`` placeholder, the transport puts the value in at send time, and the
    value is erased once the message is sent."""
    if secrets:
        payload = {**(payload or {}), SECRETS_KEY: secrets}
    message, created = OutboxMessage.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "org": org,
            "channel": channel,
            "to": to,
            "subject": subject[:300],
            "body_text": body_text,
            "body_html": body_html,
            "payload": payload or {},
            "max_attempts": settings.OUTBOX_MAX_ATTEMPTS,
        },
    )
    if created:
        transaction.on_commit(partial(_enqueue_delivery, message.pk))
    return message


def outbox_enqueue_email(
    *,
    org: Any,
    to: str,
    template: str,
    context: dict[str, Any],
    idempotency_key: str,
    language: str,
    secrets: dict[str, str] | None = None,
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
    )


def outbox_backoff(attempt: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempt - 1, 0), MAX_BACKOFF_SECONDS))


def outbox_deliver(*, message_id: int) -> str:
    """Claim, send and mark one message. Safe to call any number of times, from any
    number of workers: only the claim winner sends, and only while the message is due."""
    now = timezone.now()
    lease_until = now + dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    with transaction.atomic():
        claimed = (
            OutboxMessage.objects.filter(pk=message_id)
            .filter(
                Q(state=OutboxState.PENDING, next_attempt_at__lte=now)
                | Q(state=OutboxState.SENDING, claimed_until__lt=now)  # the last worker died mid-send
            )
            .update(state=OutboxState.SENDING, claimed_until=lease_until, attempts=F("attempts") + 1)
        )
        if not claimed:
            return "skipped"
        message = OutboxMessage.objects.get(pk=message_id)
        attempt = OutboxAttempt.objects.create(message=message, number=message.attempts, started_at=now)
        # Watchdog: should this process die before marking, the message is due again after the lease.
        transaction.on_commit(partial(_enqueue_delivery, message_id, lease_until + dt.timedelta(seconds=1)))

    try:
        provider_id = transport_for(message.channel).send(message)
    except Exception as exc:  # any failure of the provider is retried; the error is recorded
        logger.warning("outbox message %s attempt %s failed: %s", message_id, message.attempts, exc)
        outbox_record_failure(message=message, attempt=attempt, error=f"{type(exc).__name__}: {exc}")
        return "error"
    _outbox_mark_sent(message=message, attempt=attempt, provider_id=provider_id)
    return "sent"


def _outbox_mark_sent(*, message: OutboxMessage, attempt: OutboxAttempt, provider_id: str) -> None:
    OUTBOX_MACHINE.target(OutboxState.SENDING, "mark_sent")
    now = timezone.now()
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=message.pk, state=OutboxState.SENDING, attempts=message.attempts).update(
            state=OutboxState.SENT,
            sent_at=now,
            claimed_until=None,
            provider_message_id=provider_id[:200],
            last_error="",
            # Delivered: the one-time values are no longer needed anywhere in Portico.
            payload={k: v for k, v in message.payload.items() if k != SECRETS_KEY},
        )
        OutboxAttempt.objects.filter(pk=attempt.pk).update(outcome=OutboxAttempt.Outcome.SENT, finished_at=now)
        message_delivery.send(sender=OutboxMessage, message=message, kind="sent", at=now, detail="")


def outbox_record_failure(*, message: OutboxMessage, attempt: OutboxAttempt, error: str) -> None:
    now = timezone.now()
    give_up = message.attempts >= message.max_attempts
    new_state = OUTBOX_MACHINE.target(OutboxState.SENDING, "give_up" if give_up else "retry_later")
    next_at = now + outbox_backoff(message.attempts)
    with transaction.atomic():
        changed = OutboxMessage.objects.filter(
            pk=message.pk, state=OutboxState.SENDING, attempts=message.attempts
        ).update(state=new_state, claimed_until=None, last_error=error[:2000], next_attempt_at=next_at)
        OutboxAttempt.objects.filter(pk=attempt.pk).update(
            outcome=OutboxAttempt.Outcome.ERROR, finished_at=now, error=error[:2000]
        )
        if not changed:
            return
        if give_up:
            message_delivery.send(sender=OutboxMessage, message=message, kind="failed", at=now, detail=error[:300])
            audit_record(
                org=message.org,
                actor=Actor.system(),
                action=AuditAction.MESSAGE_FAILED,
                target=message,
                target_label=f"{message.get_channel_display()} → {message.to}",
                from_state=OutboxState.SENDING,
                to_state=OutboxState.FAILED,
                detail={"attempts": message.attempts, "error": error[:300]},
            )
        else:
            transaction.on_commit(partial(_enqueue_delivery, message.pk, next_at))


@transaction.atomic
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
    lower = [status for status, rank in DELIVERY_RANK.items() if rank < DELIVERY_RANK[kind]]
    OutboxMessage.objects.filter(pk=message.pk, delivery_status__in=lower).update(delivery_status=kind)
    message_delivery.send(sender=OutboxMessage, message=message, kind=kind, at=at, detail=detail[:300])
    return True


@transaction.atomic
def outbox_retry(*, message: OutboxMessage, actor: Actor) -> OutboxMessage:
    """Staff retry of a failed message: a fresh set of attempts, starting now."""
    new_state = OUTBOX_MACHINE.target(message.state, "retry")
    changed = OutboxMessage.objects.filter(pk=message.pk, state=OutboxState.FAILED).update(
        state=new_state,
        next_attempt_at=timezone.now(),
        max_attempts=F("attempts") + settings.OUTBOX_MAX_ATTEMPTS,
    )
    if changed:
        audit_record(
            org=message.org,
            actor=actor,
            action=AuditAction.MESSAGE_RETRIED,
            target=message,
            target_label=f"{message.get_channel_display()} → {message.to}",
            from_state=OutboxState.FAILED,
            to_state=new_state,
        )
        transaction.on_commit(partial(_enqueue_delivery, message.pk))
    message.refresh_from_db()
    return message


def outbox_sweep(*, limit: int = 1000) -> int:
    """Hand every due message to the worker: retries whose task was lost and messages whose
    worker died mid-send. Run by `manage.py outbox_sweep` (cron) and at `make run` start."""
    now = timezone.now()
    due = list(
        OutboxMessage.objects.filter(
            Q(state=OutboxState.PENDING, next_attempt_at__lte=now) | Q(state=OutboxState.SENDING, claimed_until__lt=now)
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        _enqueue_delivery(pk)
    return len(due)
