"""The JSON API (django-ninja) at /api/v1/. Same organization resolution and permissions as
the pages; refusals share one error shape: {"code", "message", "extra"}.

Two ways in: a signed-in session (every endpoint; the organization comes from the address) and,
for ``/api/v1/clients`` and ``/api/v1/invitations``, an organization's API key (``Authorization: Bearer pk_…``) whose
organization and role decide what it may do. Key requests are audited as the system, labelled
with the key.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, NinjaAPI, Query, Router, Schema, Status, UploadedFile
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth
from pydantic import ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from portico.accounts.models import User
from portico.audit.selectors import audit_log
from portico.clients import actions as client_actions
from portico.clients import selectors as client_selectors
from portico.clients.models import (
    Client,
    ClientKind,
    ClientStatus,
    ClientType,
    Group,
    NavigatorAssignment,
    RecordType,
    WarningIndicator,
)
from portico.core.actors import Actor, ActorKind, client_ip
from portico.core.errors import PorticoError
from portico.orgs import actions as org_actions
from portico.orgs import selectors as org_selectors
from portico.orgs.context import OrgContext, org_actor, org_context_resolve
from portico.orgs.models import ApiKey, MembershipStatus, Organization
from portico.orgs.permissions import Permission

api = NinjaAPI(title="Portico API", version="1", urls_namespace="api", auth=SessionAuth(csrf=True))


# Refusals that conflict with what is already stored: a 409 rather than the generic 400.
CONFLICT_CODES = frozenset({"duplicate", "already", "already_invited", "has_access", "has_profile", "stale"})


@api.exception_handler(PorticoError)
def portico_error(request: HttpRequest, exc: PorticoError) -> HttpResponse:
    status = exc.status_code
    if status == PorticoError.status_code and exc.code in CONFLICT_CODES:
        status = 409
    return api.create_response(
        request, {"code": exc.code, "message": str(exc.message), "extra": exc.extra}, status=status
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"code": "not_found", "message": "Not found.", "extra": {}}, status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request,
        {
            "code": "unauthenticated",
            "message": _("Sign in, or send a valid API key as “Authorization: Bearer pk_…”."),
            "extra": {},
        },
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="portico"'
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # e.g. a session POST without its CSRF token (403)
    return api.create_response(request, {"code": "refused", "message": str(exc), "extra": {}}, status=exc.status_code)


@api.exception_handler(NinjaValidationError)
def invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [{"field": _error_field(e.get("loc", ())), "message": str(e.get("msg", ""))} for e in exc.errors]
    message = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
    return api.create_response(
        request, {"code": "invalid", "message": message, "extra": {"errors": errors}}, status=422
    )


def _error_field(loc: Any) -> str:
    # ("body", "payload", "email") -> "email"; ("query", "status") -> "status"
    parts = [str(p) for p in loc]
    if parts[:1] == ["body"]:
        parts = parts[2:] if len(parts) > 2 else parts[1:]
    elif parts[:1] in (["query"], ["path"]):
        parts = parts[1:]
    return ".".join(parts)


def _ctx(request: HttpRequest, org_slug: str, permission: str | None = None) -> OrgContext:
    ctx = org_context_resolve(request, org_slug)
    if permission is not None:
        ctx.require(permission)
    return ctx


class MeOut(Schema):
    email: str
    organization: str
    role: str | None
    permissions: list[str]


class RoleOut(Schema):
    id: int
    name: str
    description: str
    permissions: list[str]
    member_count: int


class AuditEventOut(Schema):
    id: int
    created_at: dt.datetime
    actor_kind: str
    actor_label: str
    action: str
    target_type: str
    target_id: str
    target_label: str
    from_state: str
    to_state: str
    detail: dict


@api.get("/o/{org_slug}/me", response=MeOut)
def me(request: HttpRequest, org_slug: str) -> dict:
    ctx = _ctx(request, org_slug)
    return {
        "email": request.user.email,  # type: ignore[union-attr]
        "organization": ctx.org.name,
        "role": ctx.membership.role.name if ctx.membership else None,
        "permissions": sorted(ctx.permissions),
    }


@api.get("/o/{org_slug}/roles", response=list[RoleOut])
def roles(request: HttpRequest, org_slug: str) -> list[dict]:
    ctx = _ctx(request, org_slug, Permission.ROLES_MANAGE)
    return [
        {
            "id": role.pk,
            "name": role.name,
            "description": role.description,
            "permissions": sorted(role.permission_set),
            "member_count": role.member_count,  # type: ignore[attr-defined]
        }
        for role in org_selectors.role_list(org=ctx.org)
    ]


@api.get("/o/{org_slug}/audit", response=list[AuditEventOut])
def audit(request: HttpRequest, org_slug: str, action: str = "", before: int | None = None) -> list:
    ctx = _ctx(request, org_slug, Permission.AUDIT_VIEW)
    return audit_log(org=ctx.org, action=action, before_id=before)


# --- API keys ---


@dataclass(frozen=True)
class ApiKeyActor(Actor):
    """The system acting for an API key: audited as kind "system", labelled with the key."""

    api_key_name: str = ""
    api_key_prefix: str = ""

    @property
    def label(self) -> str:
        return f"API key {self.api_key_name} (pk_{self.api_key_prefix}_…)"


def api_key_actor(request: HttpRequest, api_key: ApiKey) -> Actor:
    return ApiKeyActor(
        kind=ActorKind.SYSTEM,
        user=None,
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        api_key_name=api_key.name,
        api_key_prefix=api_key.prefix,
    )


class ApiKeyAuth(HttpBearer):
    """``Authorization: Bearer pk_<prefix>_<secret>``: an organization's API key, found by the
    SHA-256 digest of the whole key. A key that is sent but unusable (unknown, malformed, revoked)
    is a 401 even when a session cookie comes with it."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey:
        api_key = org_actions.api_key_authenticate(raw_key=token.strip())
        if api_key is None:
            raise AuthenticationError
        return api_key


