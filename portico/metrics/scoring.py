"""How a customer's score is computed, twice: in Python for one customer ("Update score") and in
SQL for a chunk of customers (the bulk job: one INSERT … SELECT, no Python per customer). Both
follow the same rules, to the same decimals, and a test scores the same customers both ways.

Each metric's raw value becomes 0..1 (``normalized``, rounded to 4 decimals, half up):
- manual: the value entered / full marks (no value: raw null, 0);
- tenure: whole months since the customer was created (UTC) / full marks;
- jobs: the client's jobs that are not cancelled / full marks;
- payment method: 1 if the client has an active payment method, else 0;
- requests on time: of the client's requests that are due (answered, or older than the hours to
  answer), the share whose first staff answer came within the hours to answer (4 decimals),
  / full marks (1 = all of them). No request due yet: raw null and 1 — nothing was late;
- valid documents: the customer's compliance documents not expired (no expiry date, or expiring
  today or later) / full marks.
score = 100 × Σ(weight × normalized) / Σ(weight), rounded to 2 decimals (half up).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import Case, Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, When
from django.utils.translation import gettext as _

from portico.core.errors import PorticoError
from portico.customers.models import ComplianceDocument, Customer, CustomerScore, CustomerStatus
from portico.metrics.models import ManualValue, Metric, MetricKind, ScoreEntry
from portico.payments.models import PaymentMethod, PaymentMethodState
from portico.requests.models import ClientRequest, RequestMessage
from portico.work.models import Job as WorkJob
from portico.work.models import JobState as WorkJobState

FOUR = Decimal("0.0001")
TWO = Decimal("0.01")
ONE = Decimal("1")


@dataclass(frozen=True)
class Spec:
    """A metric as a calculation uses it (read once, before the customers)."""

    id: int
    name: str
    kind: str
    weight: Decimal
    scale_max: Decimal
    hours_to_answer: int

    @staticmethod
    def to_params(specs: list[Spec]) -> list[dict[str, Any]]:
        """The metrics as a job keeps them (JSON), read back by ``from_params``."""
        return [
            {
                **{f: getattr(s, f) for f in ("id", "name", "kind", "hours_to_answer")},
                "weight": str(s.weight),
                "scale_max": str(s.scale_max),
            }
            for s in specs
        ]

    @classmethod
    def from_params(cls, params: list[dict[str, Any]]) -> list[Spec]:
        return [
            cls(
                id=m["id"],
                name=m["name"],
                kind=m["kind"],
                weight=Decimal(m["weight"]),
                scale_max=Decimal(m["scale_max"]),
                hours_to_answer=m["hours_to_answer"],
            )
            for m in params
        ]

    @classmethod
    def of(cls, metric: Metric) -> Spec:
        return cls(
            id=metric.pk,
            name=metric.name,
            kind=metric.kind,
            weight=Decimal(metric.weight),
            scale_max=Decimal(metric.scale_max),
            hours_to_answer=metric.hours_to_answer,
        )


def specs_for(org: Any) -> list[Spec]:
    """The organization's metrics in use; refused when there is none (no score to compute)."""
    specs = [Spec.of(m) for m in Metric.objects.filter(org=org, active=True).order_by("position", "id")]
    if not specs:
        raise PorticoError(_("Add a metric to the catalog first."), code="no_metrics")
    return specs


def scoreable(org: Any) -> QuerySet[Customer]:
    """The customers a calculation scores: every one that is not inactive (PAIN and ACTV)."""
    return Customer.objects.filter(org=org).exclude(status=CustomerStatus.INACTIVE)


# --- Python: one customer ---


def _q4(value: Decimal) -> Decimal:
    return value.quantize(FOUR, rounding=ROUND_HALF_UP)


def months_between(start: dt.datetime, today: dt.date) -> int:
    """Whole months from ``start`` (read in UTC) to ``today``; never negative."""
    start = start.astimezone(dt.UTC)
    months = (today.year - start.year) * 12 + (today.month - start.month) - (1 if start.day > today.day else 0)
    return max(0, months)


