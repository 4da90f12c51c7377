"""Benchmarks: `make bench` (PostgreSQL). Seeds data set-based, then times pages through the
Django test client (full middleware stack, no network) and writes bench/results/latest.json
(a list of {"name", "n", "p50_ms", "p95_ms", "queries"}, plus "ratio" for pages) and latest.md.

Each measure runs WARMUP times untimed, then BENCH_REPEAT times (default 50); the query count is
the last run's. The first measure is ``floor.org_page``, the cheapest organization page (the
bell partial) through the same middleware and sign-in; every page measure's ``ratio`` is its p95
over the floor's p95 from the same run (the floor is measured again at the end, to show drift).

Client records (bench/clients.py) use N = BENCH_N clients (the Makefile passes `N`, default
1,000,000) and BENCH_RELOAD=1 to reload them; the staff start page (bench/web.py) is measured
over them. Bulk invitations (bench/invitations.py) run last; BENCH_ONLY=invitations runs only
them (no 1M-client seed) and merges their entries into the existing latest.json / latest.md.
Client requests and the bell (bench/requests.py) run before them; BENCH_ONLY=requests runs only
those (with a floor of their own run), merged the same way.

The database is DATABASE_URL's, created on first use. `make bench-smoke` (.ci/run) runs
everything small on a throw-away database: BENCH_RESULTS_DIR writes the results elsewhere,
BENCH_JOB_INLINE_LIMIT=0 sends every bulk job the queued way, and `python -m bench.run
--drop-database` drops the database afterwards.

Later capabilities add measures with ``@measure(...)``."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portico.settings_test")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

# BENCH_RESULTS_DIR: somewhere else (the smoke run writes to a temporary directory, never over latest.*).
RESULTS = Path(os.environ.get("BENCH_RESULTS_DIR") or Path(settings.BASE_DIR) / "bench" / "results")
REPEAT = int(os.environ.get("BENCH_REPEAT", "50"))
WARMUP = 2
AUDIT_ROWS = int(os.environ.get("BENCH_AUDIT_ROWS", "1000000"))
OUTBOX_ROWS = int(os.environ.get("BENCH_OUTBOX_ROWS", "200000"))


@dataclasses.dataclass
class Measure:
    name: str
    n: int
    run: Callable[[Client], object]
    repeat: int | None = None  # default REPEAT
    before: Callable[[], None] | None = None  # before every run, not timed
    after: Callable[[], None] | None = None  # once, when the measure is done
    page: bool = True  # a page through the test client: its p95 gets a ratio to floor.org_page


MEASURES: list[Measure] = []


def measure(
    name: str,
    n: int,
    *,
    repeat: int | None = None,
    before: Callable[[], None] | None = None,
    after: Callable[[], None] | None = None,
    page: bool = True,
) -> Callable[[Callable[[Client], object]], Callable[[Client], object]]:
    def register(fn: Callable[[Client], object]) -> Callable[[Client], object]:
        MEASURES.append(Measure(name, n, fn, repeat, before, after, page))
        return fn

    return register


def _ensure_database() -> None:
    """Create the bench database on first use (DATABASE_URL names it)."""
    import psycopg

    db: dict = dict(settings.DATABASES["default"])
    name = db["NAME"]
    params = {k: db[k.upper()] for k in ("host", "port", "user") if db.get(k.upper())}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _seed() -> None:
    """Two organizations; the measured one gets AUDIT_ROWS audit events and OUTBOX_ROWS messages,
    inserted set-based with generate_series (seconds, not minutes)."""
    from bench.clients import world_ensure
    from portico.orgs.models import Organization

    world_ensure("bench")
    world_ensure("other")
    loaded = False
    row = (
        Organization.objects.filter(slug="bench", memberships__role__grants_all=True)
        .values_list("pk", "memberships__user_id")
        .first()
    )
    assert row is not None
    org_id, admin_id = row
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM audit_auditevent WHERE org_id = %s", [org_id])
        have = cur.fetchone()[0]
        if have < AUDIT_ROWS:
            loaded = True
            cur.execute(
                """
                INSERT INTO audit_auditevent (org_id, actor_kind, actor_user_id, actor_label, action, target_type,
                    target_id, target_label, from_state, to_state, detail, ip, user_agent, created_at)
                SELECT %s, 'staff', %s, 'Bench Admin',
                       (ARRAY['role.changed','staff.invited','staff.role_changed','org.settings_changed'])[1 + g %% 4],
                       'orgs.role', (g %% 500)::text, 'Role ' || (g %% 500), '', '', '{}'::jsonb, '10.0.0.1', 'bench',
                       now() - (g || ' seconds')::interval
                FROM generate_series(1, %s) AS g
                """,
                [org_id, admin_id, AUDIT_ROWS - have],
            )
        cur.execute("SELECT count(*) FROM outbox_outboxmessage WHERE org_id = %s", [org_id])
        have = cur.fetchone()[0]
        if have < OUTBOX_ROWS:
            loaded = True
            cur.execute(
                """
                INSERT INTO outbox_outboxmessage (org_id, channel, idempotency_key, "to", subject, body_text, body_html,
                    payload, state, attempts, max_attempts, next_attempt_at, claimed_until, last_error,
                    provider_message_id, delivery_status, created_at, sent_at)
                SELECT %s, 'email', 'bench:' || g || ':' || md5(random()::text), 'person' || g || '@example.test',
                       'Message ' || g, 'Body', '', '{}'::jsonb, state, 1, 6, now(), NULL, '', '',
                       CASE WHEN state = 'sent' AND g %% 3 > 0 THEN 'delivered' ELSE '' END,
                       now() - (g || ' seconds')::interval,
                       CASE WHEN state = 'sent' THEN now() - (g || ' seconds')::interval END
                FROM (
                    SELECT g, (ARRAY['sent','sent','sent','failed','pending'])[1 + g %% 5] AS state
                    FROM generate_series(1, %s) AS g
                ) AS rows
                """,
                [org_id, OUTBOX_ROWS - have],
            )
    if loaded:
        with connection.cursor() as cur:
            cur.execute("VACUUM (ANALYZE)")


FLOOR = "floor.org_page"
FLOOR_PATH = "/o/bench/notifications/bell/"


@measure(FLOOR, 1)
def _floor(client: Client) -> object:
    """The cheapest organization page: the bell partial htmx polls. It goes through the whole
    middleware stack, the session and sign-in, and ``org_view`` (the membership and organization
    query) like every organization page, then adds one indexed count and a one-line template, with
    no base layout. Every page measure's ``ratio`` is its p95 over this one's, from the same run."""
    return client.get(FLOOR_PATH, headers={"HX-Request": "true"})


@measure("audit_log.first_page", AUDIT_ROWS)
def _audit_first(client: Client) -> object:
    return client.get("/o/bench/audit/")


@measure("audit_log.filtered_by_action", AUDIT_ROWS)
def _audit_filtered(client: Client) -> object:
    return client.get("/o/bench/audit/", {"action": "staff.invited"})


_DEEP_CURSOR: list[str] = []


@measure("audit_log.deep_page", AUDIT_ROWS)
def _audit_deep(client: Client) -> object:
    """A page half-way through the log: keyset pagination makes it cost what the first page costs."""
    if not _DEEP_CURSOR:  # found once, during the warm-up, so it is not timed
        from portico.audit.models import AuditEvent
        from portico.core.keyset import cursor_encode

        ids = AuditEvent.objects.filter(org__slug="bench").order_by("-id").values_list("id", flat=True)
        _DEEP_CURSOR.append(cursor_encode([ids[AUDIT_ROWS // 2]]))  # the log's order: ("-id",)
    return client.get("/o/bench/audit/", {"cursor": _DEEP_CURSOR[0]})


@measure("sent_messages.first_page", OUTBOX_ROWS)
def _messages(client: Client) -> object:
    return client.get("/o/bench/messages/")


@measure("sent_messages.failed", OUTBOX_ROWS)
def _messages_failed(client: Client) -> object:
    return client.get("/o/bench/messages/", {"state": "failed"})


_floor_p95: list[float] = []  # the floor of this run, once measured


def _time(m: Measure, client: Client) -> dict:
    for _ in range(WARMUP):
        if m.before:
            m.before()
        response = m.run(client)
        assert getattr(response, "status_code", 200) == 200, (m.name, response)
    timings = []
    for _ in range(m.repeat or REPEAT):
        if m.before:
            m.before()
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            m.run(client)
            timings.append((time.perf_counter() - start) * 1000)
    if m.after:
        m.after()
    timings.sort()
    result: dict[str, Any] = {
        "name": m.name,
        "n": m.n,
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[math.ceil(len(timings) * 0.95) - 1], 2),  # nearest rank
        "queries": len(queries),
    }
    if m.name == FLOOR and not _floor_p95:
        _floor_p95.append(result["p95_ms"])
    if m.page and _floor_p95:
        result["ratio"] = round(result["p95_ms"] / _floor_p95[0], 2)
    return result


def _print(r: dict) -> None:
    rate = f"  rate={r['rate']}/s" if "rate" in r else ""
    ratio = f"  ratio={r['ratio']}" if "ratio" in r else ""
    print(
        f"{r['name']:<40} n={r['n']:<9} p50={r['p50_ms']:>9} ms  p95={r['p95_ms']:>9} ms  queries={r['queries']}"
        f"{ratio}{rate}"
    )


def _write(results: list[dict], notes: list[str], *, merge: bool) -> None:
    """latest.json and latest.md. With ``merge``, entries and notes of measures not run now are kept."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    json_path, md_path = RESULTS / "latest.json", RESULTS / "latest.md"
    if merge and json_path.exists():
        fresh = {r["name"] for r in results}
        kept = [r for r in json.loads(json_path.read_text()) if r["name"] not in fresh]
        results = kept + results
        prefixes = {name.split(".")[0] + "." for name in fresh}
        old_notes = md_path.read_text().split("\n\n", 1)[1].strip().split("\n\n") if md_path.exists() else []
        notes = [n for n in old_notes if n and not any(n.startswith(p) for p in prefixes)] + notes
    json_path.write_text(json.dumps(results, indent=2) + "\n")
    lines = [
        "| measure | n | p50 ms | p95 ms | queries | p95 / floor | rate /s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {r['name']} | {r['n']:,} | {r['p50_ms']} | {r['p95_ms']} | {'–' if r['queries'] is None else r['queries']} "
        f"| {r.get('ratio', '')} | {r.get('rate', '')} |"
        for r in results
    ]
    md_path.write_text("\n".join(lines) + "\n\n" + "\n\n".join(notes) + "\n")
    print(f"wrote {json_path} and latest.md")


