from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from portico.orgs.context import SESSION_KEY
from portico.orgs.selectors import organizations_for_user


def portico(request: HttpRequest) -> dict[str, Any]:
    """The organization in the navigation bar: the one the page belongs to, or on account
    pages the one last opened. The switcher list is loaded lazily (one query when shown)."""
    ctx = getattr(request, "org_ctx", None)
    current = ctx.org if ctx is not None else None
    user = getattr(request, "user", None)

    def switcher() -> list[Any]:
        if ctx is not None and ctx.switcher is not None:
            return ctx.switcher
        return organizations_for_user(user=user) if user is not None and user.is_authenticated else []

    nav_slug = (
        current.slug
        if current is not None
        else request.session.get(SESSION_KEY, "")
        if hasattr(request, "session")
        else ""
    )
    try:
        nav_home = reverse("org_dashboard", args=[nav_slug]) if nav_slug else reverse("home")
    except NoReverseMatch:
        nav_home = reverse("home")
    return {
        "current_org": current,
        "org_ctx": ctx,
        "nav_org_slug": nav_slug,
        "nav_home": nav_home,
        "org_switcher": switcher,
    }
