"""Staff pages for client portal invitations: send (from the record's Share button or Options),
resend, revoke, the list of every invitation, and the preview on the portal set-up page. Thin:
one action or selector each."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portico.clients.models import Client
from portico.clients.selectors import client_get
from portico.core.errors import PorticoError
from portico.invitations import actions, selectors
from portico.invitations.forms import InvitationListForm, InvitationSendForm
from portico.invitations.messages import SAMPLE_LINK, invitation_render
from portico.invitations.models import InvitationChannel
from portico.invitations.refusals import invitation_address, invitation_expiry, invitation_refusal, portal_settings_of
from portico.orgs.context import org_actor, org_view
from portico.orgs.permissions import Permission


def _back(client: Client) -> HttpResponse:
    return redirect(reverse("client_detail", args=[client.org.slug, client.pk]) + "?section=status")


@org_view(Permission.INVITATIONS_SEND)
def client_invite(request: HttpRequest, client_id: int) -> HttpResponse:
    """Seed 001's "Client Account Invitation" (Share) and seed 004's "Send Client Invitation"
    (Options): the address from the record, the branded message, confirmation, send."""
    org = request.org  # type: ignore[attr-defined]
    client = client_get(org=org, client_id=client_id)
    portal = portal_settings_of(org)  # refused (with a message) until the portal is set up
    channel = request.POST.get("channel") or request.GET.get("channel") or InvitationChannel.EMAIL
    channel = channel if channel in InvitationChannel.values else InvitationChannel.EMAIL
    form = InvitationSendForm(request.POST or None, initial={"channel": channel})
    if request.method == "POST" and form.is_valid():
        try:
            invitation = actions.invitation_send(client=client, actor=org_actor(request), channel=channel)
        except PorticoError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("Invitation sent by %(channel)s to %(address)s.")
                % {"channel": invitation.get_channel_display(), "address": invitation.address},
            )
            return _back(client)
    expires = invitation_expiry(portal)
    preview = invitation_render(
        portal=portal, client_name=client.name, channel=channel, expires_at=expires, link=SAMPLE_LINK
    )
    return render(
        request,
        "invitations/send.html",
        {
            "client": client,
            "form": form,
            "channel": channel,
            "portal": portal,
            "refusal": invitation_refusal(client, channel),
            "preview": preview,
            "address": invitation_address(client, channel),
        },
    )


@org_view(Permission.INVITATIONS_SEND)
@require_POST
def invitation_resend(request: HttpRequest, client_invitation_id: int) -> HttpResponse:
    invitation = selectors.invitation_get(org=request.org, invitation_id=client_invitation_id)  # type: ignore[attr-defined]
    actions.invitation_resend(invitation=invitation, actor=org_actor(request))
    messages.success(
        request,
        _("Invitation resent to %(address)s. The previous link no longer works.") % {"address": invitation.address},
    )
    return _back(invitation.client)


@org_view(Permission.INVITATIONS_SEND)
@require_POST
def invitation_revoke(request: HttpRequest, client_invitation_id: int) -> HttpResponse:
    invitation = selectors.invitation_get(org=request.org, invitation_id=client_invitation_id)  # type: ignore[attr-defined]
    actions.invitation_revoke(invitation=invitation, actor=org_actor(request))
    messages.success(request, _("Invitation revoked: the link no longer works and the client is not invited."))
    return _back(invitation.client)


@org_view(Permission.CLIENTS_VIEW)
def invitation_list(request: HttpRequest) -> HttpResponse:
    """Every invitation of the organization, newest send first, filterable by state, delivery,
    channel and period (e.g. "bounced this week")."""
    form = InvitationListForm(request.GET)
    page = selectors.invitation_page(org=request.org, filters=form.filters(), cursor=request.GET.get("cursor", ""))  # type: ignore[attr-defined]
    return render(request, "invitations/list.html", {"page": page, "form": form})


@org_view(Permission.ORG_SETTINGS)
def invitation_preview(request: HttpRequest) -> HttpResponse:
    """The saved invitation texts as a client receives them (loaded into Settings → Client portal)."""
    portal = portal_settings_of(request.org)  # type: ignore[attr-defined]
    expires = invitation_expiry(portal)
    previews = {
        channel: invitation_render(
            portal=portal, client_name=_("Mark Sample"), channel=channel, expires_at=expires, link=SAMPLE_LINK
        )
        for channel in InvitationChannel.values
    }
    template = "invitations/_preview.html" if request.htmx else "invitations/preview.html"  # type: ignore[attr-defined]
    return render(request, template, {"previews": previews})