def _floor_note(first: dict, again: dict) -> str:
    return (
        f"{FLOOR}: GET {FLOOR_PATH} (htmx), the cheapest organization page, as the same signed-in user through "
        f"the same middleware; p95 / floor = a page measure's p95 over the floor's p95 ({first['p95_ms']} ms, "
        f"{first['queries']} queries), both from this run. Measured again after the page measures: p50 "
        f"{again['p50_ms']} ms, p95 {again['p95_ms']} ms (the drift of this noisy machine over the run)."
    )


def _drop_database() -> int:
    """``python -m bench.run --drop-database``: drop DATABASE_URL's database (the smoke run's, afterwards)."""
    import psycopg

    db: dict = dict(settings.DATABASES["default"])
    params = {k: db[k.upper()] for k in ("host", "port", "user", "password") if db.get(k.upper())}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')
    print(f"dropped database {db['NAME']}")
    return 0


def _jobs_inline_limit() -> None:
    """BENCH_JOB_INLINE_LIMIT: every job kind's inline limit (the smoke run sets 0, so its small bulk
    jobs are queued and then run here, the path the full-size runs take)."""
    limit = os.environ.get("BENCH_JOB_INLINE_LIMIT", "")
    if limit:
        from portico.jobs.kinds import KINDS

        for name, kind in list(KINDS.items()):
            KINDS[name] = dataclasses.replace(kind, inline_limit=int(limit))


