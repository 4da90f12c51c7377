"""Reads of the onboarding journey: the organization's settings, the board (a column per step,
longest waiting first, keyset pages), one client's progress, the portal checklist, the funnel
report. Organization-scoped; another organization's ids are a 404."""

from __future__ import annotations

import datetime as dt
import json
import statistics
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DateTimeField,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portico.accounts.models import User
from portico.agreements.models import Agreement, AgreementState
from portico.clients.models import Client, NavigatorAssignment
from portico.clients.selectors import client_records_organized_by
from portico.core.keyset import EXACT_COUNT_LIMIT, Page, cursor_encode, keyset_page
from portico.core.timezones import time_zone_get
from portico.estimates.models import Estimate, EstimateState
from portico.journey.models import COMPLETE, DIRECT, Journey, JourneySettings
from portico.journey.steps import Step, step_get, steps_all
from portico.leads.models import Lead, LeadSource
from portico.orgs.models import Organization
from portico.payments.models import PaymentMethod, PaymentMethodKind, PaymentMethodState
from portico.work.models import Job, JobOrigin

COLUMN_SIZE = 10  # clients shown per column; "More" pages through the rest
COLUMN_PAGE_SIZE = 50


def journey_settings_of(*, org: Organization) -> JourneySettings:
    """The organization's settings, or the defaults (unsaved) until they are first saved."""
    return JourneySettings.objects.filter(org=org).first() or JourneySettings(org=org)


def local_day(time_zone: str, now: dt.datetime) -> dt.date:
    """The date it is in ``time_zone`` at ``now``."""
    return now.astimezone(time_zone_get(time_zone)).date()


def quiet_now(config: JourneySettings, time_zone: str, now: dt.datetime) -> bool:
    """Whether ``now`` falls in the quiet hours of ``config`` in ``time_zone`` (e.g. 20:00–08:00)."""
    start, end = config.quiet_start, config.quiet_end
    if start == end:
        return False
    local = now.astimezone(time_zone_get(time_zone)).time()
    return start <= local < end if start < end else (local >= start or local < end)


# --- the board ---


SOURCES: list[tuple[str, Any]] = [*LeadSource.choices, (DIRECT, _("Direct (no lead)"))]


@dataclass
class BoardFilters:
    navigator: int | None = None
    source: str = ""
    started_from: dt.date | None = None
    started_to: dt.date | None = None

    @property
    def active(self) -> bool:
        return bool(self.navigator or self.source or self.started_from or self.started_to)


@dataclass
class BoardRow:
    """One client on the board: what its row shows (the view adds the links)."""

    pk: int
    client_id: int
    client_name: str
    step_entered_at: dt.datetime
    stalled: bool = False


@dataclass
class Column:
    step: Step
    count: int
    stalled: int
    page: Page[Any]  # BoardRow rows
    estimated: bool = False  # counts are the planner's estimate ("about N"), as list totals are


@dataclass
class Board:
    columns: list[Column]
    complete: int
    complete_estimated: bool
    stalled_after_days: int
    cutoff: dt.datetime  # entered before this: stalled


def _day_start(day: dt.date, org: Organization) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=time_zone_get(org.time_zone))


def journey_queryset(*, org: Organization, filters: BoardFilters) -> QuerySet[Journey]:
    """The organization's journeys of live records, filtered."""
    qs = Journey.objects.filter(org=org, stopped_at=None)
    if filters.navigator:
        qs = qs.filter(
            Exists(NavigatorAssignment.objects.filter(client=OuterRef("client_id"), user_id=filters.navigator))
        )
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.started_from:
        qs = qs.filter(started_at__gte=_day_start(filters.started_from, org))
    if filters.started_to:
        qs = qs.filter(started_at__lt=_day_start(filters.started_to + dt.timedelta(days=1), org))
    return qs


_STEP = "\x00journey-step"  # stands for the step in a query compiled once for every step


