"""The current organization: resolved once per request, then passed explicitly.

``org_view`` wraps every organization page: the organization comes from the URL's
``org_slug`` and the signed-in user's active membership in one query. Not a member
(or another organization's id) is a 404; a missing permission is a 403 naming it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from portico.core.actors import Actor, ActorKind
from portico.core.errors import PermissionMissing, PorticoError
from portico.orgs.models import Membership, MembershipStatus, Organization
from portico.orgs.permissions import ALL, Permission, permission_check

SESSION_KEY = "portico_org_slug"


class MfaRequired(PorticoError):
    status_code = 403


SUPPORT = "support"  # org_view(SUPPORT): support operators only (e.g. restoring deleted records)


class UnknownPermission(Exception):
    """``org_ctx.can.NAME`` with a NAME the catalogue lacks: templates fail loudly instead of hiding."""


class Can:
    """Templates ask ``org_ctx.can.CLIENTS_EDIT``: the catalogue's names, never string literals, so a
    renamed or mistyped permission breaks the page (and its tests) rather than hiding a button."""

    def __init__(self, permissions: frozenset[str]):
        self._permissions = permissions

    def __getitem__(self, name: str) -> bool:
        try:
            return Permission[name] in self._permissions
        except KeyError:
            raise UnknownPermission(name) from None


@dataclass(frozen=True)
class OrgContext:
    org: Organization
    membership: Membership | None
    permissions: frozenset[str]
    # The user's other organizations, for the switcher (loaded with the membership: no extra query).
    switcher: list[Organization] | None = None

    @property
    def can(self) -> Can:
        return Can(self.permissions)

    def has(self, code: str) -> bool:
        return permission_check(code) in self.permissions

    def require(self, code: str) -> None:
        if not self.has(code):
            raise PermissionMissing(code, permission_check(code).label)


def org_context_resolve(request: HttpRequest, slug: str) -> OrgContext:
    user = request.user
    if not user.is_authenticated:
        raise Http404
    # One query answers both "may they open this organization?" and "which others can they switch to?".
    memberships = list(
        Membership.objects.select_related("org", "role")
        .filter(user=user, status=MembershipStatus.ACTIVE)
        .order_by("org__name")
    )
    membership = next((m for m in memberships if m.org.slug == slug), None)
    if membership is not None and membership.org.require_mfa and not _mfa_enabled(user):
        # Every way in (pages and API) refuses until the member turns on two-factor authentication.
        raise MfaRequired(
            _("%(org)s requires two-factor authentication. Turn on an authenticator app to continue.")
            % {"org": membership.org.name},
            code="mfa_required",
        )
    if membership is not None and not user.is_operator:  # type: ignore[union-attr]
        return OrgContext(
            org=membership.org,
            membership=membership,
            permissions=membership.role.permission_set,
            switcher=[m.org for m in memberships],
        )
    if membership is not None:
        return OrgContext(org=membership.org, membership=membership, permissions=membership.role.permission_set)
    if user.is_operator:  # type: ignore[union-attr]
        org = Organization.objects.filter(slug=slug).first()
        if org is not None:
            return OrgContext(org=org, membership=None, permissions=ALL)
    # Not a member and "no such organization" look the same from outside.
    raise Http404


def org_actor(request: HttpRequest) -> Actor:
    ctx: OrgContext = request.org_ctx  # type: ignore[attr-defined]
    kind = ActorKind.STAFF if ctx.membership is not None else ActorKind.SUPPORT
    return Actor.from_request(request, kind=kind)


def org_view(
    permission: str | None = None,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    if permission is not None and permission != SUPPORT:
        permission_check(permission)  # a typo fails at import time, not by quietly denying

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapper(request: HttpRequest, org_slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            try:
                ctx = org_context_resolve(request, org_slug)
            except MfaRequired as exc:
                messages.warning(request, str(exc.message))
                return redirect("mfa_activate_totp")
            request.org = ctx.org  # type: ignore[attr-defined]
            request.org_ctx = ctx  # type: ignore[attr-defined]
            if request.session.get(SESSION_KEY) != ctx.org.slug:  # write the session only on a switch
                request.session[SESSION_KEY] = ctx.org.slug
            if permission == SUPPORT:
                if not request.user.is_operator:  # type: ignore[union-attr]
                    raise PermissionMissing(SUPPORT, _("Support operator"))
            elif permission is not None:
                ctx.require(permission)
            return view(request, *args, **kwargs)

        wrapper.org_permission = permission  # type: ignore[attr-defined]  # read by the permission matrix test
        return wrapper

    return decorator


def _mfa_enabled(user: Any) -> bool:
    from allauth.mfa.adapter import get_adapter

    return get_adapter().is_mfa_enabled(user)
