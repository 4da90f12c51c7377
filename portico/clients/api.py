"""/api/v1/clients: client records as JSON, with an organization's API key or a session (``?org=``).
Same actions, selectors and permissions as the pages; the actions hold the rules (contact data,
tax ids), so a refusal here reads like one on the page."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, Literal

from django.http import FileResponse, HttpRequest
from ninja import Field, File, Query, Schema, Status, UploadedFile
from pydantic import ConfigDict

from portico.clients import actions, selectors
from portico.clients.models import STAFF_STATUS_ACTIONS, Client, ClientKind, ClientStatus, RecordType
from portico.core.files import private_file_response
from portico.orgs.api_shared import ID_MAX, ORG_PARAM_HELP, Caller, Id, RefOut, api_caller, api_router
from portico.orgs.models import Organization
from portico.orgs.permissions import Permission
from portico.orgs.selectors import staff_member_get

router = api_router(tags=["clients"])

StatusAction = Literal[STAFF_STATUS_ACTIONS]  # type: ignore[valid-type]
ClientSort = Literal["newest", "oldest", "name", "case_number"]


class ClientFieldsIn(Schema):
    """Fields of a client record; every one optional (PATCH sends only what changes). A refused
    value (an email, phone or tax id that is not valid) is a 422 naming the field."""

    model_config = ConfigDict(extra="forbid")

    kind: ClientKind | None = None
    record_type: RecordType | None = None
    name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254, description="Checked for format; stored lower-case.")
    phone: str | None = Field(
        None,
        max_length=40,
        description="Any usual format; without +country the organization's default region (MX) is assumed. "
        "Stored in E.164, e.g. +525512345678.",
    )
    date_of_birth: dt.date | None = None
    address: str | None = None
    language: str | None = Field(None, description="A language code Portico offers, e.g. en or es.")
    client_type: int | None = Field(None, description="Id of one of the organization's client types.")
    notes: str | None = None
    tax_id: str | None = Field(
        None, max_length=20, description="A Mexican RFC (12 or 13 characters) or a US EIN; stored compact."
    )

    def changes(self, org: Organization) -> dict[str, Any]:
        """The fields that were sent, as the actions take them (client type resolved in ``org``)."""
        fields: dict[str, Any] = {}
        for name, value in self.model_dump(exclude_unset=True).items():
            if isinstance(value, enum.Enum):
                value = value.value
            elif value is None and name not in ("date_of_birth", "client_type"):
                value = ""  # null clears a text field
            fields[name] = value
        if fields.get("client_type") is not None:
            fields["client_type"] = selectors.client_type_for_input(org=org, client_type_id=fields["client_type"])
        return fields


class ClientCreateIn(ClientFieldsIn):
    name: str = Field(..., max_length=200)  # type: ignore[assignment]


class ClientStatusIn(Schema):
    model_config = ConfigDict(extra="forbid")

    action: StatusAction


class ClientOut(Schema):
    id: int
    case_number: str
    status: str
    kind: str
    record_type: str
    name: str
    email: str
    phone: str
    date_of_birth: dt.date | None
    address: str
    language: str
    client_type: int | None
    client_type_name: str | None
    notes: str
    tax_id: str
    warnings: list[str]
    created_at: dt.datetime


class ClientCreatedOut(ClientOut):
    duplicates: list[int] = Field(
        description="Ids of this organization's live records with the same email or phone (at most 5)."
    )


class ClientPageOut(Schema):
    items: list[ClientOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page.")
    total: int
    total_is_estimate: bool


class ClientListQuery(Schema):
    org: str | None = Field(None, description=ORG_PARAM_HELP)
    status: ClientStatus | None = None
    record_type: RecordType | None = None
    client_type: int | None = Field(None, ge=1, le=ID_MAX)
    group: int | None = Field(None, ge=1, le=ID_MAX)
    navigator: int | None = Field(None, ge=1, le=ID_MAX, description="A staff member's user id.")
    warning: int | None = Field(None, ge=1, le=ID_MAX, description="A warning indicator's id.")
    has_portal_account: bool | None = Field(
        None, description="true: only clients whose profile has a portal account; false: only those without."
    )
    created_from: dt.date | None = Field(
        None, description="Created on or after this day (server time zone, UTC unless configured)."
    )
    created_to: dt.date | None = Field(
        None, description="Created on or before this day (server time zone, UTC unless configured)."
    )
    sort: ClientSort = Field("newest", description="newest (default), oldest, name or case_number.")
    cursor: str = ""

    def filters(self) -> selectors.ClientFilters:
        return selectors.ClientFilters(
            status=self.status.value if self.status else "",
            client_type=self.client_type,
            group=self.group,
            navigator=self.navigator,
            warning=self.warning,
            created_from=self.created_from,
            created_to=self.created_to,
            has_portal_account=self.has_portal_account,
            record_type=self.record_type.value if self.record_type else "",
        )


class ClientDetailOut(ClientOut):
    has_image: bool
    groups: list[RefOut] = Field(description="The record's groups, by name.")
    navigators: list[RefOut] = Field(description="Staff assigned to the record (user id and name), by name.")


class CaseNumberIn(Schema):
    model_config = ConfigDict(extra="forbid")

    case_number: str = Field(..., max_length=40)


class GroupsChangeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    add: list[Id] = Field(default_factory=list, max_length=1000, description="Ids of groups to add the client to.")
    remove: list[Id] = Field(
        default_factory=list, max_length=1000, description="Ids of groups to take the client out of."
    )


class NavigatorIn(Schema):
    model_config = ConfigDict(extra="forbid")

    user_id: Id = Field(..., description="The user id of an active staff member of the organization.")


class WarningsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    warnings: list[Id] = Field(
        ..., max_length=1000, description="Ids of the organization's warning indicators; [] removes them all."
    )


def _client_out(client: Client) -> dict[str, Any]:
    """One client as the API shows it (client_type and warnings come preloaded by the selectors)."""
    return {
        "id": client.pk,
        "case_number": client.case_number,
        "status": client.status,
        "kind": client.kind,
        "record_type": client.record_type,
        "name": client.name,
        "email": client.email,
        "phone": client.phone,
        "date_of_birth": client.date_of_birth,
        "address": client.address,
        "language": client.language,
        "client_type": client.client_type_id,
        "client_type_name": client.client_type.name if client.client_type is not None else None,
        "notes": client.notes,
        "tax_id": client.tax_id,
        "warnings": [w["label"] for w in client.warning_badges],
        "created_at": client.created_at,
    }


def _client_detail_out(caller: Caller, client_id: int) -> dict[str, Any]:
    """One client as stored now, with its groups and navigators (loaded with it, one query)."""
    client = selectors.client_get(org=caller.ctx.org, client_id=client_id)
    return {
        **_client_out(client),
        "has_image": bool(client.image),
        "groups": [{"id": g["id"], "name": g["name"]} for g in client.group_refs],
        "navigators": [{"id": n["id"], "name": n["name"]} for n in client.navigator_refs],
    }


def _get(caller: Caller, client_id: int) -> Client:
    return selectors.client_get(org=caller.ctx.org, client_id=client_id)


@router.get("", response=ClientPageOut, summary="List clients")
def clients_list(request: HttpRequest, filters: Query[ClientListQuery]) -> dict[str, Any]:
    """25 a page, newest first unless `sort` says otherwise; filters combine. Needs `clients.view`."""
    caller = api_caller(request, filters.org, Permission.CLIENTS_VIEW)
    page = selectors.client_page(
        org=caller.ctx.org, filters=filters.filters(), sort=filters.sort, cursor=filters.cursor
    )
    return {
        "items": [_client_out(c) for c in page.rows],
        "next_cursor": page.next_cursor,
        "total": page.total,
        "total_is_estimate": page.total_is_estimate,
    }


@router.post("", response={201: ClientCreatedOut}, summary="Create a client")
def clients_create(
    request: HttpRequest, payload: ClientCreateIn, org: str | None = Query(None, description=ORG_PARAM_HELP)
) -> Status[dict[str, Any]]:
    """A new record with the organization's next case number, status "not_invited". Needs
    `clients.create`. Records with the same email or phone are not refused; their ids come back
    in `duplicates`."""
    caller = api_caller(request, org, Permission.CLIENTS_CREATE)
    client = actions.client_create(org=caller.ctx.org, actor=caller.actor, **payload.changes(caller.ctx.org))
    duplicates = selectors.client_duplicates(
        org=caller.ctx.org, email=client.email, phone=client.phone, exclude_id=client.pk
    )
    return Status(201, {**_client_out(client), "duplicates": [d.pk for d in duplicates]})


@router.get("/{client_id}", response=ClientDetailOut, summary="Get a client")
def clients_get(
    request: HttpRequest, client_id: int, org: str | None = Query(None, description=ORG_PARAM_HELP)
) -> dict[str, Any]:
    """With its groups and navigators. Needs `clients.view`. Another organization's id is a 404."""
    caller = api_caller(request, org, Permission.CLIENTS_VIEW)
    return _client_detail_out(caller, client_id)


