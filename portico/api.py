"""The JSON API (django-ninja) at /api/v1/. Same organization resolution and permissions as
the pages; refusals share one error shape: {"code", "message", "extra"}."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.security import SessionAuth

from portico.audit.selectors import audit_log
from portico.core.errors import PorticoError
from portico.orgs import selectors as org_selectors
from portico.orgs.context import OrgContext, org_context_resolve
from portico.orgs.permissions import Permission

api = NinjaAPI(title="Portico API", version="1", urls_namespace="api", auth=SessionAuth(csrf=True))


@api.exception_handler(PorticoError)
def portico_error(request: HttpRequest, exc: PorticoError) -> HttpResponse:
    return api.create_response(
        request, {"code": exc.code, "message": str(exc.message), "extra": exc.extra}, status=exc.status_code
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"code": "not_found", "message": "Not found.", "extra": {}}, status=404)


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
