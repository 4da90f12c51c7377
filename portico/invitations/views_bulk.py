"""The client list's "Invite to portal": a confirmation with the count, then the job (whose page,
progress then each client's outcome, is the jobs app's)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portico.clients.forms import client_selection_from_post
from portico.core.errors import PorticoError
from portico.invitations import bulk
from portico.invitations.models import InvitationChannel
from portico.orgs.context import org_actor, org_view
from portico.orgs.permissions import Permission


@require_POST
@org_view(Permission.INVITATIONS_SEND)
def invitation_bulk(request: HttpRequest) -> HttpResponse:
    """First a confirmation, then (confirm=1) the job."""
    org = request.org  # type: ignore[attr-defined]
    channel = request.POST.get("channel", "")
    if channel not in InvitationChannel.values:
        raise PorticoError(_("Choose email or SMS."), code="bad_channel")
    ids, filters = client_selection_from_post(request.POST, org=org)
    if request.POST.get("confirm") != "1":
        return render(
            request,
            "invitations/bulk_confirm.html",
            {
                "count": bulk.bulk_invitation_count(org=org, channel=channel, client_ids=ids, filters=filters),
                "channel": channel,
                "channel_label": InvitationChannel(channel).label,
                "scope_all": ids is None,
                "ids": ids or [],
                "filter_query": request.POST.get("filter_query", ""),
            },
        )
    job = bulk.bulk_invitation_start(
        org=org, actor=org_actor(request), channel=channel, client_ids=ids, filters=filters
    )
    return redirect("job_detail", org_slug=org.slug, job_id=job.pk)
