"""Onboarding journey benchmarks (`make bench`, PostgreSQL).

The organization "journey-bench" gets N = BENCH_JOURNEY_N (default 100,000) clients, each with a
portal invitation and a journey, inserted set-based (INSERT … SELECT generate_series): about
60 % waiting for their account, 30 % for their estimate approval, 10 % complete; time in step
spread over the last 30 days (so many are stalled and most are due a reminder); five client time
zones; sources mixed (form, booking, referral, direct). Then:

- ``journey.board``: the board page through the Django test client, signed in as the admin (the
  counts per step and stalled, 10 longest-waiting clients per column): p95 and its query count,
  the same whatever N: 6 = session, user, memberships, the settings, one EXPLAIN (every count's
  estimate) and one UNION ALL (every column's first rows, and the counts of 1,000 or less). Its
  ratio to ``floor.org_page`` (measured in the same run) is the figure to watch.
- ``journey.board_filtered``: the same with the source filter (referral).
- ``journey.reminders``: ``journey_reminders_choose`` for the organization, the set-based choice
  of due automatic reminders among the N journeys (one INSERT … SELECT of up to SWEEP_LIMIT rows;
  quiet hours per time zone); the rows are removed before each run, untimed.
- ``journey.reminders_all``: the same without the limit (every due reminder chosen at once).
- ``journey.sweep``: the whole sweep once (choose, then the outbox messages of SWEEP_LIMIT
  reminders in one INSERT and their audit rows), one run.

Alone, with the floor: ``BENCH_ONLY=onboarding`` (bench/run.py), against a PostgreSQL database of
its own, e.g. ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/portico_bench_journey``.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portico.orgs.models import Organization

N = int(os.environ.get("BENCH_JOURNEY_N", "100000"))
SLUG = "journey-bench"
ZONES = ["America/Mexico_City", "America/New_York", "Europe/Madrid", "UTC", "Asia/Tokyo"]

CLIENTS_INSERT = """
INSERT INTO clients_client (org_id, kind, record_type, name, email, phone, date_of_birth, address, language,
    client_type_id, notes, tax_id, case_number, status, profile_id, image, thumbnail, created_at, created_by_id,
    deleted_at, deleted_by_id, time_zone)
SELECT %(org)s, 'person', 'client', 'Journey Client ' || g, 'journey' || g || '@example.test', '', NULL, '', 'en',
       NULL, '', '', 'JRN-B-' || lpad(g::text, 6, '0'), 'invite_sent', NULL, '', '', now() - interval '40 days',
       %(admin)s, NULL, NULL, (%(zones)s::text[])[1 + g %% 5]
FROM generate_series(1, %(n)s) AS g
"""
INVITATIONS_INSERT = """
INSERT INTO invitations_invitation (org_id, client_id, channel, address, status, sent_count, expires_at, delivery,
    delivery_at, last_message_id, opened_at, invited_by_id, accepted_by_id, accepted_at, ended_reason, bulk_job_id,
    created_at, sent_at)
SELECT c.org_id, c.id, CASE WHEN c.id %% 3 = 0 THEN 'sms' ELSE 'email' END, c.email, 'pending', 1,
       now() + interval '300 days', 'sent', now(), NULL, NULL, %(admin)s, NULL, NULL, '', NULL,
       now() - interval '35 days', now() - interval '35 days'
FROM clients_client c WHERE c.org_id = %(org)s
"""
# current step by id: 0-5 account, 6-8 estimate, 9 complete; entered 0-30 days ago.
JOURNEYS_INSERT = """
INSERT INTO journey_journey (org_id, client_id, steps, started_at, current_step, step_entered_at, reached,
    completed_at, source, lead_created_at, stopped_at, updated_at)
