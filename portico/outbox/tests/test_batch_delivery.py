"""Bulk sends: many messages with one INSERT, delivered in batches (one task and one mail
connection per batch), each marked exactly like a single delivery."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from portico.outbox import transports
from portico.outbox.actions import outbox_enqueue_many, outbox_message_new
from portico.outbox.delivery import outbox_deliver_batch
from portico.outbox.models import OutboxAttempt, OutboxMessage, OutboxState, secret_marker
from portico.outbox.signals import message_delivery
from testing.world import run_tasks

pytestmark = pytest.mark.django_db


class CountingBackend(BaseEmailBackend):
    """Counts connections; fails every send to an address in ``refuse``."""

    instances = 0
    opened = 0
    refuse: set[str] = set()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        CountingBackend.instances += 1

    def open(self):
        CountingBackend.opened += 1
        return True

    def send_messages(self, messages):
        for message in messages:
            if set(message.to) & CountingBackend.refuse:
                raise ConnectionResetError("mailbox unavailable")
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture
def counting(settings):
    CountingBackend.instances = CountingBackend.opened = 0
    CountingBackend.refuse = set()
    settings.EMAIL_BACKEND = f"{__name__}.CountingBackend"
    mail.outbox = []
    return CountingBackend


def _drafts(n, org=None, prefix="m", channel="email"):
    return [
        outbox_message_new(
            org=org,
            channel=channel,
            to=f"{prefix}{i}@example.test" if channel == "email" else f"+52551234{i:04}",
            idempotency_key=f"{prefix}:{i}",
            subject=f"Hello {i}",
            body_text=f"Your link: {secret_marker('link')}",
            payload={"n": i},
            secrets={"link": f"https://x.test/{prefix}/{i}"},
        )
        for i in range(n)
    ]


def test_enqueue_many_is_one_statement_and_one_task_per_batch(settings, django_capture_on_commit_callbacks):
    settings.OUTBOX_BATCH_SIZE = 4
    counts = []
    for n, prefix in ((3, "a"), (10, "m")):
        with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as queries:
            ids = outbox_enqueue_many(messages=_drafts(n, prefix=prefix))
        counts.append(len(queries))  # PostgreSQL writes the rows with COPY, elsewhere one INSERT
        assert len(ids) == n
    assert counts[0] == counts[1]
    tasks = list(DBTaskResult.objects.ready().order_by("enqueued_at", "id"))
    assert {t.task_path for t in tasks} == {"portico.outbox.delivery.deliver_outbox_batch"}
    assert sorted(len(t.args_kwargs["args"][0]) for t in tasks) == [2, 3, 4, 4]
    stored = OutboxMessage.objects.get(idempotency_key="m:3")
    assert stored.payload == {"n": 3, "secrets": {"link": "https://x.test/m/3"}}
    assert (stored.subject, stored.body_text, stored.channel) == ("Hello 3", "Your link: [[secret:link]]", "email")
    assert stored.max_attempts == settings.OUTBOX_MAX_ATTEMPTS and stored.state == OutboxState.PENDING
    assert stored.next_attempt_at <= timezone.now() and stored.created_at <= timezone.now()


def test_a_key_already_in_the_outbox_keeps_its_first_message(django_capture_on_commit_callbacks):
    first = outbox_enqueue_many(messages=_drafts(2))
    again = outbox_enqueue_many(messages=_drafts(3))
    assert again["m:0"] == first["m:0"] and OutboxMessage.objects.count() == 3


def test_a_batch_sends_each_message_once_through_one_connection(counting, deliver):
    seen = []

    def receiver(sender, message, kind, **kwargs):
        seen.append((message.pk, kind))

    message_delivery.connect(receiver, dispatch_uid="test-batch")
    try:
        with deliver():
            ids = outbox_enqueue_many(messages=_drafts(6))
    finally:
        message_delivery.disconnect(dispatch_uid="test-batch")
    assert (counting.instances, counting.opened) == (1, 1)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"m{i}@example.test" for i in range(6))
    assert "https://x.test/m/2" in next(m.body for m in mail.outbox if m.to == ["m2@example.test"])
    messages = OutboxMessage.objects.filter(pk__in=ids.values())
    assert {(m.state, m.attempts) for m in messages} == {(OutboxState.SENT, 1)}
    assert all("secrets" not in m.payload and m.payload["n"] >= 0 for m in messages)
    assert all(m.provider_message_id.startswith("<") for m in messages)
    assert set(OutboxAttempt.objects.values_list("outcome", flat=True)) == {OutboxAttempt.Outcome.SENT}
    assert sorted(seen) == sorted((pk, "sent") for pk in ids.values())
    # Delivered once: running the batch again (a duplicate task, the watchdog) sends nothing.
    assert outbox_deliver_batch(message_ids=list(ids.values())) == {"sent": 0, "error": 0, "skipped": 6}
    assert len(mail.outbox) == 6


@pytest.mark.django_db(transaction=True)  # the retry is enqueued when the failure commits
def test_a_failing_message_is_retried_alone(counting, deliver):
    counting.refuse = {"m1@example.test"}
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        with deliver(), transaction.atomic():
            ids = outbox_enqueue_many(messages=_drafts(4))
        bad = OutboxMessage.objects.get(pk=ids["m:1"])
        assert (bad.state, bad.attempts) == (OutboxState.PENDING, 1)
        assert "ConnectionResetError: mailbox unavailable" in bad.last_error
        assert bad.next_attempt_at == start + dt.timedelta(seconds=30)
        assert OutboxMessage.objects.filter(state=OutboxState.SENT).count() == 3
        # The connection was dropped after the failure and a fresh one carried the rest.
        assert counting.opened == 2
        assert sorted(m.to[0] for m in mail.outbox) == ["m0@example.test", "m2@example.test", "m3@example.test"]

        counting.refuse = set()
        clock.shift(dt.timedelta(seconds=31))
        run_tasks()
    bad.refresh_from_db()
    assert (bad.state, bad.attempts) == (OutboxState.SENT, 2)
    assert sorted(m.to[0] for m in mail.outbox) == [f"m{i}@example.test" for i in range(4)]  # no one twice
    assert list(bad.attempt_rows.values_list("outcome", flat=True)) == ["error", "sent"]


def test_queries_do_not_grow_with_the_batch(counting, django_capture_on_commit_callbacks):
    counts = []
    for n, prefix in ((3, "a"), (12, "b")):
        ids = outbox_enqueue_many(messages=_drafts(n, prefix=prefix))
        with CaptureQueriesContext(connection) as queries:
            assert outbox_deliver_batch(message_ids=list(ids.values()))["sent"] == n
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_sms_in_a_batch_go_through_their_transport(counting, monkeypatch):
    class FakeSms:
        sent: list[str] = []

        def send(self, message):
            FakeSms.sent.append(message.reveal(message.body_text))
            return f"SM{message.pk}"

    monkeypatch.setitem(transports.TRANSPORTS, "sms", FakeSms())
    ids = outbox_enqueue_many(messages=_drafts(2, prefix="e") + _drafts(3, prefix="s", channel="sms"))
    assert outbox_deliver_batch(message_ids=list(ids.values())) == {"sent": 5, "error": 0, "skipped": 0}
    assert sorted(FakeSms.sent) == [f"Your link: https://x.test/s/{i}" for i in range(3)]
    assert OutboxMessage.objects.get(pk=ids["s:0"]).provider_message_id == f"SM{ids['s:0']}"
    assert len(mail.outbox) == 2 and counting.instances == 1