class _Compiled:
    """A queryset with ``current_step=_STEP`` compiled once; ``bind(step)`` gives its SQL and
    parameters for one step (the board repeats the same query per step: compiling it once each
    time would cost more than running it)."""

    def __init__(self, qs: QuerySet[Any]) -> None:
        sql, params = qs.query.sql_with_params()
        self.sql, self.params = sql, list(params)
        assert _STEP in self.params

    @classmethod
    def limited(cls, part: _Compiled, limit: int) -> _Compiled:
        """``part`` (no ORDER BY, no LIMIT) stopping after ``limit`` rows."""
        capped = cls.__new__(cls)
        capped.sql, capped.params = f"{part.sql} LIMIT {int(limit)}", part.params
        return capped

    def bind(self, step: str) -> list[Any]:
        return [step if p == _STEP else p for p in self.params]


def _as_datetime(value: Any) -> dt.datetime:
    """A timestamp from a raw row (SQLite gives text, naive UTC)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _estimates(parts: list[_Compiled], steps: list[str]) -> list[int]:
    """The planner's row estimates of several counts in one EXPLAIN (PostgreSQL): the plan of a
    UNION ALL is an Append whose children, in order, are the parts' scans."""
    # Compiled ORM SQL with placeholders and Python ints only: every value is a parameter.
    sql = " UNION ALL ".join(f"SELECT * FROM ({part.sql}) AS p{i}" for i, part in enumerate(parts))  # noqa: S608
    params = [p for part, step in zip(parts, steps, strict=True) for p in part.bind(step)]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    root = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
    nodes = root["Plans"] if root["Node Type"] == "Append" and len(parts) > 1 else [root]
    return [int(node["Plan Rows"]) for node in nodes]


def journey_board(*, org: Organization, filters: BoardFilters, per_column: int = COLUMN_SIZE) -> Board:
    """The board: per step, its longest-waiting clients and how many are at it and stalled, and
    the completed count, in a fixed number of queries whatever the number of journeys: the
    settings; on PostgreSQL one EXPLAIN giving the planner's estimate of every count (no scan);
    then ONE query, a UNION ALL of, per step, an index range of its first rows (the client's name
    joined) and, for a count estimated at EXACT_COUNT_LIMIT or less, an exact count that stops
    after EXACT_COUNT_LIMIT + 1 rows. Counts above the limit are shown as "about N", as list
    totals are (``queryset_count``); SQLite, the small embedded database, counts exactly. Steps
    the organization does not use appear only while someone is at one."""
    config = journey_settings_of(org=org)
    cutoff = timezone.now() - dt.timedelta(days=config.stalled_after_days)
    base = journey_queryset(org=org, filters=filters)
    at_step = base.filter(current_step=_STEP)
    stalled_qs = at_step.filter(step_entered_at__lt=cutoff)
    size = max(per_column, 1)
    steps = steps_all()
    keys = [s.key for s in steps]
    # The counts: (kind, step): kind 1 = at the step, 2 = stalled at it; COMPLETE counted as kind 1.
    wanted = [(kind, key) for key in keys for kind in (1, 2)] + [(1, COMPLETE)]
    plain = {1: _Compiled(at_step.order_by().values("pk")), 2: _Compiled(stalled_qs.order_by().values("pk"))}
    counts: dict[tuple[int, str], int] = {}
    estimated: set[tuple[int, str]] = set()
    if connection.vendor == "postgresql":
        found = _estimates([plain[kind] for kind, _key in wanted], [key for _kind, key in wanted])
        for part, estimate in zip(wanted, found, strict=True):
            if estimate > EXACT_COUNT_LIMIT:
                counts[part] = estimate
                estimated.add(part)
    # The plain counts' SQL has no ORDER BY nor LIMIT: capping it is appending one (no compile).
    capped = {kind: _Compiled.limited(plain[kind], EXACT_COUNT_LIMIT + 1) for kind in (1, 2)}
    rows_part = _Compiled(
        at_step.order_by("step_entered_at", "id").values_list("id", "client_id", "step_entered_at", "client__name")[
            : size + 1
        ]
    )
    sql: list[str] = []
    params: list[Any] = []
    positions = {key: i for i, key in enumerate([*keys, COMPLETE])}  # Python ints in the SQL
    if per_column:
        for key in keys:
            sql.append(f"SELECT 0, {positions[key]}, r.* FROM ({rows_part.sql}) AS r")  # noqa: S608 (ints, ORM SQL)
            params += rows_part.bind(key)
    for kind, key in wanted:
        if (kind, key) not in estimated:
            capped_sql = capped[kind].sql
            sql.append(f"SELECT {kind}, {positions[key]}, COUNT(*), NULL, NULL, NULL FROM ({capped_sql}) AS c")  # noqa: S608
            params += capped[kind].bind(key)
    rows: dict[str, list[BoardRow]] = {key: [] for key in keys}
    by_position = [*keys, COMPLETE]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(sql), params)
        for kind, i, a, client_id, entered, name in cursor.fetchall():
            if kind == 0:
                at = _as_datetime(entered)
                rows[by_position[i]].append(BoardRow(pk=a, client_id=client_id, client_name=name, step_entered_at=at))
            else:
                counts[kind, by_position[i]] = a
    for part, n in counts.items():
        if n > EXACT_COUNT_LIMIT and part not in estimated:
            if connection.vendor == "postgresql":  # the estimate was low: "about" the capped count
                estimated.add(part)
            else:
                exact = base.filter(current_step=part[1])
                counts[part] = (exact if part[0] == 1 else exact.filter(step_entered_at__lt=cutoff)).count()
    columns = []
    for step in steps:
        found_rows = rows[step.key]
        count = counts[1, step.key]
        used = not step.optional or step.key in config.optional_steps
        if not count and not used:
            continue
        found_rows.sort(key=lambda r: (r.step_entered_at, r.pk))
        next_cursor = None
        if len(found_rows) > size:
            found_rows = found_rows[:size]
            next_cursor = cursor_encode([found_rows[-1].step_entered_at, found_rows[-1].pk])
        for row in found_rows:
            row.stalled = row.step_entered_at < cutoff
        columns.append(
            Column(
                step=step,
                count=count,
                stalled=counts[2, step.key],
                page=Page(rows=found_rows, next_cursor=next_cursor),
                estimated=(1, step.key) in estimated or (2, step.key) in estimated,
            )
        )
    return Board(
        columns=columns,
        complete=counts[1, COMPLETE],
        complete_estimated=(1, COMPLETE) in estimated,
        stalled_after_days=config.stalled_after_days,
        cutoff=cutoff,
    )


