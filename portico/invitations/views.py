"""Staff pages for client portal invitations: send (from the record's Share button or Options),
resend, revoke, and the client's portal account status. Thin: one action each."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portico.clients.models import Client
from portico.clients.selectors import client_get
from portico.core.errors import PorticoError
from portico.invitations import actions
from portico.invitations.actions import SAMPLE_LINK
from portico.invitations.forms import InvitationSendForm
from portico.invitations.models import Invitation, InvitationChannel
from portico.orgs.context import org_actor, org_view
from portico.orgs.permissions import Permission
from portico.portal.actions import portal_account_change_status
from portico.portal.forms import PortalStatusForm
from portico.portal.models import PortalAccount, PortalAccountStatus


def client_portal_info(*, client: Client) -> dict[str, Any]:
    """The record's portal facts: the newest invitation with its delivery trail, and the
    client's portal account in this organization (3 queries)."""
    invitation = (
        Invitation.objects.filter(client=client).select_related("invited_by").prefetch_related("events").first()
    )
    account = None
    if client.profile is not None and client.profile.organizer_id is not None:
        account = PortalAccount.objects.filter(org_id=client.org_id, user_id=client.profile.organizer_id).first()
    return {"invitation": invitation, "portal_account": account, "portal_statuses": PortalAccountStatus.choices}


def _back(client: Client) -> HttpResponse:
    return redirect(reverse("client_detail", args=[client.org.slug, client.pk]) + "?section=status")


@org_view(Permission.INVITATIONS_SEND)
def client_invite(request: HttpRequest, client_id: int) -> HttpResponse:
    """Seed 001's "Client Account Invitation" (Share) and seed 004's "Send Client Invitation"
    (Options): the address from the record, the branded message, confirmation, send."""
    org = request.org  # type: ignore[attr-defined]
    client = client_get(org=org, client_id=client_id)
    portal = actions.portal_settings_of(org)  # refused (with a message) until the portal is set up
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
    expires = timezone.now() + dt.timedelta(days=portal.invitation_lifetime_days)
    preview = actions.invitation_render(
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
            "refusal": actions.invitation_refusal(client, channel),
            "preview": preview,
            "address": actions.invitation_address(client, channel),
        },
    )


def _invitation(request: HttpRequest, client_invitation_id: int) -> Invitation:
    return get_object_or_404(
        Invitation.objects.select_related("org", "client"),
        pk=client_invitation_id,
        org=request.org,  # type: ignore[attr-defined]
    )


@org_view(Permission.INVITATIONS_SEND)
@require_POST
def invitation_resend(request: HttpRequest, client_invitation_id: int) -> HttpResponse:
    invitation = actions.invitation_resend(
        invitation=_invitation(request, client_invitation_id), actor=org_actor(request)
    )
    messages.success(
        request,
        _("Invitation resent to %(address)s. The previous link no longer works.") % {"address": invitation.address},
    )
    return _back(invitation.client)


@org_view(Permission.INVITATIONS_SEND)
@require_POST
def invitation_revoke(request: HttpRequest, client_invitation_id: int) -> HttpResponse:
    invitation = actions.invitation_revoke(
        invitation=_invitation(request, client_invitation_id), actor=org_actor(request)
    )
    messages.success(request, _("Invitation revoked: the link no longer works and the client is not invited."))
    return _back(invitation.client)


@org_view(Permission.PORTAL_CHANGE_STATUS)
@require_POST
def client_portal_status(request: HttpRequest, client_id: int) -> HttpResponse:
    client = client_get(org=request.org, client_id=client_id)  # type: ignore[attr-defined]
    account = client_portal_info(client=client)["portal_account"]
    if account is None:
        raise PorticoError(_("This client has no portal account yet."), code="no_account")
    form = PortalStatusForm(request.POST)
    if not form.is_valid():
        raise PorticoError(_("Choose enrollment pending, active or banned."), code="bad_status")
    account = portal_account_change_status(
        account=account, status=form.cleaned_data["status"], actor=org_actor(request)
    )
    messages.success(request, _("Portal account status: %(status)s.") % {"status": account.get_status_display()})
    return _back(client)


PERIODS = {"today": 0, "week": 7, "month": 30}


@org_view(Permission.CLIENTS_VIEW)
def invitation_list(request: HttpRequest) -> HttpResponse:
    """Every invitation of the organization, newest send first, filterable by state, delivery,
    channel and period (e.g. "bounced this week")."""
    from portico.invitations.models import Delivery, InvitationStatus
    from portico.invitations.selectors import InvitationFilters, invitation_page

    org = request.org  # type: ignore[attr-defined]
    get = request.GET
    state = get.get("state", "") if get.get("state") in InvitationStatus.values else ""
    delivery = get.get("delivery", "") if get.get("delivery") in Delivery.values else ""
    channel = get.get("channel", "") if get.get("channel") in InvitationChannel.values else ""
    period = get.get("period", "") if get.get("period") in PERIODS else ""
    since = None
    if period:
        today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        since = today - dt.timedelta(days=PERIODS[period])
    filters = InvitationFilters(state=state, delivery=delivery, channel=channel, since=since)
    page = invitation_page(org=org, filters=filters, cursor=get.get("cursor", ""))
    query = get.copy()
    query.pop("cursor", None)
    return render(
        request,
        "invitations/list.html",
        {
            "page": page,
            "selected": {"state": state, "delivery": delivery, "channel": channel, "period": period},
            "states": InvitationStatus.choices,
            "deliveries": Delivery.choices,
            "channels": InvitationChannel.choices,
            "periods": [("today", _("Today")), ("week", _("This week")), ("month", _("This month"))],
            "filter_query": query.urlencode(),
        },
    )
