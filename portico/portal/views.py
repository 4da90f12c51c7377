"""The portal's own pages: the client's account settings, the public logo, the staff set-up page
(Settings → Client portal) and a record's portal account status. The portal home, which shows
several apps' parts, is in portico.web."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portico.accounts.actions import user_profile_update
from portico.audit.selectors import audit_timeline
from portico.clients.selectors import client_get
from portico.core.actors import Actor, ActorKind
from portico.core.errors import PorticoError
from portico.core.files import CACHE_PUBLIC, private_file_response
from portico.orgs.context import org_actor, org_view
from portico.orgs.permissions import Permission
from portico.portal.actions import portal_account_change_status, portal_settings_save
from portico.portal.forms import PortalAccountForm, PortalSettingsForm, PortalStatusForm
from portico.portal.models import default_texts
from portico.portal.selectors import (
    portal_account_of,
    portal_accounts_open,
    portal_logo_settings,
    portal_settings_get,
)


@login_required
def portal_account(request: HttpRequest) -> HttpResponse:
    user = request.user
    accounts = portal_accounts_open(user=user)  # type: ignore[arg-type]
    form = PortalAccountForm(
        request.POST or None,
        initial={
            "full_name": user.full_name,  # type: ignore[union-attr]
            "phone": user.phone,  # type: ignore[union-attr]
            "language": user.language,  # type: ignore[union-attr]
            "notify_by": user.notify_by,  # type: ignore[union-attr]
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            user_profile_update(
                user=user,  # type: ignore[arg-type]
                actor=Actor.from_request(request, kind=ActorKind.CLIENT),
                full_name=form.cleaned_data["full_name"],
                phone=form.cleaned_data["phone"],
                language=form.cleaned_data["language"],
                notify_by=form.cleaned_data["notify_by"] or None,
            )
        except PorticoError as exc:
            form.add_error(exc.extra.get("field"), str(exc.message))
        else:
            messages.success(request, _("Saved."))
            return redirect("portal_account")
    portal = accounts[0].org.portal_settings if len(accounts) == 1 else None
    return render(request, "portal/account.html", {"form": form, "accounts": accounts, "portal": portal})


def portal_logo(request: HttpRequest, org_slug: str) -> FileResponse:
    """Public: the logo is branding that appears in invitation emails and the welcome page."""
    portal = portal_logo_settings(org_slug=org_slug)
    if portal is None:
        raise Http404
    return private_file_response(portal.logo, cache=CACHE_PUBLIC)


@org_view(Permission.ORG_SETTINGS)
def portal_setup(request: HttpRequest) -> HttpResponse:
    """Settings → Client portal. The invitation preview (the invitations app renders it) loads
    into the page once the texts are saved."""
    org = request.org  # type: ignore[attr-defined]
    portal = portal_settings_get(org=org)
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
            portal_settings_save(org=org, actor=org_actor(request), **fields)
        except PorticoError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Client portal saved. Staff can now send invitations."))
            return redirect("portal_setup", org_slug=org.slug)
    return render(
        request,
        "portal/setup.html",
        {"form": form, "portal": portal, "timeline": audit_timeline(org=org, target=portal) if portal else []},
    )


@org_view(Permission.PORTAL_CHANGE_STATUS)
@require_POST
def client_portal_status(request: HttpRequest, client_id: int) -> HttpResponse:
    """The record's Status section: the client's portal account to enrollment pending, active or banned."""
    client = client_get(org=request.org, client_id=client_id)  # type: ignore[attr-defined]
    account = portal_account_of(client=client)
    if account is None:
        raise PorticoError(_("This client has no portal account yet."), code="no_account")
    form = PortalStatusForm(request.POST)
    if not form.is_valid():
        raise PorticoError(_("Choose enrollment pending, active or banned."), code="bad_status")
    portal_account_change_status(account=account, status=form.cleaned_data["status"], actor=org_actor(request))
    messages.success(request, _("Portal account status: %(status)s.") % {"status": account.get_status_display()})
    return redirect(reverse("client_detail", args=[client.org.slug, client.pk]) + "?section=status")
