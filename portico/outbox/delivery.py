"""Delivery: the worker's side of the outbox. A message is claimed with a lease (a conditional
UPDATE through OUTBOX_MACHINE), sent with its idempotency key, then marked sent; a failure waits
with exponential backoff, and after the last attempt the message is failed (audited). The django-
tasks that run it live here too, beside the code that enqueues them again (watchdog, retries)."""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Cast
from django.utils import timezone
from django_tasks import task

from portico.audit.decorators import action
from portico.audit.transitions import Stale
from portico.core.actors import Actor
from portico.outbox.models import OUTBOX_MACHINE, SECRETS_KEY, OutboxAttempt, OutboxMessage, OutboxState
from portico.outbox.signals import message_delivery
from portico.outbox.transports import EmailTransport, transport_for

logger = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 6 * 60 * 60
MARK_EVERY = 50  # a batch marks what it has sent every this many messages


@task(queue_name="outbox")
def deliver_outbox_message(message_id: int) -> str:
    return outbox_deliver(message_id=message_id)


@task(queue_name="outbox")
def deliver_outbox_batch(message_ids: list[int]) -> dict[str, int]:
    return outbox_deliver_batch(message_ids=message_ids)


def enqueue_delivery(message_id: int, run_after: dt.datetime | None = None) -> None:
    task = deliver_outbox_message if run_after is None else deliver_outbox_message.using(run_after=run_after)
    task.enqueue(message_id)


def enqueue_delivery_many(message_ids: list[int], run_after: dt.datetime | None = None) -> None:
    """One task per OUTBOX_BATCH_SIZE messages (one message: the single-message task)."""
    if len(message_ids) == 1:
        enqueue_delivery(message_ids[0], run_after)
        return
    task = deliver_outbox_batch if run_after is None else deliver_outbox_batch.using(run_after=run_after)
    size = settings.OUTBOX_BATCH_SIZE
    for i in range(0, len(message_ids), size):
        task.enqueue(message_ids[i : i + size])


def outbox_backoff(attempt: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempt - 1, 0), MAX_BACKOFF_SECONDS))


DELIVERY_HISTORY = "each attempt is an OutboxAttempt row and each provider report a DeliveryEvent row"


@action(tx="own", audited=False, why=DELIVERY_HISTORY)
def outbox_deliver(*, message_id: int) -> str:
    """Claim, send and mark one message. Safe to call any number of times, from any
    number of workers: only the claim winner sends, and only while the message is due."""
    done = outbox_deliver_batch(message_ids=[message_id])
    return "sent" if done["sent"] else "error" if done["error"] else "skipped"


@action(tx="own", audited=False, why=DELIVERY_HISTORY)
def outbox_deliver_batch(*, message_ids: list[int]) -> dict[str, int]:
    """Claim, send and mark a batch of messages: the path every delivery takes (one message is a
    batch of one). One conditional UPDATE claims whichever of them are due; email goes through
    one mail connection for the whole batch; each message is marked like ``outbox_deliver``
    would (sent, or retried / given up on its own, so one failure never re-sends the others)."""
    claimed = _outbox_claim(message_ids)
    done = {"sent": 0, "error": 0, "skipped": len(set(message_ids)) - len(claimed)}
    sent: list[tuple[OutboxMessage, OutboxAttempt, str]] = []
    mail_connection: Any = None
    try:
        for message, attempt in claimed:
            try:
                transport = transport_for(message.channel)
                if isinstance(transport, EmailTransport):
                    if mail_connection is None:
                        mail_connection = get_connection()
                        mail_connection.open()
                    provider_id = transport.send(message, connection=mail_connection)
                else:
                    provider_id = transport.send(message)
            except Exception as exc:  # any failure of the provider is retried; the error is recorded
                logger.warning("outbox message %s attempt %s failed: %s", message.pk, message.attempts, exc)
                outbox_record_failure(message=message, attempt=attempt, error=f"{type(exc).__name__}: {exc}")
                done["error"] += 1
                if mail_connection is not None:  # it may be broken: the next email opens a fresh one
                    mail_connection.close()
                    mail_connection = None
                continue
            sent.append((message, attempt, provider_id))
            done["sent"] += 1
            if len(sent) >= MARK_EVERY:  # keep what a crash would re-send small
                _outbox_mark_sent(sent)
                sent = []
    finally:
        if mail_connection is not None:
            mail_connection.close()
    _outbox_mark_sent(sent)
    return done