def _customers_seed() -> None:
    """The customers catalog (issue 14): the table and quick create, the SAT 69-B import, scores."""
    from bench import customers as customer_bench
    from bench import sat69b as sat69b_bench
    from bench import scores as score_bench

    customer_bench.seed()
    sat69b_bench.seed()
    score_bench.seed()


def _customers_run(time_measure: Callable[..., dict], measure_class: Callable[..., object]) -> list[dict]:
    from bench import customers as customer_bench
    from bench import sat69b as sat69b_bench
    from bench import scores as score_bench

    return [
        *customer_bench.run(time_measure, measure_class),
        *sat69b_bench.run(time_measure, measure_class),
        *score_bench.run(),
    ]


def _customers_notes(results: list[dict]) -> list[str]:
    from bench import customers as customer_bench
    from bench import sat69b as sat69b_bench
    from bench import scores as score_bench

    table = [r for r in results if r["name"].startswith("customers.")]
    sat = [r for r in results if r["name"].startswith("sat69b.")]
    scores = [r for r in results if r["name"].startswith("scores.")]
    return [customer_bench.note(table), sat69b_bench.note(sat), score_bench.note(scores)]


def _alone(
    label: str,
    seed: Callable[[], object] | None,
    run: Callable[..., list[dict]],
    notes: Callable[[list[dict]], list[str]],
) -> int:
    """One group of measures alone (BENCH_ONLY), between two floor pages, merged into latest.*."""
    from bench import clients as client_bench
    from portico.accounts.models import User

    print(f"database {settings.DATABASES['default']['NAME']}, {label} only")
    client_bench.world_ensure(client_bench.BIG)  # the floor's organization and signed-in admin
    if seed is not None:
        seed()
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    floor_client = Client()
    floor_client.force_login(User.objects.get(email="admin@bench.test"))
    floor = next(m for m in MEASURES if m.name == FLOOR)
    results = [_time(floor, floor_client), *run(_time, Measure)]
    for r in results:
        _print(r)
    again = _time(floor, floor_client)
    _write(results, [_floor_note(results[0], again), *notes(results[1:])], merge=True)
    return 0