class InvalidInput(PorticoError):
    """Input that is well-formed JSON but cannot be used (e.g. another organization's client type)."""

    status_code = 422


@dataclass(frozen=True)
class Caller:
    ctx: OrgContext
    actor: Actor
    api_key: ApiKey | None


def _caller(request: HttpRequest, org: str | None, permission: str | None) -> Caller:
    """The organization, permissions and actor of an API request. For a key, its organization
    (``org``, if given, must be that one); for a session, the ``org`` the caller names."""
    auth = request.auth  # type: ignore[attr-defined]
    if isinstance(auth, ApiKey):
        if org and org != auth.org.slug:
            raise Http404  # another organization looks like no organization
        ctx = OrgContext(
            org=auth.org, membership=None, permissions=auth.role.permission_set if auth.role else frozenset()
        )
        caller = Caller(ctx=ctx, actor=api_key_actor(request, auth), api_key=auth)
    else:
        if not org:
            raise InvalidInput(_("Say which organization: add ?org=<short name> to the address."), code="org_required")
        ctx = org_context_resolve(request, org)
        request.org_ctx = ctx  # type: ignore[attr-defined]
        caller = Caller(ctx=ctx, actor=org_actor(request), api_key=None)
    if permission is not None:
        ctx.require(permission)
    return caller


# --- clients ---

clients_router = Router(auth=[ApiKeyAuth(), SessionAuth(csrf=True)], tags=["clients"])

ORG_PARAM_HELP = (
    "The organization's short name. Required with a session; with an API key, optional (must be the key's)."
)
StatusAction = Literal["archive", "unarchive", "deactivate", "reactivate", "close", "reopen"]


def _invalid(message: str) -> PydanticCustomError:
    return PydanticCustomError("invalid", message)  # type: ignore[arg-type]