def journey_column_page(
    *, org: Organization, filters: BoardFilters, step: str, cursor: str = "", page_size: int = COLUMN_PAGE_SIZE
) -> Page[Journey]:
    """One column's clients, longest in the step first, by keyset (step_entered_at, id); each
    row has ``client_name`` (the client's name, joined)."""
    qs = (
        journey_queryset(org=org, filters=filters)
        .filter(current_step=step)
        .annotate(client_name=F("client__name"))
        .only("id", "client_id", "step_entered_at")
    )
    return keyset_page(qs, order=("step_entered_at", "id"), cursor=cursor, page_size=page_size)


def journey_get(*, org: Organization, journey_id: int) -> Journey:
    return get_object_or_404(
        Journey.objects.filter(org=org, client__deleted_at=None).select_related("client", "org"), pk=journey_id
    )


def journey_of(*, client: Client) -> Journey | None:
    return Journey.objects.filter(client=client).first()


# --- one client's progress (the API, the portal checklist) ---


@dataclass
class StepState:
    key: str
    label: str
    todo: str
    done: bool
    at: dt.datetime | None
    current: bool
    estimate_id: int | None = None  # the estimate to open, for the estimate step
    url: str = ""  # the portal page where the client does it (the checklist's link)
    journey_id: int | None = None  # set in the portal checklist
    waiting: bool = False  # the client did their part; someone else's answer is awaited (ACH verification)


@dataclass
class ProgressView:
    journey: Journey | None
    steps: list[StepState] = field(default_factory=list)
    stalled: bool = False
    job_id: int | None = None  # the job made when the journey completed
    job_label: str = ""


def progress_view(*, journey: Journey | None, config: JourneySettings | None = None) -> ProgressView:
    if journey is None:
        return ProgressView(journey=None)
    states = []
    for key in journey.steps:
        step = step_get(key)
        at = journey.reached.get(key)
        states.append(
            StepState(
                key=key,
                label=str(step.label) if step else key,
                todo=str(step.todo) if step else key,
                done=at is not None,
                at=dt.datetime.fromisoformat(at) if at else None,
                current=key == journey.current_step,
            )
        )
    config = config or journey_settings_of(org=journey.org)
    stalled = (
        journey.current_step != COMPLETE
        and journey.stopped_at is None
        and journey.step_entered_at < timezone.now() - dt.timedelta(days=config.stalled_after_days)
    )
    return ProgressView(journey=journey, steps=states, stalled=stalled)