def normalize(spec: Spec, raw: Decimal | None) -> Decimal:
    if spec.kind == MetricKind.PAYMENT_METHOD:
        return ONE if raw else Decimal(0)
    if raw is None:
        return ONE if spec.kind == MetricKind.REQUESTS_ON_TIME else Decimal(0)
    return _q4(min(ONE, max(Decimal(0), Decimal(raw) / spec.scale_max)))


def raw_value(spec: Spec, customer: Customer, *, now: dt.datetime) -> Decimal | None:
    today = now.astimezone(dt.UTC).date()
    if spec.kind == MetricKind.MANUAL:
        found = ManualValue.objects.filter(metric_id=spec.id, customer=customer).values_list("value", flat=True)
        return Decimal(found[0]) if found else None
    if spec.kind == MetricKind.TENURE:
        return Decimal(months_between(customer.created_at, today))
    if spec.kind == MetricKind.JOBS:
        return Decimal(WorkJob.objects.filter(client_id=customer.pk).exclude(state=WorkJobState.CANCELLED).count())
    if spec.kind == MetricKind.PAYMENT_METHOD:
        active = PaymentMethod.objects.filter(client_id=customer.pk, state=PaymentMethodState.ACTIVE).exists()
        return Decimal(1 if active else 0)
    if spec.kind == MetricKind.REQUESTS_ON_TIME:
        limit = dt.timedelta(hours=spec.hours_to_answer)
        due = on_time = 0
        requests = ClientRequest.objects.filter(client_id=customer.pk).annotate(
            answered_at=Subquery(_staff_answers(OuterRef("pk")).order_by("created_at").values("created_at")[:1])
        )
        for created_at, answered_at in requests.values_list("created_at", "answered_at"):
            if answered_at is not None or created_at <= now - limit:
                due += 1
                if answered_at is not None and answered_at <= created_at + limit:
                    on_time += 1
        return _q4(Decimal(on_time) / Decimal(due)) if due else None
    if spec.kind == MetricKind.VALID_DOCUMENTS:
        return Decimal(ComplianceDocument.objects.filter(customer=customer).filter(_not_expired(today)).count())
    raise ValueError(spec.kind)


def breakdown_for(customer: Customer, specs: list[Spec], *, now: dt.datetime) -> tuple[Decimal, list[dict[str, Any]]]:
    """The score of one customer and its breakdown (what a ScoreEntry stores)."""
    total = Decimal(0)
    rows = []
    for spec in specs:
        raw = raw_value(spec, customer, now=now)
        normalized = normalize(spec, raw)
        total += spec.weight * normalized
        rows.append(_row(spec, raw, normalized))
    weights = sum((s.weight for s in specs), Decimal(0))
    return (100 * total / weights).quantize(TWO, rounding=ROUND_HALF_UP), rows


def _row(spec: Spec, raw: Decimal | None, normalized: Decimal) -> dict[str, Any]:
    # Numbers as JSON numbers (what the SQL writes too): a float of the decimal.
    return {
        "id": spec.id,
        "name": spec.name,
        "kind": spec.kind,
        "weight": float(spec.weight),
        "raw": None if raw is None else float(raw),
        "normalized": float(normalized),
    }


def _staff_answers(request_ref: Any) -> QuerySet[RequestMessage]:
    return RequestMessage.objects.filter(client_request=request_ref, from_client=False, internal=False)


def _not_expired(today: dt.date) -> Q:
    return Q(expires_on__isnull=True) | Q(expires_on__gte=today)


# --- SQL: a chunk of customers ---


class _Sql(Func):
    """A bit of SQL per database over compiled arguments ``{0}``, ``{1}`` … each used once, in
    order (their parameters follow the same order)."""

    def __init__(self, postgresql: str, sqlite: str, *args: Any, output_field: Any = None) -> None:
        super().__init__(*args, output_field=output_field or IntegerField())
        self.templates = {"postgresql": postgresql, "sqlite": sqlite}

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        parts, params = [], []
        for arg in self.source_expressions:
            sql, arg_params = compiler.compile(arg)
            parts.append(sql)
            params.extend(arg_params)
        return self.templates[connection.vendor].format(*parts), params


