"""/api/v1/o/{org}/me, /roles and /audit: who you are in an organization, its roles, its audit
log (session only: they describe people and their permissions)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema

from portico.audit.selectors import audit_log_page
from portico.orgs import selectors
from portico.orgs.api_shared import api_caller, api_router
from portico.orgs.permissions import Permission

router = api_router(tags=["organization"], api_keys=False)


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


@router.get("/o/{org_slug}/me", response=MeOut)
def me(request: HttpRequest, org_slug: str) -> dict:
    ctx = api_caller(request, org_slug, None).ctx
    return {
        "email": request.user.email,  # type: ignore[union-attr]
        "organization": ctx.org.name,
        "role": ctx.membership.role.name if ctx.membership else None,
        "permissions": sorted(ctx.permissions),
    }


@router.get("/o/{org_slug}/roles", response=list[RoleOut])
def roles(request: HttpRequest, org_slug: str) -> list[dict]:
    ctx = api_caller(request, org_slug, Permission.ROLES_MANAGE).ctx
    return [
        {
            "id": role.pk,
            "name": role.name,
            "description": role.description,
            "permissions": sorted(role.permission_set),
            "member_count": role.member_count,  # type: ignore[attr-defined]
        }
        for role in selectors.role_list(org=ctx.org)
    ]


class AuditPageOut(Schema):
    items: list[AuditEventOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next (older) page; null on the last page.")


@router.get("/o/{org_slug}/audit", response=AuditPageOut)
def audit(request: HttpRequest, org_slug: str, action: str = "", cursor: str = "") -> dict[str, Any]:
    """The organization's audit log, newest first, 50 a page. Needs `audit.view`."""
    ctx = api_caller(request, org_slug, Permission.AUDIT_VIEW).ctx
    page = audit_log_page(org=ctx.org, action=action, cursor=cursor)
    return {"items": page.rows, "next_cursor": page.next_cursor}
