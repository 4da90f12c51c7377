"""Bulk invitation benchmarks (`make bench`, PostgreSQL; `BENCH_ONLY=invitations` runs only these,
without the 1M-client seed).

The organization "invite-bench" gets N = BENCH_INVITE_N (default 10,000) invitable clients,
inserted set-based, and its client portal set up through the app's action. Then:

- ``invitations.bulk_enqueue``: bulk-invite all N by email, timed from the action to the job
  done, in this process (``bulk_invitation_start`` queues a job of kind ``invitations.bulk_send``
  for the worker; ``jobs.runner.job_run`` is then called here, as the worker would). One warm-up run, then
  BENCH_INVITE_REPEAT (default 3); untimed between runs, the invitations, messages and tasks are
  removed and the clients are not invited again.
- ``invitations.delivery``: the N messages of the last run, delivered by BENCH_WORKERS (default
  2) real ``manage.py db_worker`` processes to an aiosmtpd sink on 127.0.0.1 (Django's SMTP
  backend, EMAIL_URL=smtp://…); wall time from starting the workers until the sink holds all N
  (worker start-up included), and the rate in messages/s.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from portico.clients.models import Client
from portico.core.actors import Actor, ActorKind
from portico.orgs.models import Organization

N = int(os.environ.get("BENCH_INVITE_N", "10000"))
REPEAT = int(os.environ.get("BENCH_INVITE_REPEAT", "3"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
DELIVERY_TIMEOUT = float(os.environ.get("BENCH_DELIVERY_TIMEOUT", "600"))
SLUG = "invite-bench"
WORKER_LOG = Path(tempfile.gettempdir()) / "portico-bench-workers.log"

CLIENTS_INSERT = """
INSERT INTO clients_client (org_id, kind, record_type, name, email, phone, date_of_birth, address, language,
    client_type_id, notes, tax_id, case_number, status, profile_id, image, thumbnail, created_at, created_by_id,
    deleted_at, deleted_by_id)
SELECT %(org)s, 'person', 'client',
       (%(firsts)s::text[])[1 + g %% %(nf)s] || ' ' || (%(surnames)s::text[])[1 + (g / 7) %% %(ns)s],
       'invitada' || g || '@example.test', '+5255' || lpad(g::text, 8, '0'), NULL, '', 'es', NULL, '', '',
       'INV-B-' || lpad(g::text, 6, '0'), 'not_invited', NULL, '', '', now() - g * interval '1 minute', %(admin)s,
       NULL, NULL
FROM generate_series(1, %(n)s) AS g
"""


@dataclass
class Bench:
    org: Organization
    admin_id: int


def seed() -> Bench:
    """The organization, its portal and exactly N invitable clients (reused when present)."""
    from bench.clients import FIRST_NAMES, SURNAMES, world_ensure
    from portico.portal.actions import portal_settings_save

    data = world_ensure(SLUG)
    org = data.org
    if not org.portal_enabled:
        portal_settings_save(org=org, actor=Actor.system(), portal_name="Portal Bench", sender_name="Invite Bench Org")
        org.refresh_from_db()
    have = Client.objects.filter(org=org).count()
    if have != N:
        print(f"invitations: loading {N:,} clients into '{SLUG}' (had {have:,})")
        reset(org)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM clients_client WHERE org_id = %s", [org.pk])
            cursor.execute(
                CLIENTS_INSERT,
                {
                    "org": org.pk,
                    "admin": data.admin_id,
                    "n": N,
                    "firsts": FIRST_NAMES,
                    "surnames": SURNAMES,
                    "nf": len(FIRST_NAMES),
                    "ns": len(SURNAMES),
                },
            )
    return Bench(org=org, admin_id=data.admin_id)


def reset(org: Organization) -> None:
    """Back to N clients never invited: no invitations, no messages, no tasks (untimed)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM invitations_invitationevent WHERE invitation_id IN "
            "(SELECT id FROM invitations_invitation WHERE org_id = %s)",
            [org.pk],
        )
        cursor.execute(
            "DELETE FROM invitations_invitationlink WHERE invitation_id IN "
            "(SELECT id FROM invitations_invitation WHERE org_id = %s)",
            [org.pk],
        )
        cursor.execute(
            "DELETE FROM invitations_bulkinvitationrow WHERE job_id IN (SELECT id FROM jobs_job WHERE org_id = %s)",
            [org.pk],
        )
        cursor.execute("DELETE FROM invitations_invitation WHERE org_id = %s", [org.pk])
        cursor.execute("DELETE FROM jobs_job WHERE org_id = %s", [org.pk])
        cursor.execute(
            "DELETE FROM outbox_outboxattempt WHERE message_id IN (SELECT id FROM outbox_outboxmessage WHERE org_id = %s)",
            [org.pk],
        )
        cursor.execute("DELETE FROM outbox_outboxmessage WHERE org_id = %s", [org.pk])
        cursor.execute("UPDATE clients_client SET status = 'not_invited' WHERE org_id = %s", [org.pk])
        cursor.execute("DELETE FROM django_tasks_database_dbtaskresult")  # the bench database's own queue
    with connection.cursor() as cursor:
        for table in (
            "clients_client",
            "invitations_invitation",
            "invitations_invitationlink",
            "invitations_invitationevent",
            "invitations_bulkinvitationrow",
            "jobs_job",
            "outbox_outboxmessage",
            "outbox_outboxattempt",
            "django_tasks_database_dbtaskresult",
        ):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
        cursor.execute("ANALYZE audit_auditevent")


