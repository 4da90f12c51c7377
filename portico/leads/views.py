"""Staff pages of leads: the list, one lead with its moves (contacted, disqualify, take up again,
convert and invite, attach to an existing client, resend the invitation), referral links and the
settings page with the embed snippets. Thin: validate, call one action or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portico.clients.selectors import client_get
from portico.core.errors import PorticoError
from portico.invitations.selectors import invitation_newest
from portico.leads import actions, selectors
from portico.leads.embed import embed_snippets
from portico.leads.forms import ConvertForm, DisqualifyForm, LeadFilterForm, LeadSettingsForm
from portico.leads.models import LEAD_MACHINE, Lead, LeadSource, LeadState
from portico.orgs.context import org_actor, org_view
from portico.orgs.permissions import Permission


def _back(lead: Lead) -> HttpResponse:
    return redirect("lead_detail", org_slug=lead.org.slug, lead_id=lead.pk)


@org_view(Permission.LEADS_MANAGE)
def lead_list(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    form = LeadFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.LeadFilters(
        source=data.get("source") or "", state=data.get("state") or "", age=data.get("age") or ""
    )
    page = selectors.lead_page(org=org, filters=filters, cursor=request.GET.get("cursor", ""))
    is_staff = request.org_ctx.membership is not None  # type: ignore[attr-defined]
    context = {
        "page": page,
        "filters": filters,
        "sources": LeadSource.choices,
        "states": LeadState.choices,
        "ages": selectors.AGES,
        "is_staff": is_staff,
        "my_link": selectors.staff_referral_link(org=org, user=request.user) if is_staff else None,  # type: ignore[arg-type]
    }
    return render(request, "leads/list.html", context)


@org_view(Permission.LEADS_MANAGE)
def lead_detail(request: HttpRequest, lead_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    lead = selectors.lead_get(org=org, lead_id=lead_id)
    moves = set(LEAD_MACHINE.allowed_actions(lead.state))
    context: dict[str, Any] = {
        "lead": lead,
        "moves": moves,
        "matches": selectors.lead_matches(lead=lead) if "convert" in moves else [],
        "convert_form": ConvertForm(initial={"channel": "email" if lead.email else "sms" if lead.phone else "none"}),
        "invitation": invitation_newest(client=lead.client) if lead.client is not None else None,
        "utm": sorted(lead.utm.items()) if isinstance(lead.utm, dict) else [],
        "page_is_link": lead.page.lower().startswith(("http://", "https://")),
    }
    return render(request, "leads/detail.html", context)


@org_view(Permission.LEADS_MANAGE)
@require_POST
def lead_mark_contacted(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = selectors.lead_get(org=request.org, lead_id=lead_id)  # type: ignore[attr-defined]
    actions.lead_contact(lead=lead, actor=org_actor(request))
    messages.success(request, _("Marked as contacted."))
    return _back(lead)


@org_view(Permission.LEADS_MANAGE)
@require_POST
def lead_disqualify(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = selectors.lead_get(org=request.org, lead_id=lead_id)  # type: ignore[attr-defined]
    form = DisqualifyForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    actions.lead_disqualify(lead=lead, actor=org_actor(request), reason=reason)  # refuses a blank reason
    messages.success(request, _("The lead is disqualified."))
    return _back(lead)


@org_view(Permission.LEADS_MANAGE)
@require_POST
def lead_requalify(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = selectors.lead_get(org=request.org, lead_id=lead_id)  # type: ignore[attr-defined]
    actions.lead_requalify(lead=lead, actor=org_actor(request))
    messages.success(request, _("The lead is new again."))
    return _back(lead)


@org_view(Permission.LEADS_MANAGE)
@require_POST
def lead_convert(request: HttpRequest, lead_id: int) -> HttpResponse:
    """A new client record from the lead and, by choice, the portal invitation in the same step."""
    org = request.org  # type: ignore[attr-defined]
    lead = selectors.lead_get(org=org, lead_id=lead_id)
    form = ConvertForm(request.POST)
    if not form.is_valid():
        raise PorticoError(_("Choose how to invite the client, or not yet."), code="invalid")
    request.org_ctx.require(Permission.CLIENTS_CREATE)  # type: ignore[attr-defined]
    channel = form.cleaned_data["channel"]
    if channel != "none":
        request.org_ctx.require(Permission.INVITATIONS_SEND)  # type: ignore[attr-defined]
    client = actions.lead_convert(lead=lead, actor=org_actor(request), channel="" if channel == "none" else channel)
    if channel == "none":
        messages.success(
            request, _("%(name)s is now a client. Invite them when you are ready.") % {"name": client.name}
        )
    else:
        messages.success(
            request, _("%(name)s is now a client and the portal invitation is on its way.") % {"name": client.name}
        )
    return _back(lead)


@org_view(Permission.LEADS_MANAGE)
@require_POST
def lead_attach(request: HttpRequest, lead_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    lead = selectors.lead_get(org=org, lead_id=lead_id)
    try:
        client_id = int(request.POST.get("client", ""))
    except ValueError:
        raise PorticoError(_("Choose the client record to attach the lead to."), code="invalid") from None
    client = client_get(org=org, client_id=client_id)
    actions.lead_attach(lead=lead, client=client, actor=org_actor(request))
    messages.success(request, _("The lead is attached to %(name)s.") % {"name": client.name})
    return _back(lead)


@org_view(Permission.LEADS_MANAGE)
@require_POST
def lead_resend(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = selectors.lead_get(org=request.org, lead_id=lead_id)  # type: ignore[attr-defined]
    request.org_ctx.require(Permission.INVITATIONS_SEND)  # type: ignore[attr-defined]
    channel = request.POST.get("channel", "")
    invitation = actions.lead_invitation_resend(
        lead=lead, actor=org_actor(request), channel=channel if channel in actions.INVITE_CHANNELS else ""
    )
    messages.success(request, _("Invitation sent to %(address)s.") % {"address": invitation.address})
    return _back(lead)


@org_view(Permission.LEADS_MANAGE)
@require_POST
def client_referral_link(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client record page's "Create referral link"."""
    org = request.org  # type: ignore[attr-defined]
    client = client_get(org=org, client_id=client_id)
    actions.referral_link_get_or_create(org=org, actor=org_actor(request), client=client)
    messages.success(request, _("Referral link ready: share it with %(name)s.") % {"name": client.name})
    return redirect(reverse("client_detail", args=[org.slug, client.pk]) + "?section=onboarding")


