"""What every app's API router shares (the routers live in each app's ``api.py``; ``portico.web.api``
only mounts them): who is calling in which organization (``api_caller``), API key sign-in, the one
error shape ``{"code", "message", "extra"}`` for every refusal, and the small shared schemas.

Two ways in: a signed-in session (the organization comes from ``?org=``) and an organization's API key
(``Authorization: Bearer pk_…``) whose organization and role decide what it may do. Key requests
are audited as the system, labelled with the key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from portico.core.actors import Actor, ActorKind, client_ip
from portico.core.errors import PorticoError
from portico.orgs.actions import api_key_authenticate
from portico.orgs.context import OrgContext, org_actor, org_context_resolve
from portico.orgs.models import ApiKey

ORG_PARAM_HELP = (
    "The organization's short name. Required with a session; with an API key, optional (must be the key's)."
)
ID_MAX = 2**63 - 1  # the largest id the database holds; larger ones are a 422, not a database error
Id = Annotated[int, Field(ge=1, le=ID_MAX)]

# Refusals that conflict with what is already stored: a 409 rather than the generic 400.
CONFLICT_CODES = frozenset({"duplicate", "already", "already_invited", "has_access", "has_profile", "stale"})
# Refusals about the input itself (e.g. a malformed email): a 422, like a schema error.
INVALID_CODES = frozenset({"invalid", "invalid_tax_id", "not_image", "too_big", "too_many_pixels"})


class RefOut(Schema):
    id: int
    name: str


class InvalidInput(PorticoError):
    """Input that is well-formed JSON but cannot be used (e.g. another organization's client type)."""

    status_code = 422


@dataclass(frozen=True)
class ApiKeyActor(Actor):
    """The system acting for an API key: audited as kind "system", labelled with the key."""

    api_key_name: str = ""
    api_key_prefix: str = ""

    @property
    def label(self) -> str:
        return f"API key {self.api_key_name} (pk_{self.api_key_prefix}_…)"


class ApiKeyAuth(HttpBearer):
    """``Authorization: Bearer pk_<prefix>_<secret>``: an organization's API key, found by the
    SHA-256 digest of the whole key. A key that is sent but unusable (unknown, malformed, revoked)
    is a 401 even when a session cookie comes with it."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey:
        api_key = api_key_authenticate(raw_key=token.strip())
        if api_key is None:
            raise AuthenticationError
        return api_key


def api_router(*, tags: list[str], api_keys: bool = True) -> Router:
    """An app's router: an API key or a session (with CSRF) signs in; ``api_keys=False``: sessions only."""
    auth: list[Any] = [ApiKeyAuth(), SessionAuth(csrf=True)] if api_keys else [SessionAuth(csrf=True)]
    return Router(auth=auth, tags=tags)


@dataclass(frozen=True)
class Caller:
    ctx: OrgContext
    actor: Actor
    api_key: ApiKey | None


def api_caller(request: HttpRequest, org: str | None, permission: str | None) -> Caller:
    """The organization, permissions and actor of an API request. For a key, its organization
    (``org``, if given, must be that one); for a session, the ``org`` the caller names."""
    auth = request.auth  # type: ignore[attr-defined]
    if isinstance(auth, ApiKey):
        if org and org != auth.org.slug:
            raise Http404  # another organization looks like no organization
        ctx = OrgContext(
            org=auth.org, membership=None, permissions=auth.role.permission_set if auth.role else frozenset()
        )
        caller = Caller(
            ctx=ctx,
            actor=ApiKeyActor(
                kind=ActorKind.SYSTEM,
                user=None,
                ip=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
                api_key_name=auth.name,
                api_key_prefix=auth.prefix,
            ),
            api_key=auth,
        )
    else:
        if not org:
            raise InvalidInput(_("Say which organization: add ?org=<short name> to the address."), code="org_required")
        ctx = org_context_resolve(request, org)
        request.org_ctx = ctx  # type: ignore[attr-defined]
        caller = Caller(ctx=ctx, actor=org_actor(request), api_key=None)
    if permission is not None:
        ctx.require(permission)
    return caller


def person_required(caller: Caller) -> None:
    """Writes that belong to a person (a reply, a note) need a staff member's session (D18)."""
    if caller.api_key is not None or caller.actor.user is None:
        raise InvalidInput(_("This needs a staff member's session; an API key can only read."), code="session_required")


def _error(api: NinjaAPI, request: HttpRequest, code: str, message: str, status: int, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "extra": extra}, status=status)


def error_handlers_install(api: NinjaAPI) -> None:
    """Every refusal in one shape: {"code", "message", "extra"}."""

    @api.exception_handler(PorticoError)
    def portico_error(request: HttpRequest, exc: PorticoError) -> HttpResponse:
        status = exc.status_code
        if status == PorticoError.status_code and exc.code in CONFLICT_CODES:
            status = 409
        elif status == PorticoError.status_code and exc.code in INVALID_CODES:
            status = 422
        field = exc.extra.get("field")
        if field:  # values the action refused: shaped like schema errors, naming each field
            errors = exc.extra.get("errors") or [{"field": field, "message": str(exc.message)}]
            message = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
            return _error(api, request, exc.code, message, status, **{**exc.extra, "errors": errors})
        return _error(api, request, exc.code, str(exc.message), status, **exc.extra)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return _error(api, request, "not_found", "Not found.", 404)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        message = _("Sign in, or send a valid API key as “Authorization: Bearer pk_…”.")
        response = _error(api, request, "unauthenticated", message, 401)
        response["WWW-Authenticate"] = 'Bearer realm="portico"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return _error(api, request, "refused", str(exc), exc.status_code)  # e.g. a session POST without CSRF

    @api.exception_handler(NinjaValidationError)
    def invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [{"field": _error_field(e.get("loc", ())), "message": str(e.get("msg", ""))} for e in exc.errors]
        message = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
        return _error(api, request, "invalid", message, 422, errors=errors)


def _error_field(loc: Any) -> str:
    # ("body", "payload", "email") -> "email"; ("query", "status") -> "status"
    parts = [str(p) for p in loc]
    if parts[:1] == ["body"]:
        parts = parts[2:] if len(parts) > 2 else parts[1:]
    elif parts[:1] in (["query"], ["path"]):
        parts = parts[1:]
    return ".".join(parts)
