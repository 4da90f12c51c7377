"""/api/v1/clients/{id}/journey and /api/v1/journey/board: the onboarding journey as JSON.

Reading needs `clients.view` (an API key or a session, ``?org=``); another organization's client
is a 404. Progress is derived from facts, so there is nothing to write here."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Schema

from portico.clients.selectors import client_get
from portico.journey import selectors
from portico.journey.selectors import BoardFilters
from portico.orgs.api_shared import ID_MAX, ORG_PARAM_HELP, api_caller, api_router
from portico.orgs.permissions import Permission

router = api_router(tags=["journey"])


class StepOut(Schema):
    key: str
    label: str
    done: bool
    at: dt.datetime | None
    current: bool


class JourneyOut(Schema):
    client_id: int
    started: bool = Field(description="False: the client has not been invited yet (no journey).")
    started_at: dt.datetime | None = None
    current_step: str | None = Field(default=None, description='A step key, or "complete".')
    step_entered_at: dt.datetime | None = None
    stalled: bool = False
    stopped: bool = Field(default=False, description="The record was closed or deleted: no reminders.")
    completed_at: dt.datetime | None = None
    source: str | None = Field(default=None, description='The lead\'s source, or "direct".')
    steps: list[StepOut] = []


class ColumnOut(Schema):
    step: str
    label: str
    count: int
    stalled: int


class BoardOut(Schema):
    columns: list[ColumnOut]
    complete: int
    stalled_after_days: int


class BoardQuery(Schema):
    org: str | None = Field(default=None, description=ORG_PARAM_HELP)
    navigator: int | None = Field(None, ge=1, le=ID_MAX, description="A staff member's user id.")
    source: str = Field("", description='A lead source, or "direct".')


@router.get("/clients/{client_id}/journey", response=JourneyOut, summary="A client's onboarding progress")
def client_journey(request: HttpRequest, client_id: int, org: str | None = None) -> JourneyOut:
    """The steps with done/at, the current step and whether the client is stalled."""
    caller = api_caller(request, org, Permission.CLIENTS_VIEW)
    client = client_get(org=caller.ctx.org, client_id=client_id)
    view = selectors.progress_view(journey=selectors.journey_of(client=client))
    journey = view.journey
    if journey is None:
        return JourneyOut(client_id=client.pk, started=False)
    return JourneyOut(
        client_id=client.pk,
        started=True,
        started_at=journey.started_at,
        current_step=journey.current_step,
        step_entered_at=journey.step_entered_at,
        stalled=view.stalled,
        stopped=journey.stopped_at is not None,
        completed_at=journey.completed_at,
        source=journey.source,
        steps=[StepOut(key=s.key, label=s.label, done=s.done, at=s.at, current=s.current) for s in view.steps],
    )


@router.get("/journey/board", response=BoardOut, summary="The onboarding board's counts")
def journey_board(request: HttpRequest, query: Query[BoardQuery]) -> BoardOut:
    """Per step: how many clients are at it and how many of them are stalled."""
    caller = api_caller(request, query.org, Permission.CLIENTS_VIEW)
    board = selectors.journey_board(
        org=caller.ctx.org, filters=BoardFilters(navigator=query.navigator, source=query.source), per_column=0
    )
    return BoardOut(
        columns=[
            ColumnOut(step=c.step.key, label=str(c.step.label), count=c.count, stalled=c.stalled) for c in board.columns
        ],
        complete=board.complete,
        stalled_after_days=board.stalled_after_days,
    )