class _Counter:
    """Counts statements without keeping them (CaptureQueriesContext would format every bulk INSERT)."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.n += 1
        return execute(sql, params, many, context)


def _enqueue_once(bench: Bench) -> tuple[float, int]:
    from bench.clients import job_run_here, tasks_queued_drop
    from portico.accounts.models import User
    from portico.clients.selectors import ClientFilters
    from portico.invitations.bulk import bulk_invitation_start

    actor = Actor(kind=ActorKind.STAFF, user=User.objects.get(pk=bench.admin_id), ip="10.0.0.1", user_agent="bench")
    counter = _Counter()
    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        job = bulk_invitation_start(org=bench.org, actor=actor, channel="email", filters=ClientFilters())
        job = job_run_here(job)  # what the worker does (over the kind's inline limit), here
        elapsed = (time.perf_counter() - start) * 1000
    tasks_queued_drop()  # the worker started for delivery would only skip the job's task
    assert (job.state, job.count("sent"), job.count("skipped")) == ("done", N, 0), (job.state, job.counts, job.error)
    return elapsed, counter.n


def measure_enqueue(bench: Bench) -> dict[str, Any]:
    timings, queries = [], 0
    reset(bench.org)
    _enqueue_once(bench)  # warm-up, untimed (as run.py's measures): imports, URL conf, templates
    for i in range(REPEAT):
        reset(bench.org)
        ms, queries = _enqueue_once(bench)
        timings.append(ms)
        print(f"  invitations.bulk_enqueue run {i + 1}: {ms / 1000:.2f} s, {queries} statements")
    timings.sort()
    return {
        "name": "invitations.bulk_enqueue",
        "n": N,
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[-1], 2),  # the slowest of REPEAT runs
        "queries": queries,
        "runs": REPEAT,
    }


class _Sink:
    """aiosmtpd handler: counts the messages and their distinct Message-IDs."""

    def __init__(self) -> None:
        self.count = 0
        self.ids: set[bytes] = set()
        self.first_at: float | None = None
        self.last_at = 0.0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        found = re.search(rb"^Message-ID:\s*(\S+)", envelope.content, re.MULTILINE | re.IGNORECASE)
        self.ids.add(found.group(1) if found else b"")
        self.count += 1
        now = time.perf_counter()
        if self.first_at is None:
            self.first_at = now
        self.last_at = now
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def measure_delivery(bench: Bench) -> dict[str, Any]:
    """Deliver the last bulk_enqueue run's N messages with real workers to a local SMTP sink."""
    from aiosmtpd.controller import Controller

    from portico.outbox.models import OutboxMessage

    pending = OutboxMessage.objects.filter(org=bench.org, state="pending").count()
    assert pending == N, f"expected {N} pending messages, found {pending}"
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP line at DEBUG
    sink = _Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    env = {
        **os.environ,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
        "DATABASE_URL": os.environ["DATABASE_URL"],
    }
    command = [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--no-startup-delay", "--interval", "0.1"]
    workers: list[subprocess.Popen[bytes]] = []
    with WORKER_LOG.open("wb") as log:
        start = time.perf_counter()
        for i in range(WORKERS):
            workers.append(
                subprocess.Popen(
                    [*command, "--worker-id", f"bench-{i}"],
                    cwd=settings.BASE_DIR,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        try:
            while sink.count < N and time.perf_counter() - start < DELIVERY_TIMEOUT:
                if any(w.poll() is not None for w in workers):
                    raise RuntimeError(f"a worker exited early; see {WORKER_LOG}")
                time.sleep(0.02)
            elapsed = sink.last_at - start
        finally:
            for w in workers:
                w.terminate()  # SIGTERM: the worker finishes its task and stops
            for w in workers:
                try:
                    w.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    w.kill()
            controller.stop()
    assert sink.count >= N, f"only {sink.count} of {N} messages arrived in {DELIVERY_TIMEOUT:.0f}s; see {WORKER_LOG}"
    sent = OutboxMessage.objects.filter(org=bench.org, state="sent").count()
    first = (sink.first_at or start) - start
    steady = N / (sink.last_at - sink.first_at) if sink.first_at and sink.last_at > sink.first_at else 0
    print(
        f"  invitations.delivery: {sink.count} received ({len(sink.ids)} distinct Message-IDs), {sent} marked sent; "
        f"first after {first:.2f}s (worker start-up), all after {elapsed:.2f}s"
    )
    return {
        "name": "invitations.delivery",
        "n": N,
        "p50_ms": round(elapsed * 1000, 2),
        "p95_ms": round(elapsed * 1000, 2),
        "queries": None,
        "rate": round(N / elapsed, 1),
        "rate_after_first": round(steady, 1),
        "workers": WORKERS,
        "batch_size": settings.OUTBOX_BATCH_SIZE,
        "duplicates": sink.count - len(sink.ids),
        "marked_sent": sent,
    }


def run() -> list[dict[str, Any]]:
    t0 = time.perf_counter()
    bench = seed()
    print(f"invitations: {N:,} clients in '{SLUG}', portal set up ({time.perf_counter() - t0:.1f}s)")
    load_before = os.getloadavg()[0]
    with connection.cursor() as cursor:  # the audit rows go into a table of this size (planner's estimate)
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'audit_auditevent'")
        audit_rows = int(cursor.fetchone()[0])
    results = [measure_enqueue(bench)]
    results[0]["audit_rows_before"] = audit_rows
    results.append(measure_delivery(bench))
    results[0]["load"] = [round(load_before, 1), round(os.getloadavg()[0], 1)]
    return results


def note(results: list[dict[str, Any]]) -> str:
    by_name = {r["name"]: r for r in results}
    enqueue, delivery = by_name["invitations.bulk_enqueue"], by_name["invitations.delivery"]
    return (
        f"invitations.*: {N:,} invitable clients in one organization. bulk_enqueue: the action plus the job run to done "
        f"in-process (invitations, links, messages, events, audit, result rows, client status), one warm-up run, then "
        f"{enqueue['runs']} (p95 = the slowest), {enqueue['queries']} statements per run (COPY not counted), into an "
        f"audit table of about {enqueue['audit_rows_before']:,} rows. delivery: {delivery['workers']} `db_worker` processes "
        f"(batches of {delivery['batch_size']}, one SMTP connection each) to an aiosmtpd sink on 127.0.0.1, wall time from "
        f"starting the workers (start-up included) to the last message: {delivery['rate']} messages/s "
        f"({delivery['rate_after_first']}/s from the first message); {delivery['duplicates']} duplicates, "
        f"{delivery['marked_sent']:,} marked sent. Load average (1 min) {enqueue['load'][0]} before, "
        f"{enqueue['load'][1]} after, on {os.cpu_count()} CPUs."
    )