class ClientFieldsIn(Schema):
    """Fields of a client record; every one optional (PATCH sends only what changes)."""

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
    tax_id: str | None = Field(None, max_length=20)

    @field_validator("name", "email", "phone", "address", "notes", "tax_id", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL text cannot hold NUL; refuse it clearly rather than fail in the database.
        if isinstance(value, str) and "\x00" in value:
            raise _invalid(_("Text may not contain NUL characters."))
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise _invalid(_("A client needs a name."))
        return value.strip() if value is not None else None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        value = (value or "").strip().lower()
        if value:
            try:
                validate_email(value)
            except DjangoValidationError:
                raise _invalid(_("Enter a valid email address.")) from None
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        value = (value or "").strip()
        if not value:
            return ""
        try:
            number = phonenumbers.parse(value, settings.PHONE_DEFAULT_REGION)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise _invalid(_("Enter a valid phone number, e.g. +52 55 1234 5678."))
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        value = (value or "").strip()
        if value and value not in dict(settings.LANGUAGES):
            raise _invalid(_("Choose one of: %(codes)s.") % {"codes": ", ".join(dict(settings.LANGUAGES))})
        return value

    def changes(self, org: Organization) -> dict[str, Any]:
        """The fields that were sent, as the actions take them (client type resolved in ``org``)."""
        fields: dict[str, Any] = {}
        for name, value in self.model_dump(exclude_unset=True).items():
            if isinstance(value, enum.Enum):
                value = value.value
            elif value is None and name not in ("date_of_birth", "client_type"):
                value = ""  # null clears a text field
            fields[name] = value
        if "kind" in fields and not fields["kind"]:
            fields["kind"] = ClientKind.PERSON.value
        if "record_type" in fields and not fields["record_type"]:
            fields["record_type"] = RecordType.CLIENT.value
        if "name" in fields and not fields["name"]:
            raise InvalidInput(_("A client needs a name."), code="invalid", extra={"field": "name"})
        if fields.get("client_type") is not None:
            client_type = ClientType.objects.filter(org=org, pk=fields["client_type"]).first()
            if client_type is None:
                raise InvalidInput(
                    _("Choose one of this organization's client types."),
                    code="invalid",
                    extra={"field": "client_type"},
                )
            fields["client_type"] = client_type
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


ID_MAX = 2**63 - 1  # the largest id the database holds; larger ones are a 422, not a database error
Id = Annotated[int, Field(ge=1, le=ID_MAX)]
ClientSort = Literal["newest", "oldest", "name", "case_number"]


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


class RefOut(Schema):
    id: int
    name: str


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


def _client_detail_out(client: Client) -> dict[str, Any]:
    """One client with its groups and navigators (one query each; never used for lists)."""
    groups = Group.objects.filter(clientgroup__client=client).order_by("name", "pk").values_list("pk", "name")
    navigators = (
        NavigatorAssignment.objects.filter(client=client)
        .order_by("user__full_name", "user__email", "user_id")
        .values_list("user_id", "user__full_name", "user__email")
    )
    return {
        **_client_out(client),
        "has_image": bool(client.image),
        "groups": [{"id": pk, "name": name} for pk, name in groups],
        "navigators": [{"id": pk, "name": full_name or email} for pk, full_name, email in navigators],
    }


def _get(caller: Caller, client_id: int) -> Client:
    return client_selectors.client_get(org=caller.ctx.org, client_id=client_id)


def _in_org(model: type[Group] | type[WarningIndicator], org: Organization, ids: list[int]) -> list[Any]:
    """The organization's rows with these ids; any id that is not one of them is a 404, as
    another organization's group looks like no group."""
    wanted = set(ids)
    found = list(model.objects.filter(org=org, pk__in=wanted)) if wanted else []
    if len(found) != len(wanted):
        raise Http404
    return found


IMAGE_REFUSALS = frozenset({"not_image", "too_big", "too_many_pixels"})


@clients_router.get("", response=ClientPageOut, summary="List clients")
def clients_list(request: HttpRequest, filters: Query[ClientListQuery]) -> dict[str, Any]:
    """25 a page, newest first unless `sort` says otherwise; filters combine. Needs `clients.view`."""
    caller = _caller(request, filters.org, Permission.CLIENTS_VIEW)
    page = client_selectors.client_page(
        org=caller.ctx.org,
        filters=client_selectors.ClientFilters(
            status=filters.status.value if filters.status else "",
            client_type=filters.client_type,
            group=filters.group,
            navigator=filters.navigator,
            warning=filters.warning,
            created_from=filters.created_from,
            created_to=filters.created_to,
            has_portal_account=filters.has_portal_account,
            record_type=filters.record_type.value if filters.record_type else "",
        ),
        sort=filters.sort,
        cursor=filters.cursor,
    )
    return {
        "items": [_client_out(c) for c in page.rows],
        "next_cursor": page.next_cursor,
        "total": page.total,
        "total_is_estimate": page.total_is_estimate,
    }


@clients_router.post("", response={201: ClientCreatedOut}, summary="Create a client")
def clients_create(
    request: HttpRequest, payload: ClientCreateIn, org: str | None = Query(None, description=ORG_PARAM_HELP)
) -> Status[dict[str, Any]]:
    """A new record with the organization's next case number, status "not_invited". Needs
    `clients.create`. Records with the same email or phone are not refused; their ids come back
    in `duplicates`."""
    caller = _caller(request, org, Permission.CLIENTS_CREATE)
    fields = payload.changes(caller.ctx.org)
    client = client_actions.client_create(org=caller.ctx.org, actor=caller.actor, **fields)
    duplicates = client_selectors.client_duplicates(
        org=caller.ctx.org, email=client.email, phone=client.phone, exclude_id=client.pk
    )
    return Status(201, {**_client_out(client), "duplicates": [d.pk for d in duplicates]})


@clients_router.get("/{client_id}", response=ClientDetailOut, summary="Get a client")
def clients_get(
    request: HttpRequest, client_id: int, org: str | None = Query(None, description=ORG_PARAM_HELP)
) -> dict[str, Any]:
    """With its groups and navigators. Needs `clients.view`. Another organization's id is a 404."""
    caller = _caller(request, org, Permission.CLIENTS_VIEW)
    return _client_detail_out(_get(caller, client_id))


@clients_router.patch("/{client_id}", response=ClientOut, summary="Change a client's details")
def clients_update(
    request: HttpRequest,
    client_id: int,
    payload: ClientFieldsIn,
    org: str | None = Query(None, description=ORG_PARAM_HELP),
) -> dict[str, Any]:
    """Only the fields sent change; null or "" clears one. Needs `clients.edit`."""
    caller = _caller(request, org, Permission.CLIENTS_EDIT)
    client = _get(caller, client_id)
    fields = payload.changes(caller.ctx.org)
    client = client_actions.client_update(client=client, actor=caller.actor, **fields)
    return _client_out(client)


@clients_router.post("/{client_id}/status", response=ClientOut, summary="Change a client's status")
def clients_status(
    request: HttpRequest,
    client_id: int,
    payload: ClientStatusIn,
    org: str | None = Query(None, description=ORG_PARAM_HELP),
) -> dict[str, Any]:
    """Archive, unarchive, deactivate, reactivate, close or reopen. A move the lifecycle does not
    allow from the current status is a 409 (`invalid_transition`). Needs `clients.change_status`."""
    caller = _caller(request, org, Permission.CLIENTS_CHANGE_STATUS)
    client = _get(caller, client_id)
    detail = {"api_key": caller.api_key.prefix} if caller.api_key is not None else None
    client = client_actions.client_transition(client=client, action=payload.action, actor=caller.actor, detail=detail)
    return _client_out(client)


@clients_router.delete("/{client_id}", response={204: None}, summary="Delete a client")
def clients_delete(
    request: HttpRequest, client_id: int, org: str | None = Query(None, description=ORG_PARAM_HELP)
) -> Status[None]:
    """The record leaves every list and the API; support can restore it. Needs `clients.delete`."""
    caller = _caller(request, org, Permission.CLIENTS_DELETE)
    client_actions.client_delete(client=_get(caller, client_id), actor=caller.actor)
    return Status(204, None)


@clients_router.post("/{client_id}/profile", response=ClientOut, summary="Create the client's profile")
def clients_profile_create(
    request: HttpRequest, client_id: int, org: str | None = Query(None, description=ORG_PARAM_HELP)
) -> dict[str, Any]:
    """Create the client's profile from the record now, before any invitation is accepted; the
    client becomes active. A client that already has a profile is a 409 (`has_profile`), as is a
    status the lifecycle does not allow it from. Needs `clients.change_status`."""
    caller = _caller(request, org, Permission.CLIENTS_CHANGE_STATUS)
    client = client_actions.client_profile_create(client=_get(caller, client_id), actor=caller.actor)
    return _client_out(client)


@clients_router.put("/{client_id}/case-number", response=ClientOut, summary="Change a client's case number")
def clients_case_number(
    request: HttpRequest,
    client_id: int,
    payload: CaseNumberIn,
    org: str | None = Query(None, description=ORG_PARAM_HELP),
) -> dict[str, Any]:
    """A number another record of the organization already has is a 409 (`duplicate`); an empty
    one a 400 (`empty`). Needs `clients.change_case_number`."""
    caller = _caller(request, org, Permission.CLIENTS_CHANGE_CASE_NUMBER)
    client = client_actions.client_change_case_number(
        client=_get(caller, client_id), actor=caller.actor, case_number=payload.case_number
    )
    return _client_out(client)


@clients_router.post("/{client_id}/groups", response=ClientDetailOut, summary="Add or remove a client's groups")
def clients_groups(
    request: HttpRequest,
    client_id: int,
    payload: GroupsChangeIn,
    org: str | None = Query(None, description=ORG_PARAM_HELP),
) -> dict[str, Any]:
    """Adds the client to the groups in `add` and takes it out of those in `remove`; other groups
    stay. An id that is not one of the organization's groups is a 404 and nothing changes.
    Needs `groups.manage`."""
    caller = _caller(request, org, Permission.GROUPS_MANAGE)
    client = _get(caller, client_id)
    add = _in_org(Group, caller.ctx.org, payload.add)
    remove = _in_org(Group, caller.ctx.org, payload.remove)
    client = client_actions.client_change_groups(client=client, actor=caller.actor, add=add, remove=remove)
    return _client_detail_out(client)


@clients_router.post("/{client_id}/navigators", response=ClientDetailOut, summary="Assign a navigator")
def clients_navigator_assign(
    request: HttpRequest,
    client_id: int,
    payload: NavigatorIn,
    org: str | None = Query(None, description=ORG_PARAM_HELP),
) -> dict[str, Any]:
    """A user who is not active staff of the organization is a 404; one already assigned a 409
    (`already`). Needs `navigators.assign`."""
    caller = _caller(request, org, Permission.NAVIGATORS_ASSIGN)
    client = _get(caller, client_id)
    navigator = get_object_or_404(
        User, pk=payload.user_id, memberships__org=caller.ctx.org, memberships__status=MembershipStatus.ACTIVE
    )
    client = client_actions.client_assign_navigator(client=client, actor=caller.actor, navigator=navigator)
    return _client_detail_out(client)


@clients_router.delete("/{client_id}/navigators/{user_id}", response=ClientDetailOut, summary="Unassign a navigator")
def clients_navigator_unassign(
    request: HttpRequest,
    client_id: int,
    user_id: int,
    org: str | None = Query(None, description=ORG_PARAM_HELP),
) -> dict[str, Any]:
    """A user who is not assigned to this client is a 404. Needs `navigators.assign`."""
    caller = _caller(request, org, Permission.NAVIGATORS_ASSIGN)
    client = _get(caller, client_id)
    navigator = get_object_or_404(User, pk=user_id, assigned_clients=client)
    client = client_actions.client_unassign_navigator(client=client, actor=caller.actor, navigator=navigator)
    return _client_detail_out(client)


@clients_router.put("/{client_id}/warnings", response=ClientOut, summary="Set a client's warning indicators")
def clients_warnings(
    request: HttpRequest,
    client_id: int,
    payload: WarningsIn,
    org: str | None = Query(None, description=ORG_PARAM_HELP),
) -> dict[str, Any]:
    """The client's warning indicators become exactly these. An id that is not one of the
    organization's indicators is a 404 and nothing changes. Needs `clients.edit`."""
    caller = _caller(request, org, Permission.CLIENTS_EDIT)
    client = _get(caller, client_id)
    warnings = _in_org(WarningIndicator, caller.ctx.org, payload.warnings)
    client = client_actions.client_set_warnings(client=client, actor=caller.actor, warnings=warnings)
    return _client_out(client)


@clients_router.post("/{client_id}/image", response=ClientDetailOut, summary="Upload a client's image")
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
    caller = _caller(request, org, Permission.CLIENTS_EDIT)
    client = _get(caller, client_id)
    try:
        client = client_actions.client_set_image(client=client, actor=caller.actor, upload=image)
    except PorticoError as exc:
        if exc.code in IMAGE_REFUSALS:
            raise InvalidInput(exc.message, code=exc.code, extra=exc.extra) from None
        raise
    return _client_detail_out(client)


@clients_router.get(
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
    caller = _caller(request, org, Permission.CLIENTS_VIEW)
    client = _get(caller, client_id)
    field = client.thumbnail if size == "thumb" else client.image
    if not field:
        raise Http404
    response = FileResponse(field.open("rb"), content_type="image/png" if field.name.endswith(".png") else "image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


api.add_router("/clients", clients_router)

# --- invitations: /invitations and /clients/{id}/invitations (routes in portico/invitations/api.py) ---

invitations_router = Router(auth=[ApiKeyAuth(), SessionAuth(csrf=True)], tags=["invitations"])
api.add_router("", invitations_router)

# --- requests and notifications (routes in portico/requests/api.py) ---

requests_router = Router(auth=[ApiKeyAuth(), SessionAuth(csrf=True)], tags=["requests"])
api.add_router("", requests_router)

# Last, as they use everything above; whichever module is imported first, the routes are on the
# routers before the URLs or the OpenAPI document are built.
import portico.invitations.api  # noqa: E402
import portico.requests.api  # noqa: E402, F401