def _count(qs: QuerySet[Any]) -> Any:
    """How many rows of a correlated queryset (one aggregate row, 0 when none)."""
    return Subquery(qs.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"), output_field=IntegerField())


def _deadline(created_at: Any, hours: int) -> _Sql:
    return _Sql(
        f"({{0}} + INTERVAL '{int(hours)} hours')",
        f"strftime('%%Y-%%m-%%d %%H:%%M:%%f', {{0}}, '+{int(hours)} hours')",
        created_at,
    )


def raw_sql(spec: Spec, *, now: dt.datetime) -> Any:
    """The raw value of ``spec`` for the outer customer row (NULL where Python says None)."""
    today = now.astimezone(dt.UTC).date()
    if spec.kind == MetricKind.MANUAL:
        return Subquery(ManualValue.objects.filter(metric_id=spec.id, customer_id=OuterRef("pk")).values("value")[:1])
    if spec.kind == MetricKind.TENURE:
        y, m, d = today.year, today.month, today.day
        return _Sql(
            f"GREATEST(0, ({y} - EXTRACT(YEAR FROM ({{0}} AT TIME ZONE 'UTC'))) * 12"
            f" + ({m} - EXTRACT(MONTH FROM ({{1}} AT TIME ZONE 'UTC')))"
            f" - CASE WHEN EXTRACT(DAY FROM ({{2}} AT TIME ZONE 'UTC')) > {d} THEN 1 ELSE 0 END)",
            f"MAX(0, ({y} - CAST(strftime('%%Y', {{0}}) AS INTEGER)) * 12"
            f" + ({m} - CAST(strftime('%%m', {{1}}) AS INTEGER))"
            f" - CASE WHEN CAST(strftime('%%d', {{2}}) AS INTEGER) > {d} THEN 1 ELSE 0 END)",
            F("created_at"),
            F("created_at"),
            F("created_at"),
        )
    if spec.kind == MetricKind.JOBS:
        return _count(WorkJob.objects.filter(client_id=OuterRef("pk")).exclude(state=WorkJobState.CANCELLED))
    if spec.kind == MetricKind.PAYMENT_METHOD:
        return Case(
            When(
                Exists(PaymentMethod.objects.filter(client_id=OuterRef("pk"), state=PaymentMethodState.ACTIVE)), then=1
            ),
            default=0,
            output_field=IntegerField(),
        )
    if spec.kind == MetricKind.REQUESTS_ON_TIME:
        requests = ClientRequest.objects.filter(client_id=OuterRef("pk"))
        answered = Exists(_staff_answers(OuterRef("pk")))
        in_time = Exists(
            _staff_answers(OuterRef("pk")).filter(
                created_at__lte=_deadline(OuterRef("created_at"), spec.hours_to_answer)
            )
        )
        due = _count(requests.filter(Q(created_at__lte=now - dt.timedelta(hours=spec.hours_to_answer)) | Q(answered)))
        on_time = _count(requests.filter(in_time))
        return _Sql(
            "(SELECT CASE WHEN d = 0 THEN NULL ELSE ROUND(CAST(o AS numeric) / d, 4) END FROM (SELECT {0} AS d, {1} AS o) AS r)",
            "(SELECT CASE WHEN d = 0 THEN NULL ELSE ROUND(CAST(o AS REAL) / d, 4) END FROM (SELECT {0} AS d, {1} AS o) AS r)",
            due,
            on_time,
        )
    if spec.kind == MetricKind.VALID_DOCUMENTS:
        return _count(ComplianceDocument.objects.filter(customer_id=OuterRef("pk")).filter(_not_expired(today)))
    raise ValueError(spec.kind)


def _normalized_sql(spec: Spec, raw: str) -> str:
    """SQL of the normalized value over the raw column ``raw`` (constants inlined: they are ours)."""
    pg = connection.vendor == "postgresql"
    if spec.kind == MetricKind.PAYMENT_METHOD:
        return f"(CASE WHEN {raw} > 0 THEN 1 ELSE 0 END)"
    none = "1" if spec.kind == MetricKind.REQUESTS_ON_TIME else "0"
    scale = f"CAST('{spec.scale_max}' AS numeric)" if pg else f"{float(spec.scale_max)!r}"
    value = f"CAST({raw} AS numeric)" if pg else f"CAST({raw} AS REAL)"
    least, greatest = ("LEAST", "GREATEST") if pg else ("MIN", "MAX")
    return f"(CASE WHEN {raw} IS NULL THEN {none} ELSE ROUND({least}(1, {greatest}(0, {value} / {scale})), 4) END)"


def _weight_sql(spec: Spec) -> str:
    return f"CAST('{spec.weight}' AS numeric)" if connection.vendor == "postgresql" else f"{float(spec.weight)!r}"


def _compact_breakdown_sql(specs: list[Spec], pg: bool) -> tuple[str, list[Any]]:
    """A bulk job's breakdown: only the raw values, a JSON array in the order of the job's metrics
    (its params keep them: ``entry_rows`` rebuilds the rows for display). Reading the full rows as
    jsonb cost about half of each chunk's SELECT on PostgreSQL (~15 s of a 1,000,000 run)."""
    if pg:
        return f"to_jsonb(ARRAY[{', '.join(f'CAST(norm.r{i} AS numeric)' for i in range(len(specs)))}])", []
    return f"json_array({', '.join(f'norm.r{i}' for i in range(len(specs)))})", []


def entry_rows(entry: ScoreEntry) -> list[dict[str, Any]]:
    """A history row's breakdown per metric (what the page and the API show): stored whole by
    "Update score", or (a bulk job's) the raw values read with the metrics the job kept."""
    stored = entry.breakdown or []
    if not stored or isinstance(stored[0], dict):
        return list(stored)
    specs = Spec.from_params(entry.job.params["metrics"]) if entry.job else []
    return [
        _row(
            spec,
            None if raw is None else Decimal(str(raw)),
            normalize(spec, None if raw is None else Decimal(str(raw))),
        )
        for spec, raw in zip(specs, stored, strict=False)
    ]


def _breakdown_sql(specs: list[Spec], pg: bool) -> tuple[str, list[Any]]:
    """The breakdown JSON over the columns norm.r<i> (raw) and norm.n<i> (normalized). PostgreSQL:
    the text made by concatenation (the constant parts JSON-encoded here, as parameters) and read
    as jsonb once, several times cheaper than jsonb_build_object per metric and row. SQLite:
    json_object."""
    if not pg:
        items, params = [], []
        for i, s in enumerate(specs):
            items.append(
                f"json_object('id', {int(s.id)}, 'name', %s, 'kind', %s, 'weight', {_weight_sql(s)},"
                f" 'raw', norm.r{i}, 'normalized', norm.n{i})"
            )
            params += [s.name, str(s.kind)]
        return f"json_array({', '.join(items)})", params
    parts, params = [], []
    for i, s in enumerate(specs):
        head = json.dumps({"id": s.id, "name": s.name, "kind": str(s.kind), "weight": float(s.weight)})[:-1]
        parts.append(
            f"%s || COALESCE(CAST(norm.r{i} AS text), 'null') || ', \"normalized\": ' || CAST(norm.n{i} AS text)"
        )
        params.append(("[" if i == 0 else "}, ") + head + ', "raw": ')
    return f"CAST({' || '.join(parts)} || '}}]' AS jsonb)", params


def score_select_sql(
    source: QuerySet[Customer], specs: list[Spec], *, now: dt.datetime, compact: bool = False
) -> tuple[str, list[Any]]:
    """SELECT customer_id, org_id, score, breakdown for every customer of ``source``: the raw
    values in an inner query (each metric's subqueries run once per customer), then the
    normalized values, the score and the breakdown JSON over them."""
    pg = connection.vendor == "postgresql"
    inner = source.order_by().annotate(**{f"r{i}": raw_sql(s, now=now) for i, s in enumerate(specs)})
    inner = inner.values("client_id", "org_id", *[f"r{i}" for i in range(len(specs))])
    sql, inner_params = inner.query.sql_with_params()
    fence = " OFFSET 0" if pg else " LIMIT -1 OFFSET 0"  # keeps each subquery from being inlined twice
    normalized = ", ".join(f"{_normalized_sql(s, f'raw.r{i}')} AS n{i}" for i, s in enumerate(specs))
    weights = sum((s.weight for s in specs), Decimal(0))
    total = " + ".join(f"{_weight_sql(s)} * norm.n{i}" for i, s in enumerate(specs))
    denominator = f"CAST('{weights}' AS numeric)" if pg else f"{float(weights)!r}"
    breakdown, params = (_compact_breakdown_sql if compact else _breakdown_sql)(specs, pg)
    # Our own SQL: constants we made; names and values are parameters.
    select = (
        f"SELECT norm.client_id AS customer_id, norm.org_id AS org_id,"  # noqa: S608
        f" ROUND(100 * ({total}) / {denominator}, 2) AS score, {breakdown} AS breakdown"
        f" FROM (SELECT raw.*, {normalized} FROM ({sql}{fence}) AS raw{fence}) AS norm"
    )
    return select, [*params, *inner_params]


def scores_write_sql(
    source: QuerySet[Customer],
    specs: list[Spec],
    *,
    now: dt.datetime,
    job_id: int | None,
    id_range: tuple[int, int] | None = None,
) -> int:
    """Score every customer of ``source`` in the database: one INSERT … SELECT of their history
    rows and one upsert of their current score into the narrow customers_customerscore (on
    PostgreSQL one statement: the upsert reads the rows the INSERT returns; the wide customers
    table is not written at all). ``id_range``: the first and last customer id of ``source`` (a
    chunk), so SQLite's upsert reads only those. Returns how many customers were scored."""
    # A job's rows keep only the raw values (the job keeps the metrics); alone, the whole rows.
    select, params = score_select_sql(source, specs, now=now, compact=job_id is not None)
    at = connection.ops.adapt_datetimefield_value(now)
    entry, current = ScoreEntry._meta.db_table, CustomerScore._meta.db_table
    upsert = " ON CONFLICT (customer_id) DO UPDATE SET score = EXCLUDED.score, scored_at = EXCLUDED.scored_at"
    insert = (
        f"INSERT INTO {entry} (customer_id, org_id, score, breakdown, job_id, computed_at)"  # noqa: S608
        f" SELECT s.customer_id, s.org_id, s.score, s.breakdown, %s, %s FROM ({select}) AS s"
    )
    low, high = id_range or (0, 2**63 - 1)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if not connection.get_autocommit():
                # Compiling this statement costs more than it saves on a chunk (~75 ms each).
                cursor.execute("SET LOCAL jit = off")
                # A crash may lose the last chunks committed this way (never a torn one): harmless,
                # their rows are all-or-nothing and rewritten when the job runs that chunk again
                # (a scored customer is simply scored again). Saves a WAL flush wait per chunk.
                cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute(
                f"WITH ins AS ({insert} RETURNING customer_id, org_id, score)"  # noqa: S608 (our own SQL; values are parameters)
                f" INSERT INTO {current} (customer_id, org_id, score, scored_at)"
                f" SELECT ins.customer_id, ins.org_id, ins.score, %s FROM ins{upsert}",
                [job_id, at, *params, at],
            )
            return cursor.rowcount
        cursor.execute(insert, [job_id, at, *params])
        written = cursor.rowcount
        # "WHERE … ON CONFLICT": SQLite would read a bare "FROM … ON" as a join's ON clause.
        cursor.execute(
            f"INSERT INTO {current} (customer_id, org_id, score, scored_at)"  # noqa: S608
            f" SELECT e.customer_id, e.org_id, e.score, %s FROM {entry} AS e"
            f" WHERE e.customer_id BETWEEN %s AND %s AND e.computed_at = %s"
            f" AND {'e.job_id = %s' if job_id else 'e.job_id IS NULL'}{upsert}",
            [at, low, high, at, *([job_id] if job_id else [])],
        )
        return written