@router.patch("/{client_id}", response=ClientOut, summary="Change a client's details")
def clients_update(
    request: HttpRequest,
    client_id: int,
    payload: ClientFieldsIn,
    org: str | None = Query(None, description=ORG_PARAM_HELP),
) -> dict[str, Any]:
    """Only the fields sent change; null or "" clears one. Needs `clients.edit`."""
    caller = api_caller(request, org, Permission.CLIENTS_EDIT)
    client = _get(caller, client_id)
    client = actions.client_update(client=client, actor=caller.actor, **payload.changes(caller.ctx.org))
    return _client_out(client)


@router.post("/{client_id}/status", response=ClientOut, summary="Change a client's status")
def clients_status(
    request: HttpRequest,
    client_id: int,
    payload: ClientStatusIn,
    org: str | None = Query(None, description=ORG_PARAM_HELP),
) -> dict[str, Any]:
    """Archive, unarchive, deactivate, reactivate, close or reopen. A move the lifecycle does not
    allow from the current status is a 409 (`invalid_transition`). Needs `clients.change_status`."""
    caller = api_caller(request, org, Permission.CLIENTS_CHANGE_STATUS)
    client = actions.client_status_change(client=_get(caller, client_id), action=payload.action, actor=caller.actor)
    return _client_out(client)


