"""The outbox: written with the change, delivered after commit, retried with backoff, never
sent twice for one idempotency key."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from portico.audit.models import AuditAction, AuditEvent
from portico.core.actors import Actor
from portico.outbox import delivery as outbox_delivery
from portico.outbox.actions import outbox_enqueue, outbox_retry, outbox_sweep
from portico.outbox.delivery import outbox_backoff, outbox_deliver
from portico.outbox.models import MailboxEntry, OutboxAttempt, OutboxMessage, OutboxState
from testing.world import run_tasks

pytestmark = pytest.mark.django_db(transaction=True)


def _enqueue(org=None, key="k-1", to="ana@example.test"):
    with transaction.atomic():
        return outbox_enqueue(
            org=org,
            channel="email",
            to=to,
            idempotency_key=key,
            subject="Hello",
            body_text="Body",
            body_html="<p>Body</p>",
        )


class FlakyBackend(BaseEmailBackend):
    """A mail backend that fails the first ``failures`` sends (a provider outage)."""

    failures = 0
    calls = 0

    def send_messages(self, messages):
        FlakyBackend.calls += 1
        if FlakyBackend.calls <= FlakyBackend.failures:
            raise ConnectionRefusedError("provider down")
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture
def flaky(settings):
    FlakyBackend.calls = 0
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    return FlakyBackend


def test_a_committed_message_is_delivered_by_the_worker(mailoutbox):
    message = _enqueue()
    assert DBTaskResult.objects.ready().count() == 1  # queued on commit
    assert run_tasks() == 1
    message.refresh_from_db()
    assert message.state == OutboxState.SENT and message.attempts == 1 and message.sent_at
    assert len(mailoutbox) == 1
    sent = mailoutbox[0]
    assert (sent.subject, sent.to, sent.alternatives[0][0]) == ("Hello", ["ana@example.test"], "<p>Body</p>")
    assert sent.extra_headers["X-Portico-Idempotency-Key"] == "k-1"
    assert message.provider_message_id == sent.extra_headers["Message-ID"]
    assert list(message.attempt_rows.values_list("outcome", flat=True)) == ["sent"]


def test_a_rolled_back_change_sends_nothing(mailoutbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_enqueue(org=None, channel="email", to="x@example.test", idempotency_key="k", subject="s")
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()
    assert run_tasks() == 0 and mailoutbox == []


def test_the_same_idempotency_key_twice_gives_one_message(mailoutbox):
    first = _enqueue(key="invite:7:1")
    second = _enqueue(key="invite:7:1")
    assert first.pk == second.pk
    run_tasks()
    assert len(mailoutbox) == 1


def test_a_delivered_message_is_never_sent_again(mailoutbox):
    message = _enqueue()
    run_tasks()
    assert outbox_deliver(message_id=message.pk) == "skipped"
    assert outbox_sweep() == 0
    assert len(mailoutbox) == 1


def test_failures_are_retried_with_backoff_then_delivered(flaky, mailoutbox):
    flaky.failures = 2
    message = _enqueue()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        run_tasks()
        message.refresh_from_db()
        assert (message.state, message.attempts) == (OutboxState.PENDING, 1)
        assert "ConnectionRefusedError: provider down" in message.last_error
        assert message.next_attempt_at == start + dt.timedelta(seconds=30)
        assert run_tasks() == 0  # the retry task waits for its time

        clock.shift(dt.timedelta(seconds=31))
        run_tasks()
        message.refresh_from_db()
        assert (message.attempts, message.next_attempt_at) == (2, start + dt.timedelta(seconds=31 + 60))

        clock.shift(dt.timedelta(seconds=61))
        run_tasks()
    message.refresh_from_db()
    assert (message.state, message.attempts) == (OutboxState.SENT, 3)
    assert list(message.attempt_rows.values_list("outcome", flat=True)) == ["error", "error", "sent"]
    assert len(mailoutbox) == 1


def test_backoff_doubles_and_is_capped():
    assert [outbox_backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert outbox_backoff(30) == dt.timedelta(hours=6)


@override_settings(OUTBOX_MAX_ATTEMPTS=2)
def test_after_the_last_attempt_it_fails_is_audited_and_staff_can_retry(flaky, org_a, mailoutbox):
    flaky.failures = 2
    message = _enqueue(org=org_a.org)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        run_tasks()
        clock.shift(dt.timedelta(minutes=5))
        run_tasks()
        message.refresh_from_db()
        assert (message.state, message.attempts) == (OutboxState.FAILED, 2)
        event = AuditEvent.objects.get(action=AuditAction.MESSAGE_FAILED)
        assert (event.org, event.actor_kind, event.to_state) == (org_a.org, "system", "failed")

        outbox_retry(message=message, actor=Actor(kind="staff", user=org_a.admin))
        run_tasks()
    message.refresh_from_db()
    assert (message.state, message.attempts) == (OutboxState.SENT, 3)
    assert AuditEvent.objects.filter(action=AuditAction.MESSAGE_RETRIED, actor_user=org_a.admin).exists()


def test_only_one_of_two_competing_workers_claims_a_message(mailoutbox):
    message = _enqueue()
    # Worker 1 is mid-send (lease held); worker 2 arrives with the same task.
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=OutboxState.SENDING, claimed_until=timezone.now() + dt.timedelta(minutes=2), attempts=1
    )
    assert outbox_deliver(message_id=message.pk) == "skipped"
    assert mailoutbox == []


class WorkerKilled(BaseException):
    """Stands for the worker process dying (SIGKILL) between sending and marking."""


@override_settings(EMAIL_BACKEND="portico.outbox.mailbox.MailboxBackend", OUTBOX_LEASE_SECONDS=60)
def test_a_worker_killed_between_send_and_mark_causes_no_duplicate(monkeypatch, capsys):
    message = _enqueue()

    def die(*args, **kwargs):
        raise WorkerKilled

    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        with monkeypatch.context() as patch:
            patch.setattr(outbox_delivery, "_outbox_mark_sent", die)
            task = DBTaskResult.objects.ready().get()
            with pytest.raises(WorkerKilled):
                outbox_deliver(message_id=message.pk)
            task.delete()  # the killed worker's task never finishes
        message.refresh_from_db()
        assert message.state == OutboxState.SENDING
        assert MailboxEntry.objects.count() == 1  # the provider got it

        assert run_tasks() == 0  # the watchdog waits for the lease to end
        clock.shift(dt.timedelta(seconds=62))
        assert run_tasks() >= 1
    message.refresh_from_db()
    assert (message.state, message.attempts) == (OutboxState.SENT, 2)
    assert list(message.attempt_rows.values_list("outcome", flat=True)) == [
        OutboxAttempt.Outcome.UNKNOWN,
        OutboxAttempt.Outcome.SENT,
    ]
    # Same idempotency key, same Message-ID: the provider kept one copy and dropped the repeat.
    entry = MailboxEntry.objects.get()
    assert (entry.to, entry.subject, entry.duplicates_dropped) == ("ana@example.test", "Hello", 1)
    assert capsys.readouterr().out.count("--- mail to ana@example.test") == 1


def test_the_sweep_hands_lost_messages_to_the_worker(mailoutbox):
    message = _enqueue()
    DBTaskResult.objects.all().delete()  # the task was lost between commit and enqueue
    assert run_tasks() == 0
    assert outbox_sweep() == 1
    run_tasks()
    message.refresh_from_db()
    assert message.state == OutboxState.SENT and len(mailoutbox) == 1
