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
    return render(request, "core/home.html", {"orgs": orgs})


@org_view()
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    # Client records arrive with the client-records capability; until then nothing matches.
    return render(request, "core/search.html", {"query": query, "results": []})


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
