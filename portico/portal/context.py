"""The current organization of the client's portal, like orgs.context for staff: resolved once
per request from the URL and the signed-in login's portal accounts."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from portico.portal.models import PortalAccount
from portico.portal.selectors import portal_accounts_open


def portal_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A page of one organization's portal: the login must hold a portal account there that is
    not banned; otherwise 404 (another organization's portal looks like no portal). The view gets
    ``(request, account, accounts, ...)``: this organization's account and all of them (one query)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, org_slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
        accounts: list[PortalAccount] = portal_accounts_open(user=request.user)  # type: ignore[arg-type]
        account = next((a for a in accounts if a.org.slug == org_slug), None)
        if account is None:
            raise Http404
        return view(request, account, accounts, *args, **kwargs)

    return wrapper