@org_view(Permission.LEADS_MANAGE)
@require_POST
def my_referral_link(request: HttpRequest) -> HttpResponse:
    """The signed-in staff member's own referral link (leads list)."""
    org = request.org  # type: ignore[attr-defined]
    if request.org_ctx.membership is None:  # type: ignore[attr-defined]
        # A support operator is nobody's referrer here (the page offers them no link).
        messages.info(request, _("Referral links belong to the organization's staff."))
        return redirect("lead_list", org_slug=org.slug)
    actions.referral_link_get_or_create(org=org, actor=org_actor(request), user=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Your referral link is ready."))
    return redirect("lead_list", org_slug=org.slug)


@org_view(Permission.ORG_SETTINGS)
def lead_settings(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    current = selectors.lead_settings_of(org=org)
    staff = selectors.staff_choices(org=org)
    initial = {
        "navigators": list(current.navigators.all()) if current.pk else [],
        "public_forms": current.public_forms,
        "thank_you": current.thank_you,
    }
    form = LeadSettingsForm(request.POST or None, staff=staff, initial=initial)
    if request.method == "POST" and form.is_valid():
        actions.lead_settings_save(
            org=org,
            actor=org_actor(request),
            navigators=list(form.cleaned_data["navigators"]),
            public_forms=form.cleaned_data["public_forms"],
            thank_you=form.cleaned_data["thank_you"],
        )
        messages.success(request, _("Website lead settings saved."))
        return redirect("lead_settings", org_slug=org.slug)
    return render(
        request,
        "leads/settings.html",
        {"form": form, "lead_settings": current, "snippets": embed_snippets(org.slug, ("contact", "referral"))},
    )
