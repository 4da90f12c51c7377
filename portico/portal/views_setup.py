"""The admin's client portal set-up (org.settings), with a preview of the invitation."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from portico.audit.selectors import audit_timeline
from portico.core.errors import PorticoError
from portico.invitations.actions import SAMPLE_LINK, invitation_render
from portico.invitations.models import InvitationChannel
from portico.orgs.context import org_actor, org_view
from portico.orgs.permissions import Permission
from portico.portal.actions import portal_settings_save
from portico.portal.forms import PortalSettingsForm
from portico.portal.models import PortalSettings, default_texts


@org_view(Permission.ORG_SETTINGS)
def portal_setup(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    portal = PortalSettings.objects.filter(org=org).first()
    initial = (
        {}
        if portal
        else {
            "portal_name": _("%(org)s client portal") % {"org": org.name},
            "sender_name": org.name,
            **default_texts(org.language),
        }
    )
    form = PortalSettingsForm(request.POST or None, request.FILES or None, instance=portal, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.fields}
        if not request.FILES.get("logo"):
            fields.pop("logo")
        try:
            portal = portal_settings_save(org=org, actor=org_actor(request), **fields)
        except PorticoError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Client portal saved. Staff can now send invitations."))
            return redirect("portal_setup", org_slug=org.slug)
    previews = None
    if portal is not None:  # the texts as saved, as a client will receive them
        expires = timezone.now() + dt.timedelta(days=portal.invitation_lifetime_days)
        previews = {
            c: invitation_render(
                portal=portal, client_name=_("Mark Sample"), channel=c, expires_at=expires, link=SAMPLE_LINK
            )
            for c in InvitationChannel.values
        }
    return render(
        request,
        "portal/setup.html",
        {
            "form": form,
            "portal": portal,
            "previews": previews,
            "timeline": audit_timeline(org=org, target=portal) if portal else [],
        },
    )
