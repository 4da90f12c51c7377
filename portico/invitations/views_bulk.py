"""Staff pages for bulk portal invitations: the confirmation (from the client list's selection)
and the job page (progress while it runs, then the outcome of each client)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portico.clients.forms import ClientFilterForm
from portico.clients.views import _filters as client_filters_of
from portico.core.errors import PorticoError
from portico.invitations import bulk
from portico.invitations.models import BulkInvitation, BulkInvitationRow, InvitationChannel
from portico.orgs.context import org_actor, org_view
from portico.orgs.permissions import Permission

RESULTS_PAGE = 50


@require_POST
@org_view(Permission.INVITATIONS_SEND)
def invitation_bulk(request: HttpRequest) -> HttpResponse:
    """The client list's "Invite to portal": first a confirmation, then (confirm=1) the job."""
    org = request.org  # type: ignore[attr-defined]
    channel = request.POST.get("channel", "")
    if channel not in InvitationChannel.values:
        raise PorticoError(_("Choose email or SMS."), code="bad_channel")
    filter_query = request.POST.get("filter_query", "")
    ids: list[int] | None = None
    filters = None
    if request.POST.get("scope") == "all":
        # Read like the list reads it (ids are only ever used inside this organization's queries).
        form = ClientFilterForm(QueryDict(filter_query), org=org, with_choices=False)
        if not form.is_valid():  # never let a broken filter widen "all matching" to everyone
            fields = ", ".join(str(form.fields[name].label or name) for name in form.errors if name in form.fields)
            raise PorticoError(_("The filter is not valid (%(fields)s). Fix it and try again.") % {"fields": fields})
        filters = client_filters_of(form)
    else:
        try:
            ids = [int(v) for v in request.POST.getlist("client")]
        except ValueError:
            ids = []
        if not ids:
            raise PorticoError(_("Select at least one client, or choose all matching clients."))
    if request.POST.get("confirm") != "1":
        count = bulk.bulk_invitation_count(org=org, channel=channel, client_ids=ids, filters=filters)
        return render(
            request,
            "invitations/bulk_confirm.html",
            {
                "count": count,
                "channel": channel,
                "channel_label": InvitationChannel(channel).label,
                "scope_all": ids is None,
                "ids": ids or [],
                "filter_query": filter_query,
            },
        )
    job = bulk.bulk_invitation_start(
        org=org, actor=org_actor(request), channel=channel, client_ids=ids, filters=filters
    )
    return redirect("invitation_bulk_job", org_slug=org.slug, bulk_id=job.pk)


@org_view(Permission.INVITATIONS_SEND)
def invitation_bulk_job(request: HttpRequest, bulk_id: int) -> HttpResponse:
    job = get_object_or_404(BulkInvitation, org=request.org, pk=bulk_id)  # type: ignore[attr-defined]
    if request.htmx:  # type: ignore[attr-defined]
        response = render(request, "invitations/bulk_job.html#progress", {"job": job})
        if job.finished:
            response["HX-Refresh"] = "true"  # the whole page again, now with the result table
        return response
    context: dict[str, object] = {"job": job}
    if job.finished:
        outcome = request.GET.get("outcome", "")
        outcome = outcome if outcome in BulkInvitationRow.Outcome.values else ""
        try:
            after = max(int(request.GET.get("after") or 0), 0)
        except ValueError:
            after = 0
        counts = bulk.bulk_invitation_outcomes(job=job)
        context.update(
            outcome=outcome,
            results=bulk.bulk_invitation_results(job=job, outcome=outcome, after=after, limit=RESULTS_PAGE),
            first_page=not after,
            outcomes=[(value, label, counts.get(value, 0)) for value, label in BulkInvitationRow.Outcome.choices],
            all_count=sum(counts.values()),
        )
    return render(request, "invitations/bulk_job.html", context)
