"""Organization pages: roles, staff, settings, the staff invitation link, support."""

from __future__ import annotations

from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portico.audit.selectors import audit_timeline
from portico.core.actors import Actor, ActorKind
from portico.core.errors import PorticoError
from portico.orgs import actions, selectors
from portico.orgs.context import org_actor, org_view
from portico.orgs.forms import (
    InvitationAcceptForm,
    MembershipRoleForm,
    OrgCreateForm,
    OrgSettingsForm,
    RoleForm,
    StaffInviteForm,
)
from portico.orgs.models import Organization
from portico.orgs.permissions import Permission

# --- roles ---


@org_view(Permission.ROLES_MANAGE)
def role_list(request: HttpRequest) -> HttpResponse:
    return render(request, "orgs/role_list.html", {"roles": selectors.role_list(org=request.org)})  # type: ignore[attr-defined]


@org_view(Permission.ROLES_MANAGE)
def role_create(request: HttpRequest) -> HttpResponse:
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            role = actions.role_create(org=request.org, actor=org_actor(request), **form.cleaned_data)  # type: ignore[attr-defined]
        except PorticoError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Role “%(name)s” created.") % {"name": role.name})
            return redirect("role_list", org_slug=request.org.slug)  # type: ignore[attr-defined]
    return render(request, "orgs/role_form.html", {"form": form, "role": None})


@org_view(Permission.ROLES_MANAGE)
def role_edit(request: HttpRequest, role_id: int) -> HttpResponse:
    role = selectors.role_get(org=request.org, role_id=role_id)  # type: ignore[attr-defined]
    initial = {"name": role.name, "description": role.description, "permissions": sorted(role.permission_set)}
    form = RoleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.role_update(role=role, actor=org_actor(request), **form.cleaned_data)
        except PorticoError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Role “%(name)s” saved.") % {"name": role.name})
            return redirect("role_list", org_slug=request.org.slug)  # type: ignore[attr-defined]
    timeline = audit_timeline(org=request.org, target=role)  # type: ignore[attr-defined]
    return render(request, "orgs/role_form.html", {"form": form, "role": role, "timeline": timeline})


@org_view(Permission.ROLES_MANAGE)
def role_delete(request: HttpRequest, role_id: int) -> HttpResponse:
    role = selectors.role_get(org=request.org, role_id=role_id)  # type: ignore[attr-defined]
    if request.method == "POST":
        actions.role_delete(role=role, actor=org_actor(request))
        messages.success(request, _("Role “%(name)s” deleted.") % {"name": role.name})
        return redirect("role_list", org_slug=request.org.slug)  # type: ignore[attr-defined]
    return render(request, "orgs/role_delete.html", {"role": role})


# --- staff ---


