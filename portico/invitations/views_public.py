"""The invitation link, public: the link is the credential. GET shows the organization's
welcome page and changes nothing (mail scanners prefetch links); the client's POST consumes
the link. Expired or replaced links offer "Send me a new link"."""

from __future__ import annotations

from typing import Any

from allauth.account.internal.flows.login_by_code import LoginCodeVerificationProcess
from allauth.account.utils import perform_login
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portico.accounts.models import User
from portico.clients.selectors import profiles_organized_by
from portico.core.actors import Actor, ActorKind
from portico.core.errors import PorticoError
from portico.invitations import actions
from portico.invitations.forms import AccountCreateForm
from portico.invitations.models import InvitationChannel
from portico.invitations.refusals import invitation_username
from portico.invitations.selectors import invitation_link_state
from portico.orgs.selectors import account_exists


@never_cache
def invitation_open(request: HttpRequest, token: str) -> HttpResponse:
    state = invitation_link_state(raw_token=token)
    invitation = state.invitation
    if not state.usable or invitation is None:
        portal = getattr(invitation.org, "portal_settings", None) if invitation else None
        return render(
            request,
            "invitations/link_invalid.html",
            {"reason": state.reason, "token": token, "invitation": invitation, "portal": portal},
            status=410 if invitation else 404,
        )
    org = invitation.org
    portal = org.portal_settings
    user: User | None = request.user if request.user.is_authenticated else None  # type: ignore[assignment]
    username = (
        invitation_username(invitation)
        if invitation.channel == InvitationChannel.EMAIL or invitation.client.email
        else ""
    )
    context: dict[str, Any] = {"invitation": invitation, "portal": portal, "org": org, "token": token}
    actor = Actor.from_request(request, kind=ActorKind.CLIENT)

    if user is not None:
        wrong = invitation.channel == InvitationChannel.EMAIL and user.email.lower() != username
        profiles = profiles_organized_by(user=user) if not wrong else []
        if request.method == "POST" and not wrong:
            chosen = request.POST.get("profile", "new")
            profile = next((p for p in profiles if str(p.pk) == chosen), None)
            try:
                acceptance = actions.invitation_accept(raw_token=token, actor=actor, user=user, profile=profile)
            except PorticoError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("Welcome to %(portal)s.") % {"portal": portal.portal_name})
                return redirect("portal_continue", org_slug=acceptance.client.org.slug)
        context.update(
            wrong_account=wrong,
            profiles=profiles,
            has_profile=invitation.client.profile_id is not None,
        )
        return render(request, "invitations/welcome.html", context)

    if username and account_exists(email=username):
        context["existing_account"] = True
        context["login_url"] = reverse("account_login") + "?next=" + request.path
        return render(request, "invitations/welcome.html", context)

    form = AccountCreateForm(request.POST or None, fixed_email=username, initial={"full_name": invitation.client.name})
    if request.method == "POST" and form.is_valid():
        by_code = form.uses_code
        try:
            acceptance = actions.invitation_accept(
                raw_token=token,
                actor=actor,
                full_name=form.cleaned_data["full_name"],
                email=username or form.cleaned_data.get("email", ""),
                password=None if by_code else form.cleaned_data["password1"],
            )
        except PorticoError as exc:
            form.add_error(None, str(exc.message))
        else:
            # The client's next journey step (the web app's "continue" page, by its URL name).
            next_step = reverse("portal_continue", args=[acceptance.client.org.slug])
            if by_code:  # allauth's login by code: the code goes to the email (the username)
                LoginCodeVerificationProcess.initiate(
                    request=request, user=acceptance.user, email=acceptance.user.email
                )
                # The confirm form carries ``next`` through: the code lands them on their next step.
                return redirect(f"{reverse('account_confirm_login_code')}?next={next_step}")
            return perform_login(request, acceptance.user, redirect_url=next_step)
    context["form"] = form
    return render(request, "invitations/welcome.html", context)


@require_POST
def invitation_opened(request: HttpRequest, token: str) -> HttpResponse:
    """Called by the welcome page's script: a person (not a link scanner) opened the link."""
    actions.invitation_mark_opened(raw_token=token)
    return HttpResponse(status=204)


@require_POST
def invitation_new_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = actions.invitation_request_new_link(
            raw_token=token, actor=Actor.from_request(request, kind=ActorKind.CLIENT)
        )
    except PorticoError as exc:
        return render(request, "invitations/new_link.html", {"error": str(exc.message)}, status=exc.status_code)
    return render(request, "invitations/new_link.html", {"invitation": invitation})