@router.delete("/{client_id}", response={204: None}, summary="Delete a client")
def clients_delete(
    request: HttpRequest, client_id: int, org: str | None = Query(None, description=ORG_PARAM_HELP)
) -> Status[None]:
    """The record leaves every list and the API; support can restore it. Needs `clients.delete`."""
    caller = api_caller(request, org, Permission.CLIENTS_DELETE)
    actions.client_delete(client=_get(caller, client_id), actor=caller.actor)
    return Status(204, None)


@router.post("/{client_id}/profile", response=ClientOut, summary="Create the client's profile")
def clients_profile_create(
    request: HttpRequest, client_id: int, org: str | None = Query(None, description=ORG_PARAM_HELP)
) -> dict[str, Any]:
    """Create the client's profile from the record now, before any invitation is accepted; the
    client becomes active. A client that already has a profile is a 409 (`has_profile`), as is a
    status the lifecycle does not allow it from. Needs `clients.change_status`."""
    caller = api_caller(request, org, Permission.CLIENTS_CHANGE_STATUS)
    client = actions.client_profile_create(client=_get(caller, client_id), actor=caller.actor)
    return _client_out(client)


@router.put("/{client_id}/case-number", response=ClientOut, summary="Change a client's case number")
def clients_case_number(
    request: HttpRequest,
    client_id: int,
    payload: CaseNumberIn,
    org: str | None = Query(None, description=ORG_PARAM_HELP),
) -> dict[str, Any]:
    """A number another record of the organization already has is a 409 (`duplicate`); an empty
    one a 400 (`empty`). Needs `clients.change_case_number`."""
    caller = api_caller(request, org, Permission.CLIENTS_CHANGE_CASE_NUMBER)
    client = actions.client_change_case_number(
        client=_get(caller, client_id), actor=caller.actor, case_number=payload.case_number
    )
    return _client_out(client)


@router.post("/{client_id}/groups", response=ClientDetailOut, summary="Add or remove a client's groups")
def clients_groups(
    request: HttpRequest,
    client_id: int,
    payload: GroupsChangeIn,
    org: str | None = Query(None, description=ORG_PARAM_HELP),
) -> dict[str, Any]:
    """Adds the client to the groups in `add` and takes it out of those in `remove`; other groups
    stay. An id that is not one of the organization's groups is a 404 and nothing changes.
    Needs `groups.manage`."""
    caller = api_caller(request, org, Permission.GROUPS_MANAGE)
    actions.client_change_groups(
        client=_get(caller, client_id),
        actor=caller.actor,
        add=selectors.groups_in_org(org=caller.ctx.org, ids=payload.add),
        remove=selectors.groups_in_org(org=caller.ctx.org, ids=payload.remove),
    )
    return _client_detail_out(caller, client_id)


