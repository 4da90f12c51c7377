"""The client's portal pages (phone first): the choice of organization, each organization's
portal home, and account settings. Only a portal account that is not banned opens them."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portico.accounts.actions import user_profile_update
from portico.clients.models import Client
from portico.core.actors import Actor, ActorKind
from portico.portal.forms import PortalAccountForm
from portico.portal.models import PortalAccount, PortalAccountStatus, PortalSettings


def _accounts(request: HttpRequest) -> list[PortalAccount]:
    """The organizations whose portal this login may open (one query)."""
    return list(
        PortalAccount.objects.filter(user=request.user, org__portal_enabled=True)  # type: ignore[misc]
        .exclude(status=PortalAccountStatus.BANNED)
        .select_related("org", "org__portal_settings")
        .order_by("org__name")
    )


def portal_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """The current organization's portal: the login must hold a portal account there that is
    not banned; otherwise 404 (another organization's portal looks like no portal)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, org_slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
        accounts = _accounts(request)
        account = next((a for a in accounts if a.org.slug == org_slug), None)
        if account is None:
            raise Http404
        return view(request, account, accounts, *args, **kwargs)

    return wrapper


@login_required
def portal_home(request: HttpRequest) -> HttpResponse:
    accounts = _accounts(request)
    if len(accounts) == 1:
        return redirect("portal_org_home", org_slug=accounts[0].org.slug)
    if not accounts and request.user.memberships.exists():  # type: ignore[union-attr]
        return redirect("home")  # staff without a portal account
    return render(request, "portal/choose.html", {"accounts": accounts})


@portal_view
def portal_org_home(request: HttpRequest, account: PortalAccount, accounts: list[PortalAccount]) -> HttpResponse:
    portal = account.org.portal_settings
    records = list(
        Client.objects.filter(org=account.org, profile__organizer=request.user, deleted_at=None)  # type: ignore[misc]
        .select_related("profile")
        .order_by("name")
    )
    from portico.portal.selectors import portal_requests

    latest = list(portal_requests(org=account.org, user=request.user)[:5])  # type: ignore[arg-type]
    return render(
        request,
        "portal/home.html",
        {"portal": portal, "account": account, "accounts": accounts, "records": records, "latest_requests": latest},
    )


@login_required
def portal_account(request: HttpRequest) -> HttpResponse:
    user = request.user
    accounts = _accounts(request)
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
        user_profile_update(
            user=user,  # type: ignore[arg-type]
            actor=Actor.from_request(request, kind=ActorKind.CLIENT),
            full_name=form.cleaned_data["full_name"],
            phone=form.cleaned_data["phone"],
            language=form.cleaned_data["language"],
            notify_by=form.cleaned_data["notify_by"] or None,
        )
        messages.success(request, _("Saved."))
        return redirect("portal_account")
    portal = accounts[0].org.portal_settings if len(accounts) == 1 else None
    return render(request, "portal/account.html", {"form": form, "accounts": accounts, "portal": portal})


def portal_logo(request: HttpRequest, org_slug: str) -> FileResponse:
    """Public: the logo is branding that appears in invitation emails and the welcome page."""
    portal = PortalSettings.objects.filter(org__slug=org_slug, org__portal_enabled=True).first()
    if portal is None or not portal.logo:
        raise Http404
    response = FileResponse(portal.logo.open("rb"))
    response["Cache-Control"] = "public, max-age=3600"
    return response
