"""Reads of the onboarding journey: the organization's settings, the board (a column per step,
longest waiting first, keyset pages), one client's progress, the portal checklist, the funnel
report. Organization-scoped; another organization's ids are a 404."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portico.accounts.models import User
from portico.clients.models import Client, NavigatorAssignment
from portico.clients.selectors import client_records_organized_by
from portico.core.keyset import Page, keyset_page, queryset_count
from portico.core.timezones import time_zone_get
from portico.estimates.models import Estimate, EstimateState
from portico.journey.models import COMPLETE, DIRECT, Journey, JourneySettings
from portico.journey.steps import Step, step_get, steps_all
from portico.leads.models import Lead, LeadSource
from portico.orgs.models import Organization

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
class Column:
    step: Step
    count: int
    stalled: int
    page: Page[Journey]
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


def journey_board(*, org: Organization, filters: BoardFilters, per_column: int = COLUMN_SIZE) -> Board:
    """The board: per step, its longest-waiting clients (one query, the client joined, an index
    range that starts at the step), and for a column with anyone in it, how many and how many
    stalled (``queryset_count``: the planner's estimate above 1,000 on PostgreSQL, exact below,
    as list totals are); the settings and the completed count. A fixed number of queries whatever
    the number of journeys; steps the organization does not use appear only while someone is at one."""
    config = journey_settings_of(org=org)
    cutoff = timezone.now() - dt.timedelta(days=config.stalled_after_days)
    qs = journey_queryset(org=org, filters=filters)
    columns = []
    for step in steps_all():
        page = journey_column_page(org=org, filters=filters, step=step.key, page_size=max(per_column, 1))
        used = not step.optional or step.key in config.optional_steps
        if not page.rows:
            if used:
                columns.append(Column(step=step, count=0, stalled=0, page=page))
            continue
        at_step = qs.filter(current_step=step.key)
        if page.next_cursor is None:  # everyone fits on the page: count them there
            count, estimated = len(page.rows), False
            stalled = sum(1 for j in page.rows if j.step_entered_at < cutoff)
        else:
            count, estimated = queryset_count(at_step)
            stalled, stalled_estimated = queryset_count(at_step.filter(step_entered_at__lt=cutoff))
            estimated = estimated or stalled_estimated
        if per_column == 0:
            page = Page(rows=[], next_cursor=None)
        columns.append(Column(step=step, count=count, stalled=stalled, page=page, estimated=estimated))
    complete, complete_estimated = queryset_count(qs.filter(current_step=COMPLETE))
    return Board(
        columns=columns,
        complete=complete,
        complete_estimated=complete_estimated,
        stalled_after_days=config.stalled_after_days,
        cutoff=cutoff,
    )


def journey_column_page(
    *, org: Organization, filters: BoardFilters, step: str, cursor: str = "", page_size: int = COLUMN_PAGE_SIZE
) -> Page[Journey]:
    """One column's clients, longest in the step first, by keyset (step_entered_at, id)."""
    qs = journey_queryset(org=org, filters=filters).filter(current_step=step).select_related("client")
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


@dataclass
class ProgressView:
    journey: Journey | None
    steps: list[StepState] = field(default_factory=list)
    stalled: bool = False


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
    then the done ones. Empty when their records are in no journey."""
    journey = (
        Journey.objects.filter(org=org, client__in=client_records_organized_by(org=org, user=user))
        .select_related("org")
        .order_by("completed_at", "-started_at")
        .first()
    )
    if journey is None:
        return []
    view = progress_view(journey=journey, config=JourneySettings(org=org))
    for state in view.steps:
        if state.key == "estimate" and not state.done:
            state.estimate_id = (
                Estimate.objects.filter(client_id=journey.client_id, state=EstimateState.SENT)
                .order_by("-created_at", "-pk")
                .values_list("pk", flat=True)
                .first()
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


def _pct(n: int, of: int) -> float:
    return round(100 * n / of, 1) if of else 0.0


def funnel_report(*, org: Organization, start: dt.date, end: dt.date, source: str = "") -> Funnel:
    """Conversion from first contact to each step, by the period of first contact (the lead's
    creation, or for a client invited directly, the invitation) and source, with the median time
    from each stage to the next. Two queries: the leads, and the journeys of the period."""
    since, until = _day_start(start, org), _day_start(end + dt.timedelta(days=1), org)
    leads = Lead.objects.filter(org=org, created_at__gte=since, created_at__lt=until)
    journeys = Journey.objects.filter(org=org).filter(
        Q(lead_created_at__gte=since, lead_created_at__lt=until)
        | Q(lead_created_at=None, started_at__gte=since, started_at__lt=until)
    )
    if source:
        leads = leads.filter(source=source)
        journeys = journeys.filter(source=source)
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
    out, before = [], first
    for key, label, count, deltas in stages:
        out.append(
            Stage(
                key=key,
                label=label,
                count=count,
                of_first=_pct(count, first),
                of_previous=_pct(count, before),
                median_hours=_median_hours(deltas),
            )
        )
        before = count
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
    journey = Journey.objects.filter(client=client).select_related("org__journey_settings").first()
    if journey is None:
        return ProgressView(journey=None)
    try:
        config = journey.org.journey_settings  # type: ignore[attr-defined]
    except JourneySettings.DoesNotExist:
        config = JourneySettings(org=journey.org)
    return progress_view(journey=journey, config=config)