def main() -> int:
    if connection.vendor != "postgresql":
        print("make bench runs on PostgreSQL (DATABASE_URL=postgres://…)", file=sys.stderr)
        return 2
    if sys.argv[1:] == ["--drop-database"]:
        return _drop_database()
    from bench import clients as client_bench
    from bench import invitations as invitation_bench
    from bench import onboarding as onboarding_bench
    from bench import payments as payment_bench
    from bench import requests as request_bench
    from bench import web as web_bench

    only = os.environ.get("BENCH_ONLY", "")
    if only not in ("", "invitations", "requests", "onboarding", "payments", "customers"):
        print(
            f"BENCH_ONLY={only!r}: only 'invitations', 'requests', 'onboarding', 'payments' or 'customers' can run alone",
            file=sys.stderr,
        )
        return 2
    setup_test_environment()
    _jobs_inline_limit()
    _ensure_database()
    call_command("migrate", verbosity=0)
    from portico.accounts.models import User

    if only == "invitations":
        print(f"database {settings.DATABASES['default']['NAME']}, invitations only")
        results = invitation_bench.run()
        for r in results:
            _print(r)
        _write(results, [invitation_bench.note(results)], merge=True)
        return 0
    if only == "onboarding":
        return _alone("onboarding", onboarding_bench.seed, onboarding_bench.run, onboarding_bench.notes)
    if only == "payments":
        return _alone("payments", payment_bench.seed, payment_bench.run, lambda rs: [payment_bench.note(rs)])
    if only == "customers":
        return _alone("customers", _customers_seed, _customers_run, _customers_notes)
    if only == "requests":
        return _alone("requests", None, request_bench.run, lambda rs: [request_bench.note(rs)])
    print(f"database {settings.DATABASES['default']['NAME']}, N={client_bench.N:,}")
    t0 = time.perf_counter()
    _seed()
    loaded = client_bench.seed()
    ctx = client_bench.prepare()
    start_data = web_bench.seed(ctx)
    # Every organization's rows are in before the first measure, and the planner's statistics
    # cover them all: a fresh database measures with the tables (and plans) a reused one has.
    request_bench.seed()
    onboarding_bench.seed()
    payment_bench.seed()
    _customers_seed()
    invitation_bench.reset(invitation_bench.seed().org)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"seeded (every organization) in {time.perf_counter() - t0:.1f}s")
    next(m for m in MEASURES if m.name == FLOOR).n = start_data.unread  # what the bell counts
    start_blocks = web_bench.block_queries(ctx)
    client_bench.explain_searches(ctx)
    client_bench.register(measure, ctx)
    web_bench.register(measure, ctx)

    client = Client()
    client.force_login(User.objects.get(email="admin@bench.test"))
    record_queries = client_bench.record_query_counts(client, ctx)
    print(
        f"\nrecord page queries: {record_queries[0]} (client with warnings, groups, navigator), "
        f"{record_queries[1]} (client with none): {'fixed' if record_queries[0] == record_queries[1] else 'NOT fixed'}"
    )
    print("start page blocks (queries, rows): " + ", ".join(f"{k} {v}" for k, v in start_blocks.items()) + "\n")
    load_ms = round(loaded.load_ms, 2)
    results = [
        {
            "name": "clients.load",
            "n": client_bench.N + client_bench.OTHER_N,
            "p50_ms": load_ms,
            "p95_ms": load_ms,
            "queries": 0,
        }
    ]
    _print(results[0])
    load_before = os.getloadavg()[0]
    for m in MEASURES:
        results.append(_time(m, client))
        _print(results[-1])
    load_after = os.getloadavg()[0]
    request_results = request_bench.run(_time, Measure)
    for r in request_results:
        _print(r)
    onboarding_results = onboarding_bench.run(_time, Measure)
    for r in onboarding_results:
        _print(r)
    payment_results = payment_bench.run(_time, Measure)
    customer_results = _customers_run(_time, Measure)
    for r in payment_results:
        _print(r)
    floor_again = _time(next(m for m in MEASURES if m.name == FLOOR), client)
    _print({**floor_again, "name": f"{FLOOR} (again)"})
    invitation_results = invitation_bench.run()
    for r in invitation_results:
        _print(r)
    by_name = {r["name"]: r for r in results}
    notes = [
        f"clients.load: {client_bench.N:,} clients in one organization + {client_bench.OTHER_N:,} in a second, "
        f"{loaded.load_ms / 1000:.1f} s ({loaded.note}). Record page (clients.record: the default section, "
        f"status; clients.record.groups: section=groups) queries: {record_queries[0]} (a client with warnings, groups, "
        f"navigator) / {record_queries[1]} (one with none). Timings: {WARMUP} warm-up runs, then {REPEAT} "
        f"(groups.bulk_add: {client_bench.BULK_REPEAT}: the job started, then run in-process as the worker would). "
        f"Load average (1 min) {load_before:.1f} before the measures, {load_after:.1f} after, on {os.cpu_count()} CPUs.",
        _floor_note(by_name[FLOOR], floor_again),
        f"web.start: the staff start page /o/bench/ as the bench admin, {by_name['web.start']['queries']} queries; "
        f"each block alone (queries, rows): "
        + ", ".join(f"{name} {q} ({rows})" for name, (q, rows) in start_blocks.items())
        + f". Over {start_data.requests:,} requests, {start_data.notifications:,} notifications of the admin "
        f"({start_data.unread:,} unread) and {start_data.invitations:,} invitations (some bounced, failed or expired "
        f"this week) in the organization of the {client_bench.N:,} clients.",
        request_bench.note(request_results),
        *onboarding_bench.notes(onboarding_results),
        payment_bench.note(payment_results),
        *_customers_notes(customer_results),
        invitation_bench.note(invitation_results),
    ]
    _write(
        results + request_results + onboarding_results + payment_results + customer_results + invitation_results,
        notes,
        merge=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