@org_view(Permission.STAFF_MANAGE)
def staff_list(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    return render(
        request,
        "orgs/staff_list.html",
        {"memberships": selectors.membership_list(org=org), "invitations": selectors.staff_invitation_list(org=org)},
    )


@org_view(Permission.STAFF_MANAGE)
def staff_invite(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    form = StaffInviteForm(request.POST or None, org=org)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = actions.staff_invitation_send(org=org, actor=org_actor(request), **form.cleaned_data)
        except PorticoError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("staff_list", org_slug=org.slug)
    return render(request, "orgs/staff_invite.html", {"form": form, "days": settings.STAFF_INVITATION_DAYS})


@org_view(Permission.STAFF_MANAGE)
def staff_detail(request: HttpRequest, membership_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    membership = selectors.membership_get(org=org, membership_id=membership_id)
    form = MembershipRoleForm(request.POST or None, org=org, initial={"role": membership.role})
    if request.method == "POST" and form.is_valid():
        actions.membership_change_role(membership=membership, role=form.cleaned_data["role"], actor=org_actor(request))
        messages.success(request, _("Role changed."))
        return redirect("staff_detail", org_slug=org.slug, membership_id=membership.pk)
    timeline = audit_timeline(org=org, target=membership)
    return render(request, "orgs/staff_detail.html", {"membership": membership, "form": form, "timeline": timeline})


@require_POST
@org_view(Permission.STAFF_MANAGE)
def staff_deactivate(request: HttpRequest, membership_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    membership = selectors.membership_get(org=org, membership_id=membership_id)
    actions.membership_deactivate(membership=membership, actor=org_actor(request))
    messages.success(request, _("%(name)s can no longer open %(org)s.") % {"name": membership.user, "org": org.name})
    return redirect("staff_detail", org_slug=org.slug, membership_id=membership.pk)


@require_POST
@org_view(Permission.STAFF_MANAGE)
def staff_reactivate(request: HttpRequest, membership_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    membership = selectors.membership_get(org=org, membership_id=membership_id)
    actions.membership_reactivate(membership=membership, actor=org_actor(request))
    messages.success(request, _("%(name)s is active again.") % {"name": membership.user})
    return redirect("staff_detail", org_slug=org.slug, membership_id=membership.pk)


@require_POST
@org_view(Permission.STAFF_MANAGE)
def staff_invitation_resend(request: HttpRequest, invitation_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    invitation = selectors.staff_invitation_get(org=org, invitation_id=invitation_id)
    actions.staff_invitation_resend(invitation=invitation, actor=org_actor(request))
    messages.success(
        request, _("A new link was sent to %(email)s; the old one no longer works.") % {"email": invitation.email}
    )
    return redirect("staff_list", org_slug=org.slug)


@require_POST
@org_view(Permission.STAFF_MANAGE)
def staff_invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    invitation = selectors.staff_invitation_get(org=org, invitation_id=invitation_id)
    actions.staff_invitation_revoke(invitation=invitation, actor=org_actor(request))
    messages.success(request, _("Invitation to %(email)s revoked.") % {"email": invitation.email})
    return redirect("staff_list", org_slug=org.slug)


# --- settings ---


@org_view(Permission.ORG_SETTINGS)
def org_settings(request: HttpRequest) -> HttpResponse:
    org: Organization = request.org  # type: ignore[attr-defined]
    form = OrgSettingsForm(
        request.POST or None,
        initial={
            "name": org.name,
            "language": org.language,
            "require_mfa": org.require_mfa,
            "case_number_pattern": org.case_number_pattern,
            "mute_closed_clients": org.mute_closed_clients,
            "currency": org.currency,
            "time_zone": org.time_zone,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            fields = {name: value for name, value in form.cleaned_data.items() if value != "" or name == "name"}
            actions.org_settings_update(org=org, actor=org_actor(request), **fields)
        except PorticoError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Settings saved."))
            return redirect("org_settings", org_slug=org.slug)
    return render(request, "orgs/settings.html", {"form": form, "timeline": audit_timeline(org=org, target=org)})


# --- the staff invitation link (public) ---


def staff_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the link is for and never consumes it (mail scanners open links);
    POST accepts it."""
    invitation = selectors.staff_invitation_lookup(raw_token=token)
    if invitation is None:
        return render(request, "orgs/invitation_invalid.html", status=404)
    user = request.user if request.user.is_authenticated else None
    needs_account = user is None
    existing_account = needs_account and selectors.account_exists(email=invitation.email)
    form = (
        InvitationAcceptForm(request.POST or None, email=invitation.email)
        if needs_account and not existing_account
        else None
    )
    if request.method == "POST":
        actor = Actor.from_request(request, kind=ActorKind.STAFF)
        if form is not None and form.is_valid():
            try:
                membership = actions.staff_invitation_accept(
                    raw_token=token,
                    actor=actor,
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password1"],
                )
            except PorticoError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("Welcome to %(org)s.") % {"org": membership.org.name})
                # allauth's own sign-in: its checks, the audit row, and the session in the Sessions list.
                return perform_login(
                    request, membership.user, redirect_url=reverse("org_dashboard", args=[membership.org.slug])
                )
        elif user is not None:
            try:
                membership = actions.staff_invitation_accept(raw_token=token, actor=actor, user=user)  # type: ignore[arg-type]
            except PorticoError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("You joined %(org)s.") % {"org": membership.org.name})
                return redirect("org_dashboard", org_slug=membership.org.slug)
    return render(
        request,
        "orgs/invitation_accept.html",
        {"invitation": invitation, "form": form, "existing_account": existing_account, "token": token},
    )


# --- support (operators) ---


def _require_operator(request: HttpRequest) -> None:
    if not request.user.is_authenticated or not request.user.is_operator:  # type: ignore[union-attr]
        raise PermissionDenied


@login_required
def support_org_list(request: HttpRequest) -> HttpResponse:
    _require_operator(request)
    return render(request, "orgs/support_org_list.html", {"orgs": selectors.organization_list()})


@login_required
def support_org_create(request: HttpRequest) -> HttpResponse:
    _require_operator(request)
    form = OrgCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actor = Actor.from_request(request, kind=ActorKind.SUPPORT)
        try:
            org = actions.org_create(
                name=data["name"],
                slug=data["slug"],
                language=data["language"],
                admin_email=data["admin_email"],
                actor=actor,
            )
        except PorticoError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("%(org)s created; its first admin was invited.") % {"org": org.name})
            return redirect("support_org_list")
    return render(request, "orgs/support_org_create.html", {"form": form})
