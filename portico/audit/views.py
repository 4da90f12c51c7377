from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portico.audit.forms import AuditFilterForm
from portico.audit.selectors import PAGE_SIZE, audit_log
from portico.orgs.context import org_view
from portico.orgs.permissions import Permission


@org_view(Permission.AUDIT_VIEW)
def audit_log_view(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    form = AuditFilterForm(request.GET or None, org=org)
    events = []
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        events = audit_log(
            org=org,
            actor_user_id=data.get("actor"),
            action=data.get("action", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            before_id=data.get("before"),
            limit=PAGE_SIZE + 1,
        )
    has_more = len(events) > PAGE_SIZE
    events = events[:PAGE_SIZE]
    next_query = ""
    if has_more:
        params = request.GET.copy()
        params["before"] = str(events[-1].pk)
        next_query = params.urlencode()
    # htmx filter changes swap only the results (template partial); a full load renders the page.
    template = "audit/log.html#results" if request.htmx else "audit/log.html"  # type: ignore[attr-defined]
    return render(request, template, {"form": form, "events": events, "next_query": next_query})