def portal_checklist(*, org: Organization, user: User) -> list[StepState]:
    """The client's checklist in the portal: the next step first, then the others not done,
    then the done ones, of their open journey if they have one (else the newest completed); a
    closed or deleted record's journey is not shown. Empty when their records are in no journey."""
    journey = (
        Journey.objects.filter(org=org, client__in=client_records_organized_by(org=org, user=user), stopped_at=None)
        .select_related("org")
        # An open journey before a completed one: NULLs sort last on PostgreSQL and first on
        # SQLite unless told.
        .order_by(F("completed_at").asc(nulls_first=True), "-started_at", "-pk")
        .first()
    )
    if journey is None:
        return []
    view = progress_view(journey=journey, config=JourneySettings(org=org))
    for state in view.steps:
        state.journey_id = journey.pk
        if state.done:
            continue
        if state.key == "estimate":
            state.estimate_id = (
                Estimate.objects.filter(client_id=journey.client_id, state=EstimateState.SENT)
                .order_by("-created_at", "-pk")
                .values_list("pk", flat=True)
                .first()
            )
            if state.estimate_id is not None:
                state.url = reverse("portal_estimate_detail", args=[org.slug, state.estimate_id])
        elif state.key == "agreement":
            agreement_id = (
                Agreement.objects.filter(client_id=journey.client_id, state=AgreementState.SENT)
                .order_by("-sent_at", "-pk")
                .values_list("pk", flat=True)
                .first()
            )
            if agreement_id is not None:
                state.url = reverse("portal_agreement_detail", args=[org.slug, agreement_id])
        elif state.key == "payment":
            state.url = reverse("portal_payment_method", args=[org.slug])
            # A bank account confirmed in Stripe waits for its microdeposits: nothing to do but wait.
            state.waiting = (
                PaymentMethod.objects.filter(
                    client_id=journey.client_id,
                    state=PaymentMethodState.PENDING,
                    kind=PaymentMethodKind.US_BANK_ACCOUNT,
                )
                .exclude(payment_method_id="")
                .exists()
            )
    return sorted(view.steps, key=lambda s: (not s.current, s.done))


# --- the funnel ---


@dataclass
class Stage:
    key: str
    label: str
    count: int
    of_first: float  # 0..100
    of_previous: float
    median_hours: float | None  # time from the previous stage to this one


@dataclass
class SourceRow:
    source: str
    label: str
    first_contact: int
    invited: int
    complete: int


@dataclass
class Funnel:
    stages: list[Stage]
    by_source: list[SourceRow]
    start: dt.date
    end: dt.date


def _median_hours(deltas: list[dt.timedelta]) -> float | None:
    if not deltas:
        return None
    return round(statistics.median(d.total_seconds() for d in deltas) / 3600, 1)


def _stages_out(stages: list[tuple[str, str, int, float | None]], first: int) -> list[Stage]:
    """The funnel's rows (key, label, count, median hours from the stage before) with their shares
    of the first stage and of the one before; both backends end here."""
    out, before = [], first
    for key, label, count, hours in stages:
        out.append(
            Stage(
                key=key,
                label=label,
                count=count,
                of_first=_pct(count, first),
                of_previous=_pct(count, before),
                median_hours=hours,
            )
        )
        before = count
    return out


def _pct(n: int, of: int) -> float:
    return round(100 * n / of, 1) if of else 0.0


def _funnel_sets(
    *, org: Organization, start: dt.date, end: dt.date, source: str
) -> tuple[QuerySet[Lead], QuerySet[Journey]]:
    """The leads first contacted in the period, and the journeys whose first contact was (the
    lead's creation, or for a client invited directly, the invitation)."""
    since, until = _day_start(start, org), _day_start(end + dt.timedelta(days=1), org)
    leads = Lead.objects.filter(org=org, created_at__gte=since, created_at__lt=until)
    journeys = Journey.objects.filter(org=org).filter(
        Q(lead_created_at__gte=since, lead_created_at__lt=until)
        | Q(lead_created_at=None, started_at__gte=since, started_at__lt=until)
    )
    if source:
        leads = leads.filter(source=source)
        journeys = journeys.filter(source=source)
    return leads, journeys


