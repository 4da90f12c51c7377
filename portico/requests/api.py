"""/api/v1/requests and /api/v1/clients/{id}/requests: client requests as JSON.

Reading needs `requests.answer` (an API key or a session, ``?org=``). Writing a reply or a note
belongs to a person: it needs a staff member's session (an API key is no one's voice, D18). The
actions do the work, the auditing and the notifying."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Schema, Status
from pydantic import ConfigDict

from portico.clients.selectors import client_get
from portico.orgs.api_shared import (
    ID_MAX,
    ORG_PARAM_HELP,
    Caller,
    InvalidInput,
    RefOut,
    api_caller,
    api_router,
    person_required,
)
from portico.orgs.permissions import Permission
from portico.requests import actions, selectors
from portico.requests.models import ClientRequest, RequestStatus

router = api_router(tags=["requests"])


class RequestListQuery(Schema):
    org: str | None = Field(None, description=ORG_PARAM_HELP)
    scope: str = Field(
        "all", description="all, unassigned (clients without navigator), or mine (a session's own clients)."
    )
    status: RequestStatus | None = None
    kind: int | None = Field(None, ge=1, le=ID_MAX, description="A request kind's id.")
    client: int | None = Field(None, ge=1, le=ID_MAX, description="A client record's id.")
    cursor: str = Field("", description="next_cursor of the previous page.")


class RequestClientOut(Schema):
    id: int
    name: str
    case_number: str


class RequestOut(Schema):
    id: int
    client: RequestClientOut
    kind: RefOut
    subject: str
    status: str
    created_at: dt.datetime
    last_activity_at: dt.datetime


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int


class MessageOut(Schema):
    id: int
    author: str
    from_client: bool
    internal: bool
    body: str
    created_at: dt.datetime
    attachments: list[AttachmentOut]


class RequestDetailOut(RequestOut):
    messages: list[MessageOut]


class RequestPageOut(Schema):
    items: list[RequestOut]
    next_cursor: str | None


class MessageIn(Schema):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(..., min_length=1, max_length=actions.MAX_BODY)
    internal: bool = Field(False, description="An internal note: staff only, the client never sees it.")


def _request_out(r: ClientRequest) -> RequestOut:
    return RequestOut(
        id=r.pk,
        client=RequestClientOut(id=r.client.pk, name=r.client.name, case_number=r.client.case_number),
        kind=RefOut(id=r.kind.pk, name=r.kind.name),
        subject=r.subject,
        status=r.status,
        created_at=r.created_at,
        last_activity_at=r.last_activity_at,
    )


def _get(caller: Caller, client_request_id: int) -> ClientRequest:
    return selectors.client_request_get(org=caller.ctx.org, client_request_id=client_request_id)


@router.get("/requests", response=RequestPageOut, summary="List requests")
def request_list(request: HttpRequest, query: Query[RequestListQuery]) -> RequestPageOut:
    """Newest activity first, 25 a page, by keyset (as the staff inbox)."""
    caller = api_caller(request, query.org, Permission.REQUESTS_ANSWER)
    if query.scope not in selectors.SCOPES:
        raise InvalidInput("scope is all, unassigned or mine.", code="invalid", extra={"field": "scope"})
    if query.scope == "mine":
        person_required(caller)
    page = selectors.request_inbox_page(
        org=caller.ctx.org,
        user=caller.actor.user,  # type: ignore[arg-type]  # only read for "mine", which needs a person
        scope=query.scope,
        filters=selectors.RequestFilters(status=query.status or "", kind=query.kind, client=query.client),
        cursor=query.cursor,
    )
    return RequestPageOut(items=[_request_out(r) for r in page.rows], next_cursor=page.next_cursor)


@router.get("/requests/{request_id}", response=RequestDetailOut, summary="A request with its thread")
def request_detail(request: HttpRequest, request_id: int, org: str | None = None) -> RequestDetailOut:
    caller = api_caller(request, org, Permission.REQUESTS_ANSWER)
    r = _get(caller, request_id)
    messages = selectors.request_thread(client_request=r, for_client=False)
    return RequestDetailOut(
        **_request_out(r).model_dump(),
        messages=[
            MessageOut(
                id=m.pk,
                author=m.author.display_name,
                from_client=m.from_client,
                internal=m.internal,
                body=m.body,
                created_at=m.created_at,
                attachments=[
                    AttachmentOut(id=a.pk, name=a.name, content_type=a.content_type, size=a.size)
                    for a in m.attachments.all()
                ],
            )
            for m in messages
        ],
    )


@router.post(
    "/requests/{request_id}/messages", response={201: MessageOut}, summary="Reply to a request, or add an internal note"
)
def request_message_create(request: HttpRequest, request_id: int, payload: MessageIn, org: str | None = None) -> Status:
    caller = api_caller(request, org, Permission.REQUESTS_ANSWER)
    person_required(caller)
    r = _get(caller, request_id)
    m = actions.request_reply(
        client_request=r, actor=caller.actor, body=payload.body, from_client=False, internal=payload.internal
    )
    return Status(
        201,
        MessageOut(
            id=m.pk,
            author=m.author.display_name,
            from_client=False,
            internal=m.internal,
            body=m.body,
            created_at=m.created_at,
            attachments=[],
        ),
    )


class RequestIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: int = Field(..., ge=1, le=ID_MAX, description="A request kind's id.")
    subject: str = Field(..., min_length=1, max_length=200)
    body: str = Field(..., min_length=1, max_length=actions.MAX_BODY)


@router.post("/clients/{client_id}/requests", response={201: RequestOut}, summary="Log a request for a client")
def request_create(request: HttpRequest, client_id: int, payload: RequestIn, org: str | None = None) -> Status:
    """Staff log a request the client made another way (a call, a visit): the thread starts with
    the staff member's message, and the client's navigators are notified as usual."""
    caller = api_caller(request, org, Permission.REQUESTS_ANSWER)
    person_required(caller)
    client = client_get(org=caller.ctx.org, client_id=client_id)
    kind = selectors.request_kind_get(org=caller.ctx.org, kind_id=payload.kind)
    r = actions.request_open(
        client=client, actor=caller.actor, kind=kind, subject=payload.subject, body=payload.body, from_client=False
    )
    return Status(201, _request_out(_get(caller, r.pk)))
