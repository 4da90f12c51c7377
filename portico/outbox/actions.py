"""Writes to the outbox. The only place an outgoing message changes state."""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Cast
from django.template.exceptions import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from portico.audit.actions import audit_record
from portico.audit.models import AuditAction
from portico.core.actors import Actor
from portico.core.sql import copy_rows
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
from portico.outbox.transports import EmailTransport, transport_for

logger = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 6 * 60 * 60
MARK_EVERY = 50  # a batch marks what it has sent every this many messages


def _enqueue_delivery(message_id: int, run_after: dt.datetime | None = None) -> None:
    from portico.outbox.tasks import deliver_outbox_message

    task = deliver_outbox_message if run_after is None else deliver_outbox_message.using(run_after=run_after)
    task.enqueue(message_id)


def _enqueue_delivery_many(message_ids: list[int], run_after: dt.datetime | None = None) -> None:
    """One task per OUTBOX_BATCH_SIZE messages (one message: the single-message task)."""
    from portico.outbox.tasks import deliver_outbox_batch

    if len(message_ids) == 1:
        _enqueue_delivery(message_ids[0], run_after)
        return
    task = deliver_outbox_batch if run_after is None else deliver_outbox_batch.using(run_after=run_after)
    size = settings.OUTBOX_BATCH_SIZE
    for i in range(0, len(message_ids), size):
        task.enqueue(message_ids[i : i + size])


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
    draft = outbox_message_new(
        org=org,
        channel=channel,
        to=to,
        idempotency_key=idempotency_key,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        payload=payload,
        secrets=secrets,
    )
    fields = ("org", "channel", "to", "subject", "body_text", "body_html", "payload", "max_attempts")
    message, created = OutboxMessage.objects.get_or_create(
        idempotency_key=idempotency_key, defaults={name: getattr(draft, name) for name in fields}
    )
    if created:
        transaction.on_commit(partial(_enqueue_delivery, message.pk))
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
) -> OutboxMessage:
    """An unsaved message, exactly as ``outbox_enqueue`` would store it: for ``outbox_enqueue_many``."""
    if secrets:
        payload = {**(payload or {}), SECRETS_KEY: secrets}
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


def outbox_enqueue_many(messages: list[OutboxMessage]) -> dict[str, int]:
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
    transaction.on_commit(partial(_enqueue_delivery_many, sorted(ids.values())))
    return ids


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
    done = outbox_deliver_batch(message_ids=[message_id])
    return "sent" if done["sent"] else "error" if done["error"] else "skipped"


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
        claimed = (
            OutboxMessage.objects.filter(pk__in=message_ids)
            .filter(
                Q(state=OutboxState.PENDING, next_attempt_at__lte=now)
                | Q(state=OutboxState.SENDING, claimed_until__lt=now)  # the last worker died mid-send
            )
            .update(state=OutboxState.SENDING, claimed_until=lease_until, attempts=F("attempts") + 1)
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
            partial(_enqueue_delivery_many, [m.pk for m in messages], lease_until + dt.timedelta(seconds=1))
        )
    return list(zip(messages, attempts, strict=True))


def _outbox_mark_sent(sent: list[tuple[OutboxMessage, OutboxAttempt, str]]) -> None:
    """Mark handed-over messages sent: one UPDATE for the messages (still ours: sending, same
    attempt), one for their attempts, then ``message_delivery`` "sent" for each."""
    if not sent:
        return
    new_state = OUTBOX_MACHINE.target(OutboxState.SENDING, "mark_sent")
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
        OutboxMessage.objects.filter(ours, state=OutboxState.SENDING).update(
            state=new_state,
            sent_at=now,
            claimed_until=None,
            provider_message_id=_cast(provider_ids),
            last_error="",
            payload=_cast(payloads),
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
    if due:
        _enqueue_delivery_many(due)  # in batches: a backlog after an outage is not one task per message
    return len(due)
