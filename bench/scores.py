"""Score benchmark: ``scores.recalculate_all`` ("Update Clients' scores", PostgreSQL).

The organization "scores-bench" gets BENCH_SCORE_CUSTOMERS (default 2,000; the issue's target is
1,000,000) company customers, 1 in 10 inactive (never scored), unless it has them already (the
customers bench's set-based seed may fill it instead: ``seed_customers`` is only the fallback),
and six metrics, one of each kind (``seed_metrics``): a manual one with values for
BENCH_SCORE_MANUAL (default: half the customers), tenure, jobs, payment method, requests answered
in time, valid documents. The measure is the whole job, timed from ``scores_recalculate_start`` to
the job done in this process (what the worker does): per chunk one INSERT … SELECT of the history
rows computing every metric in SQL plus the upsert of their current score (customers_customerscore); wall time and rows/s.
Each run first deletes the previous runs' history rows (untimed), so every run inserts into the
same table size.

Alone: ``DATABASE_URL=postgres://…/portico_metrics_bench python -m bench.scores`` (prints, writes
nothing); the lead wires ``run`` into a BENCH_ONLY group."""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

SLUG = "scores-bench"
# 1 in 10 customers is inactive (never scored): BENCH_N customers to score by default.
N = int(os.environ.get("BENCH_SCORE_CUSTOMERS", str(int(os.environ.get("BENCH_N", "2000")) * 10 // 9 + 1)))
MANUAL = int(os.environ.get("BENCH_SCORE_MANUAL", str(N // 2)))
REPEAT = int(os.environ.get("BENCH_SCORE_REPEAT", "3"))

CLIENTS_INSERT = """
INSERT INTO clients_client (org_id, kind, record_type, name, trade_name, email, phone, date_of_birth, address,
    language, client_type_id, notes, tax_id, case_number, status, profile_id, image, thumbnail, created_at,
    created_by_id, deleted_at, deleted_by_id, time_zone)
SELECT %(org)s, 'company', 'client', 'Empresa ' || g || ' SA de CV', 'Empresa ' || g, '', '', NULL, '', 'es',
       NULL, '', 'SCO' || lpad(g::text, 9, '0'), 'SCO-B-' || lpad(g::text, 8, '0'), 'not_invited', NULL, '', '',
       now() - g * interval '1 minute', NULL, NULL, NULL, ''
FROM generate_series(%(first)s, %(last)s) AS g
"""
CUSTOMERS_INSERT = """
INSERT INTO customers_customer (client_id, org_id, status, industry, website, payment_terms, credit_limit, currency,
    sales_owner_id, regimen_fiscal, uso_cfdi, fiscal_postal_code, sat69b_situation, sat69b_checked_at,
    freshbooks_id, freshbooks_connected_at, created_at, updated_at)
SELECT c.id, c.org_id, CASE WHEN c.id %% 10 = 0 THEN 'INAC' WHEN c.id %% 3 = 0 THEN 'PAIN' ELSE 'ACTV' END,
       '', '', '', NULL, 'MXN', NULL, '', '', '', '', NULL, '', NULL, c.created_at - (c.id %% 1000) * interval '1 day', now()
FROM clients_client c
WHERE c.org_id = %(org)s AND c.kind = 'company' AND NOT EXISTS (SELECT 1 FROM customers_customer x WHERE x.client_id = c.id)
"""
MANUAL_INSERT = """
INSERT INTO metrics_manualvalue (metric_id, customer_id, value, updated_at, updated_by_id)
SELECT %(metric)s, c.client_id, (c.client_id %% 11)::numeric, now(), NULL
FROM customers_customer c WHERE c.org_id = %(org)s ORDER BY c.client_id LIMIT %(n)s
"""


def _org() -> Any:
    from bench.clients import world_ensure

    return world_ensure(SLUG)


def seed_customers(org: Any, n: int) -> int:
    """Fallback: N company customers in ``org`` (set-based), if it has fewer. Returns how many it has."""
    from django.db import connection, transaction

    from portico.customers.models import Customer

    have = Customer.objects.filter(org=org).count()
    if have >= n:
        return have
    print(f"scores: loading {n - have:,} company customers into '{org.slug}'")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(CLIENTS_INSERT, {"org": org.pk, "first": have + 1, "last": n})
        cursor.execute(CUSTOMERS_INSERT, {"org": org.pk})
    with connection.cursor() as cursor:
        for table in ("clients_client", "customers_customer"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    return Customer.objects.filter(org=org).count()


def seed_metrics(org: Any, n_manual_values: int) -> list[Any]:
    """Six metrics, one of each kind (the catalog replaced), and the manual one's values for the
    first ``n_manual_values`` customers (one INSERT … SELECT)."""
    from django.db import connection, transaction

    from portico.core.actors import Actor
    from portico.metrics.actions import metric_create
    from portico.metrics.models import Metric, MetricKind

    actor = Actor.system()
    with transaction.atomic():
        Metric.objects.filter(org=org).delete()
        specs = [
            ("Relationship", MetricKind.MANUAL, "3", "10"),
            ("Tenure", MetricKind.TENURE, "2", "24"),
            ("Jobs", MetricKind.JOBS, "1.5", "5"),
            ("Card on file", MetricKind.PAYMENT_METHOD, "1", "1"),
            ("Requests on time", MetricKind.REQUESTS_ON_TIME, "2", "1"),
            ("Valid documents", MetricKind.VALID_DOCUMENTS, "1", "3"),
        ]
        metrics = [
            metric_create(org=org, actor=actor, name=name, kind=kind, weight=weight, scale_max=scale)
            for name, kind, weight, scale in specs
        ]
        with connection.cursor() as cursor:
            cursor.execute(MANUAL_INSERT, {"metric": metrics[0].pk, "org": org.pk, "n": n_manual_values})
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) metrics_manualvalue")
    return metrics


def seed() -> Any:
    org = _org().org
    seed_customers(org, N)
    seed_metrics(org, MANUAL)
    return org


def _reset(org: Any, *, keep_scores: bool = False) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM metrics_scoreentry WHERE org_id = %s", [org.pk])
        cursor.execute("DELETE FROM jobs_job WHERE org_id = %s AND kind = 'scores.recalculate_all'", [org.pk])
        if not keep_scores:
            cursor.execute("DELETE FROM customers_customerscore WHERE org_id = %s", [org.pk])
        cursor.execute("VACUUM (ANALYZE) metrics_scoreentry")
        cursor.execute("VACUUM (ANALYZE) customers_customerscore")


def _once(org: Any) -> tuple[float, Any]:
    from bench.clients import job_run_here, tasks_queued_drop
    from portico.core.actors import Actor
    from portico.metrics.actions import scores_recalculate_start

    start = time.perf_counter()
    job = scores_recalculate_start(org=org, actor=Actor.system())
    job = job_run_here(job)
    elapsed = time.perf_counter() - start
    tasks_queued_drop()
    assert job.state == "done" and job.count("scored") == job.total, (job.state, job.counts, job.error)
    return elapsed, job


def _measure(org: Any, name: str, *, keep_scores: bool) -> dict[str, Any]:
    timings, job = [], None
    for i in range(REPEAT):
        _reset(org, keep_scores=keep_scores)
        seconds, job = _once(org)
        timings.append(seconds * 1000)
        print(f"  {name} run {i + 1}: {seconds:.2f} s, {job.total:,} customers")
    assert job is not None
    timings.sort()
    p50 = statistics.median(timings)
    return {
        "name": name,
        "n": job.total,
        "p50_ms": round(p50, 2),
        "p95_ms": round(timings[-1], 2),  # the slowest run
        "queries": None,
        "rate": round(job.total / (p50 / 1000), 1),
        "runs": REPEAT,
        "chunks": -(-job.total // _chunk()),
    }


def run(*_args: Any) -> list[dict[str, Any]]:
    """``scores.recalculate_all``: every customer without a score yet (each score changes: the
    worst case, every customer gets a new customers_customerscore row), REPEAT runs after an untimed warm-up;
    ``scores.recalculate_all.again``: the same customers scored again (their scores unchanged)."""
    org = seed()
    _reset(org)
    _once(org)  # warm-up: imports, plans
    first = _measure(org, "scores.recalculate_all", keep_scores=False)
    again = _measure(org, "scores.recalculate_all.again", keep_scores=True)
    return [first, again]


def _chunk() -> int:
    from portico.jobs.kinds import job_kind
    from portico.metrics.bulk import KIND

    return job_kind(KIND).chunk_size


def note(results: list[dict[str, Any]]) -> str:
    r, again = results[0], results[1]
    return (
        f"scores.recalculate_all: {r['n']:,} customers that are not inactive (1 in 10 of the organization's are, "
        f"skipped), six metrics of every kind (manual values for {MANUAL:,}); the whole job from the action to done, "
        f"in this process, {r['chunks']} chunks of one INSERT … SELECT + upsert each: "
        f"{r['p50_ms'] / 1000:.2f} s (p50 of {r['runs']}), {r['rate']:,} customers/s; scored again (scores unchanged): "
        f"{again['p50_ms'] / 1000:.2f} s, {again['rate']:,} customers/s."
    )


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portico.settings_test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    from bench.run import _ensure_database

    setup_test_environment()
    _ensure_database()
    call_command("migrate", verbosity=0)
    found = run()
    for line in found:
        print(line)
    print(note(found))