@router.post("/{client_id}/navigators", response=ClientDetailOut, summary="Assign a navigator")
def clients_navigator_assign(
    request: HttpRequest,
    client_id: int,
    payload: NavigatorIn,
    org: str | None = Query(None, description=ORG_PARAM_HELP),
) -> dict[str, Any]:
    """A user who is not active staff of the organization is a 404; one already assigned a 409
    (`already`). Needs `navigators.assign`."""
    caller = api_caller(request, org, Permission.NAVIGATORS_ASSIGN)
    navigator = staff_member_get(org=caller.ctx.org, user_id=payload.user_id)
    actions.client_assign_navigator(client=_get(caller, client_id), actor=caller.actor, navigator=navigator)
    return _client_detail_out(caller, client_id)


@router.delete("/{client_id}/navigators/{user_id}", response=ClientDetailOut, summary="Unassign a navigator")
def clients_navigator_unassign(
    request: HttpRequest,
    client_id: int,
    user_id: int,
    org: str | None = Query(None, description=ORG_PARAM_HELP),
) -> dict[str, Any]:
    """A user who is not assigned to this client is a 404. Needs `navigators.assign`."""
    caller = api_caller(request, org, Permission.NAVIGATORS_ASSIGN)
    client = _get(caller, client_id)
    navigator = selectors.client_navigator_get(client=client, user_id=user_id)
    actions.client_unassign_navigator(client=client, actor=caller.actor, navigator=navigator)
    return _client_detail_out(caller, client_id)


@router.put("/{client_id}/warnings", response=ClientOut, summary="Set a client's warning indicators")
def clients_warnings(
    request: HttpRequest,
    client_id: int,
    payload: WarningsIn,
    org: str | None = Query(None, description=ORG_PARAM_HELP),
) -> dict[str, Any]:
    """The client's warning indicators become exactly these. An id that is not one of the
    organization's indicators is a 404 and nothing changes. Needs `clients.edit`."""
    caller = api_caller(request, org, Permission.CLIENTS_EDIT)
    actions.client_set_warnings(
        client=_get(caller, client_id),
        actor=caller.actor,
        warnings=selectors.warnings_in_org(org=caller.ctx.org, ids=payload.warnings),
    )
    return _client_out(_get(caller, client_id))


@router.post("/{client_id}/image", response=ClientDetailOut, summary="Upload a client's image")
def clients_image_upload(
    request: HttpRequest,
    client_id: int,
    image: File[UploadedFile],
    org: str | None = Query(None, description=ORG_PARAM_HELP),
) -> dict[str, Any]:
    """Multipart form with the file in `image`: a JPEG, PNG, WebP or GIF of at most 5 MB and 40
    megapixels. It is re-encoded (longest side 1024 px, metadata removed) with a 128 px thumbnail.
    Anything else is a 422 saying why (`not_image`, `too_big`, `too_many_pixels`). Needs
    `clients.edit`."""
    caller = api_caller(request, org, Permission.CLIENTS_EDIT)
    actions.client_set_image(client=_get(caller, client_id), actor=caller.actor, upload=image)
    return _client_detail_out(caller, client_id)


@router.get(
    "/{client_id}/image",
    summary="Get a client's image",
    openapi_extra={
        "responses": {
            200: {
                "description": "The image (JPEG, or PNG when it has transparency).",
                "content": {
                    "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                    "image/png": {"schema": {"type": "string", "format": "binary"}},
                },
            },
            404: {"description": "No such client in the organization, or it has no image."},
        }
    },
)
def clients_image_get(
    request: HttpRequest,
    client_id: int,
    size: Literal["full", "thumb"] = Query("full", description="full (at most 1024 px) or thumb (128 px)."),
    org: str | None = Query(None, description=ORG_PARAM_HELP),
) -> FileResponse:
    """The record's image or thumbnail. Needs `clients.view`; a client without one is a 404."""
    caller = api_caller(request, org, Permission.CLIENTS_VIEW)
    client = _get(caller, client_id)
    return private_file_response(client.thumbnail if size == "thumb" else client.image)