class _Median(Aggregate):
    """PostgreSQL's continuous median (NULLs ignored, the two middle values averaged, as
    ``statistics.median``)."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _seconds(expression: Any) -> Func:
    return Func(expression, template="EXTRACT(EPOCH FROM %(expressions)s)", output_field=FloatField())


def _reached(key: str) -> Cast:
    return Cast(KT(f"reached__{key}"), DateTimeField())


def funnel_report(*, org: Organization, start: dt.date, end: dt.date, source: str = "") -> Funnel:
    """Conversion from first contact to each step, by the period of first contact and source,
    with the median time from each stage to the next. On PostgreSQL two aggregate queries (the
    leads; the journeys), every count a filtered COUNT per source and every median a
    ``percentile_cont``: nothing of the period is read into Python. On SQLite, ``_funnel_python``."""
    if connection.vendor != "postgresql":
        return _funnel_python(org=org, start=start, end=end, source=source)
    leads, journeys = _funnel_sets(org=org, start=start, end=end, source=source)
    keys = [key for key, _label in SOURCES]
    converted = Q(client__isnull=False)
    lead_facts = leads.aggregate(
        **{f"n_{i}": Count("pk", filter=Q(source=key)) for i, key in enumerate(keys)},
        converted=Count("pk", filter=converted),
        converted_hours=_Median(_seconds(F("converted_at") - F("created_at")), filter=converted),
    )
    steps = [s for s in steps_all() if s.key != "invite"]
    # When each client became one (its lead of the period): the invitation is timed from there.
    became = leads.filter(client_id=OuterRef("client_id"), converted_at__isnull=False).values("converted_at")[:1]
    previous: Any = F("started_at")  # the time of the last stage reached before each step
    step_aggregates: dict[str, Any] = {}
    for i, step in enumerate(steps):
        reached = _reached(step.key)
        step_aggregates[f"step_{i}"] = Count("pk", filter=Q(reached__has_key=step.key))
        step_aggregates[f"step_{i}_hours"] = _Median(_seconds(reached - previous))
        previous = Coalesce(reached, previous)
    done = Q(completed_at__isnull=False)
    facts = journeys.aggregate(
        **{f"n_{i}": Count("pk", filter=Q(source=key)) for i, key in enumerate(keys)},
        **{f"direct_{i}": Count("pk", filter=Q(source=key, lead_created_at=None)) for i, key in enumerate(keys)},
        **{f"complete_{i}": Count("pk", filter=Q(source=key) & done) for i, key in enumerate(keys)},
        invited_hours=_Median(_seconds(F("started_at") - Subquery(became))),
        **step_aggregates,
        complete_hours=_Median(_seconds(F("completed_at") - previous), filter=Q(completed_at__gte=previous)),
    )
    direct = sum(facts[f"direct_{i}"] for i in range(len(keys)))
    invited = sum(facts[f"n_{i}"] for i in range(len(keys)))
    first = sum(lead_facts[f"n_{i}"] for i in range(len(keys))) + direct
    stages: list[tuple[str, str, int, float | None]] = [
        ("lead", str(_("First contact")), first, None),
        ("client", str(_("Client record")), lead_facts["converted"] + direct, lead_facts["converted_hours"]),
        ("invite", str(_("Invited")), invited, facts["invited_hours"]),
    ]
    for i, step in enumerate(steps):
        count = facts[f"step_{i}"]
        if count or not step.optional:
            stages.append((step.key, str(step.label), count, facts[f"step_{i}_hours"]))
    complete = sum(facts[f"complete_{i}"] for i in range(len(keys)))
    stages.append((COMPLETE, str(_("Onboarding complete")), complete, facts["complete_hours"]))
    out = _stages_out(
        [(key, label, count, None if sec is None else round(sec / 3600, 1)) for key, label, count, sec in stages],
        first,
    )
    by_source = []
    for i, (key, label) in enumerate(SOURCES):
        contacts = lead_facts[f"n_{i}"] + facts[f"direct_{i}"]
        if contacts or facts[f"n_{i}"]:
            by_source.append(
                SourceRow(
                    source=key,
                    label=str(label),
                    first_contact=contacts,
                    invited=facts[f"n_{i}"],
                    complete=facts[f"complete_{i}"],
                )
            )
    return Funnel(stages=out, by_source=by_source, start=start, end=end)


def _funnel_python(*, org: Organization, start: dt.date, end: dt.date, source: str = "") -> Funnel:
    """The funnel on SQLite, the small embedded database: the period's leads and journeys read
    (two queries), counted and timed in Python."""
    leads, journeys = _funnel_sets(org=org, start=start, end=end, source=source)
    lead_rows = list(leads.values_list("source", "created_at", "converted_at", "client_id"))
    rows = list(journeys.values_list("source", "lead_created_at", "started_at", "reached", "completed_at", "client_id"))
    direct = [r for r in rows if r[1] is None]
    steps = [s for s in steps_all() if s.key != "invite"]
    # Stages: first contact, client, invited, each step after the invitation, complete.
    first = len(lead_rows) + len(direct)
    converted = [r for r in lead_rows if r[3] is not None]
    # When each lead became a client: the invitation's time is measured from there.
    became = {r[3]: r[2] for r in converted if r[2] is not None}
    stages: list[tuple[str, str, int, list[dt.timedelta]]] = [
        ("lead", str(_("First contact")), first, []),
        (
            "client",
            str(_("Client record")),
            len(converted) + len(direct),
            [r[2] - r[1] for r in converted if r[2] is not None],
        ),
        ("invite", str(_("Invited")), len(rows), [r[2] - became[r[5]] for r in rows if r[5] in became]),
    ]
    previous: dict[int, dt.datetime] = {i: r[2] for i, r in enumerate(rows)}
    for step in steps:
        done, deltas = 0, []
        for i, r in enumerate(rows):
            at = r[3].get(step.key)
            if at is None:
                continue
            when = dt.datetime.fromisoformat(at)
            done += 1
            deltas.append(when - previous[i])
            previous[i] = when
        if done or not step.optional:
            stages.append((step.key, str(step.label), done, deltas))
    complete = [(i, r[4]) for i, r in enumerate(rows) if r[4] is not None]
    stages.append(
        (
            COMPLETE,
            str(_("Onboarding complete")),
            len(complete),
            [at - previous[i] for i, at in complete if at >= previous[i]],
        )
    )
    out = _stages_out([(key, label, count, _median_hours(deltas)) for key, label, count, deltas in stages], first)
    by_source = []
    labels = dict(SOURCES)
    for key, _label in SOURCES:
        contacts = sum(1 for r in lead_rows if r[0] == key) + sum(1 for r in direct if r[0] == key)
        invited = sum(1 for r in rows if r[0] == key)
        done_count = sum(1 for r in rows if r[0] == key and r[4] is not None)
        if contacts or invited:
            by_source.append(
                SourceRow(
                    source=key, label=str(labels[key]), first_contact=contacts, invited=invited, complete=done_count
                )
            )
    return Funnel(stages=out, by_source=by_source, start=start, end=end)


def client_progress(*, client: Client) -> ProgressView:
    """The client's journey with its organization's settings, in one query (the record page)."""
    onboarding_job = Job.objects.filter(client=OuterRef("client_id"), origin=JobOrigin.ONBOARDING)
    journey = (
        Journey.objects.filter(client=client)
        .select_related("org__journey_settings")
        .annotate(
            job_id=Subquery(onboarding_job.values("pk")[:1]), job_number=Subquery(onboarding_job.values("number")[:1])
        )
        .first()
    )
    if journey is None:
        return ProgressView(journey=None)
    try:
        config = journey.org.journey_settings  # type: ignore[attr-defined]
    except JourneySettings.DoesNotExist:
        config = JourneySettings(org=journey.org)
    view = progress_view(journey=journey, config=config)
    view.job_id = journey.job_id  # type: ignore[attr-defined]
    if view.job_id is not None:
        view.job_label = Job(number=journey.job_number).label  # type: ignore[attr-defined]
    return view
