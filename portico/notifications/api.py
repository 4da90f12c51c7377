"""/api/v1/notifications: the signed-in staff member's own notifications (a session: an API key is
nobody, so it has none)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Schema
from pydantic import ConfigDict

from portico.accounts.models import User
from portico.notifications import selectors
from portico.notifications.actions import notifications_mark_read
from portico.orgs.api_shared import Caller, api_caller, api_router, person_required

router = api_router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read: bool


class NotificationPageOut(Schema):
    items: list[NotificationOut]
    unread: int
    next_cursor: str | None


class ReadIn(Schema):
    model_config = ConfigDict(extra="forbid")

    ids: list[int] | None = Field(None, max_length=1000, description="Mark these read; omitted: all unread.")


def _person(request: HttpRequest, org: str | None) -> tuple[Caller, User]:
    caller = api_caller(request, org, None)  # any staff member: their own notifications
    person_required(caller)
    assert caller.actor.user is not None  # person_required refused callers without one
    return caller, caller.actor.user


@router.get("/notifications", response=NotificationPageOut, summary="Your notifications")
def notification_list(request: HttpRequest, org: str | None = None, cursor: str = "") -> NotificationPageOut:
    caller, user = _person(request, org)
    page = selectors.notification_list(org=caller.ctx.org, user=user, cursor=cursor)
    return NotificationPageOut(
        items=[
            NotificationOut(
                id=n.pk,
                kind=n.kind,
                title=n.title,
                body=n.body,
                url=n.url,
                created_at=n.created_at,
                read=n.read_at is not None,
            )
            for n in page.rows
        ],
        unread=selectors.unread_count(org=caller.ctx.org, user=user),
        next_cursor=page.next_cursor,
    )


class ReadOut(Schema):
    marked: int


@router.post("/notifications/read", response=ReadOut, summary="Mark notifications read")
def notification_read(request: HttpRequest, payload: ReadIn, org: str | None = None) -> ReadOut:
    caller, user = _person(request, org)
    return ReadOut(marked=notifications_mark_read(org=caller.ctx.org, user=user, ids=payload.ids))