SELECT c.org_id, c.id, '["invite", "account", "estimate"]'::jsonb, now() - interval '35 days',
       CASE WHEN c.id %% 10 < 6 THEN 'account' WHEN c.id %% 10 < 9 THEN 'estimate' ELSE 'complete' END,
       now() - ((c.id * 7919) %% 43200) * interval '1 minute',
       jsonb_build_object('invite', to_char(now() - interval '35 days', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')),
       CASE WHEN c.id %% 10 = 9 THEN now() - interval '1 day' END,
       (ARRAY['form', 'booking', 'referral', 'direct'])[1 + c.id %% 4], NULL, NULL, now()
FROM clients_client c WHERE c.org_id = %(org)s
"""


def seed() -> tuple[Organization, Any]:
    """The organization and its admin, with N clients in a journey (reused when present)."""
    from bench.clients import world_ensure
    from portico.journey.models import Journey
    from testing.world import World, portal_set_up

    data = world_ensure(SLUG)
    org = data.org
    have = Journey.objects.filter(org=org).count()
    if have != N:
        print(f"journey: loading {N:,} clients in a journey into '{SLUG}' (had {have:,})")
        params: dict[str, Any] = {"org": org.pk, "admin": data.admin_id, "n": N, "zones": ZONES}
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM journey_journeyreminder WHERE org_id = %s", [org.pk])
            cursor.execute("DELETE FROM journey_journey WHERE org_id = %s", [org.pk])
            cursor.execute("DELETE FROM invitations_invitation WHERE org_id = %s", [org.pk])
            cursor.execute("DELETE FROM clients_client WHERE org_id = %s", [org.pk])
            cursor.execute(CLIENTS_INSERT, params)
            cursor.execute(INVITATIONS_INSERT, params)
            cursor.execute(JOURNEYS_INSERT, params)
        with connection.cursor() as cursor:
            for table in ("clients_client", "invitations_invitation", "journey_journey"):
                cursor.execute(f"VACUUM (ANALYZE) {table}")
    if not org.portal_enabled:
        from portico.accounts.models import User

        admin = User.objects.get(pk=data.admin_id)
        portal_set_up(World(org=org, admin=admin, readonly=admin, roles={}))
    return org, data.admin_id


def _reminders_clear(org: Organization) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM journey_journeyreminder WHERE org_id = %s", [org.pk])


class _Ok:
    status_code = 200


def run(time_measure: Callable[..., dict[str, Any]], measure_class: Callable[..., Any]) -> list[dict[str, Any]]:
    """Seed, then time the board pages and the reminders' choice (run.py's ``_time``)."""
    from portico.accounts.models import User
    from portico.journey.actions import SWEEP_LIMIT, journey_reminders_choose, journey_reminders_send

    t0 = time.perf_counter()
    org, admin_id = seed()
    print(f"journey: {N:,} journeys in '{SLUG}' ({time.perf_counter() - t0:.1f}s)")
    client = Client()
    client.force_login(User.objects.get(pk=admin_id))
    board = reverse("journey_board", args=[org.slug])
    first = client.get(board)
    assert first.status_code == 200 and b"journey-row" in first.content, "the board is empty"
    # The reminders run at noon UTC tomorrow (so the figures do not depend on the hour the bench runs).
    noon = (timezone.now() + dt.timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)

    def choose(limit: int) -> Callable[[Client], object]:
        def timed(_c: Client) -> object:
            made = journey_reminders_choose(org=org, now=noon, limit=limit)
            assert made > 0, "no reminder was due"
            return _Ok()

        return timed

    measures = [
        measure_class("journey.board", N, lambda c: c.get(board)),
        measure_class("journey.board_filtered", N, lambda c: c.get(board + "?source=referral")),
        measure_class(
            "journey.reminders",
            N,
            choose(SWEEP_LIMIT),
            repeat=10,
            before=lambda: _reminders_clear(org),
            after=lambda: _reminders_clear(org),
            page=False,
        ),
        measure_class(
            "journey.reminders_all",
            N,
            choose(N),
            repeat=5,
            before=lambda: _reminders_clear(org),
            after=lambda: _reminders_clear(org),
            page=False,
        ),
    ]
    results = [time_measure(m, client) for m in measures]
    # The whole sweep once: choose, then SWEEP_LIMIT messages and their audit rows.
    _reminders_clear(org)
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        sent = journey_reminders_send(now=noon)
        took = (time.perf_counter() - start) * 1000
    _reminders_clear(org)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM outbox_outboxmessage WHERE idempotency_key LIKE 'journey-reminder:%%' AND org_id = %s",
            [org.pk],
        )
        cursor.execute("DELETE FROM django_tasks_database_dbtaskresult")
    _reminders_clear(org)
    results.append(
        {
            "name": "journey.sweep",
            "n": sent,
            "p50_ms": round(took, 2),
            "p95_ms": round(took, 2),
            "queries": len(queries),
        }
    )
    return results


def note(results: list[dict[str, Any]]) -> str:
    return (
        f"journey.*: {N:,} clients in a journey in one organization (60 % at the account step, 30 % at the estimate, "
        f"10 % complete; time in step spread over 30 days; 5 time zones). journey.board = the board page (counts per "
        f"step and stalled, 10 longest-waiting per column), board_filtered = with ?source=referral, signed in as the "
        f"admin. journey.reminders = choosing due automatic reminders (schedule 2, 5, 9 days; quiet hours 20:00-08:00 "
        f"in each client's zone) among the {N:,} journeys with one INSERT … SELECT of up to 5,000 rows; "
        f"reminders_all = without that limit (every due one); journey.sweep = the whole sweep once (choose, then the "
        f"5,000 outbox messages in one COPY and their audit rows), n = reminders sent."
    )
