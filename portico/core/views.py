from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from portico.orgs.context import SESSION_KEY, org_view
from portico.orgs.selectors import organizations_for_user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Straight to the organization you used last, or the only one; otherwise a chooser."""
    orgs = organizations_for_user(user=request.user)  # type: ignore[arg-type]
    slugs = {org.slug for org in orgs}
    last = request.session.get(SESSION_KEY)
    if last in slugs:
        return redirect("org_dashboard", org_slug=last)
    if len(orgs) == 1:
        return redirect("org_dashboard", org_slug=orgs[0].slug)
    if not orgs and not request.user.is_operator and request.user.portal_accounts.exists():  # type: ignore[union-attr]
        return redirect("portal_home")  # a client: their portal
    return render(request, "core/home.html", {"orgs": orgs})


@org_view()
def search(request: HttpRequest) -> HttpResponse:
    """The global search: the page, or (htmx, as you type in the navigation bar) only the results."""
    from django.utils.cache import patch_vary_headers

    from portico.clients.search import client_search

    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    can_view_clients = request.org_ctx.has("clients.view")  # type: ignore[attr-defined]
    results = client_search(org=request.org, query=query) if query and can_view_clients else []  # type: ignore[attr-defined]
    context = {"query": query, "results": results, "can_view_clients": can_view_clients, "org": request.org}  # type: ignore[attr-defined]
    htmx = request.htmx  # type: ignore[attr-defined]
    # A history restore (back button after a cache miss) needs the whole page, not the results.
    partial = bool(htmx) and not htmx.history_restore_request
    response = render(request, "clients/_search_results.html" if partial else "core/search.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