def _outbox_claim(message_ids: list[int]) -> list[tuple[OutboxMessage, OutboxAttempt]]:
    """One conditional UPDATE takes the due messages among ``message_ids`` (a lease); the claim
    is then read back by its lease, with one attempt row per message."""
    now = timezone.now()
    lease_until = now + dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    with transaction.atomic():
        due = OutboxMessage.objects.filter(pk__in=message_ids).filter(
            Q(state=OutboxState.PENDING, next_attempt_at__lte=now)
            | Q(state=OutboxState.SENDING, claimed_until__lt=now)  # the last worker died mid-send
        )
        claimed = OUTBOX_MACHINE.apply_many(
            due, "claim", updates={"claimed_until": lease_until, "attempts": F("attempts") + 1}
        )
        if not claimed:
            return []
        messages = list(
            OutboxMessage.objects.filter(pk__in=message_ids, state=OutboxState.SENDING, claimed_until=lease_until)
        )
        attempts = OutboxAttempt.objects.bulk_create(
            [OutboxAttempt(message=m, number=m.attempts, started_at=now) for m in messages]
        )
        # Watchdog: should this process die before marking, the messages are due again after the lease.
        transaction.on_commit(
            partial(enqueue_delivery_many, [m.pk for m in messages], lease_until + dt.timedelta(seconds=1))
        )
    return list(zip(messages, attempts, strict=True))


def _outbox_mark_sent(sent: list[tuple[OutboxMessage, OutboxAttempt, str]]) -> None:
    """Mark handed-over messages sent: one UPDATE for the messages (still ours: sending, same
    attempt), one for their attempts, then ``message_delivery`` "sent" for each."""
    if not sent:
        return
    now = timezone.now()
    by_attempt: dict[int, list[int]] = {}
    for message, _attempt, _provider_id in sent:
        by_attempt.setdefault(message.attempts, []).append(message.pk)
    ours = Q()
    for number, pks in by_attempt.items():
        ours |= Q(pk__in=pks, attempts=number)
    provider_ids = Case(
        *[When(pk=m.pk, then=Value(provider_id[:200])) for m, _a, provider_id in sent],
        output_field=OutboxMessage._meta.get_field("provider_message_id"),
    )
    # Delivered: the one-time values are no longer needed anywhere in Portico.
    payload_field = OutboxMessage._meta.get_field("payload")
    payloads = Case(
        *[
            When(pk=m.pk, then=Value({k: v for k, v in m.payload.items() if k != SECRETS_KEY}, payload_field))
            for m, _a, _p in sent
        ],
        output_field=payload_field,
    )
    with transaction.atomic():
        # Only the rows still ours (a worker whose lease ran out lost them) are marked and reported.
        won = set(OutboxMessage.objects.filter(ours, state=OutboxState.SENDING).values_list("pk", flat=True))
        OUTBOX_MACHINE.apply_many(
            OutboxMessage.objects.filter(ours),
            "mark_sent",
            updates={
                "sent_at": now,
                "claimed_until": None,
                "provider_message_id": _cast(provider_ids),
                "last_error": "",
                "payload": _cast(payloads),
            },
        )
        OutboxAttempt.objects.filter(pk__in=[a.pk for _m, a, _p in sent]).update(
            outcome=OutboxAttempt.Outcome.SENT, finished_at=now
        )
        for message, _attempt, _provider_id in sent:
            if message.pk in won:
                message_delivery.send(sender=OutboxMessage, message=message, kind="sent", at=now, detail="")


def _cast(case: Case) -> Any:
    """PostgreSQL needs the CASE of an UPDATE cast to the column's type (as bulk_update does)."""
    if connection.features.requires_casted_case_in_updates:
        return Cast(case, output_field=case.output_field)
    return case


@action(audited=False, why="a retry is recorded on its attempt row; giving up is audited (MESSAGE_FAILED)")
def outbox_record_failure(*, message: OutboxMessage, attempt: OutboxAttempt, error: str) -> None:
    now = timezone.now()
    give_up = message.attempts >= message.max_attempts
    next_at = now + outbox_backoff(message.attempts)
    OutboxAttempt.objects.filter(pk=attempt.pk).update(
        outcome=OutboxAttempt.Outcome.ERROR, finished_at=now, error=error[:2000]
    )
    try:
        OUTBOX_MACHINE.apply(
            message,
            "give_up" if give_up else "retry_later",
            actor=Actor.system(),
            where=Q(attempts=message.attempts),  # still our attempt: a later claim owns it otherwise
            updates={"claimed_until": None, "last_error": error[:2000], "next_attempt_at": next_at},
            target_label=outbox_label(message),
            detail={"attempts": message.attempts, "error": error[:300]},
        )
    except Stale:
        return
    if give_up:
        message_delivery.send(sender=OutboxMessage, message=message, kind="failed", at=now, detail=error[:300])
    else:
        transaction.on_commit(partial(enqueue_delivery, message.pk, next_at))


def outbox_label(message: OutboxMessage) -> str:
    return f"{message.get_channel_display()} → {message.to}"
