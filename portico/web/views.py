"""Pages that show several apps at once: the staff start page, the global search, the client
record page, and the client's portal home. Each asks the apps' selectors and renders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portico.agreements.selectors import agreements_of_client
from portico.audit.selectors import audit_timeline
from portico.clients import selectors as client_selectors
from portico.clients.forms import choice_options
from portico.clients.models import client_status_choices
from portico.clients.reference import client_reference
from portico.clients.search import client_search
from portico.estimates.selectors import estimates_of_client
from portico.invitations.selectors import invitation_newest
from portico.journey.selectors import client_progress, portal_checklist
from portico.leads.selectors import client_referrals, referral_link_of_records
from portico.orgs.context import SESSION_KEY, org_view
from portico.orgs.permissions import Permission
from portico.orgs.selectors import organizations_for_user
from portico.payments.selectors import payment_method_summary
from portico.portal.context import portal_view
from portico.portal.models import PortalAccount, PortalAccountStatus
from portico.portal.selectors import portal_account_of, portal_accounts_open
from portico.requests.selectors import client_requests_of_person
from portico.web.selectors import start_blocks

RECORD_SECTIONS = ("status", "groups", "navigators", "options", "onboarding")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Straight to the organization you used last, or the only one; a client to their portal;
    otherwise a chooser."""
    orgs = organizations_for_user(user=request.user)  # type: ignore[arg-type]
    last = request.session.get(SESSION_KEY)
    if last in {org.slug for org in orgs}:
        return redirect("org_dashboard", org_slug=last)
    if len(orgs) == 1:
        return redirect("org_dashboard", org_slug=orgs[0].slug)
    if not orgs and not request.user.is_operator and portal_accounts_open(user=request.user):  # type: ignore[union-attr,arg-type]
        return redirect("portal_home")
    return render(request, "core/home.html", {"orgs": orgs})


@org_view()
def start(request: HttpRequest) -> HttpResponse:
    """The staff start page: my clients' requests waiting longest, my clients with news,
    invitations in trouble this week, and the organization's figures."""
    ctx = request.org_ctx  # type: ignore[attr-defined]
    blocks = start_blocks(org=ctx.org, user=request.user, can=ctx.can)  # type: ignore[arg-type]
    return render(request, "web/start.html", blocks)


@org_view()
def search(request: HttpRequest) -> HttpResponse:
    """The global search: the page, or (htmx, as you type in the navigation bar) only the results."""
    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    can_view_clients = request.org_ctx.has(Permission.CLIENTS_VIEW)  # type: ignore[attr-defined]
    results = client_search(org=request.org, query=query) if query and can_view_clients else []  # type: ignore[attr-defined]
    context = {"query": query, "results": results, "can_view_clients": can_view_clients}
    htmx = request.htmx  # type: ignore[attr-defined]
    # A history restore (back button after a cache miss) needs the whole page, not the results.
    partial = bool(htmx) and not htmx.history_restore_request
    response = render(request, "clients/_search_results.html" if partial else "core/search.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@org_view(Permission.CLIENTS_VIEW)
def client_detail(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client record page (seed 004): the record box and four sections, plus Onboarding (the
    journey's progress, referrals, estimates); the Status section shows the portal invitation
    and account (invitations and portal apps). A fixed number of
    queries whatever the record holds: the client with its warnings, groups and navigators (one),
    the timeline (one), the portal parts (two, Status only); reference lists come from the cache."""
    org = request.org  # type: ignore[attr-defined]
    ctx = request.org_ctx  # type: ignore[attr-defined]
    client = client_selectors.client_get(org=org, client_id=client_id)
    section = request.GET.get("section", "status")
    section = section if section in RECORD_SECTIONS else "status"
    ref = client_reference(org=org)
    context: dict[str, Any] = {
        "client": client,
        "section": section,
        "status_actions": client_status_choices(client.status),
        "timeline": audit_timeline(org=org, target=client, limit=30),
        "can_change_case_number": ctx.has(Permission.CLIENTS_CHANGE_CASE_NUMBER),
    }
    if section == "status":
        context.update(
            invitation=invitation_newest(client=client),
            portal_account=portal_account_of(client=client),
            portal_statuses=PortalAccountStatus.choices,
            type_options=choice_options(ref.client_types, {client.client_type_id}),
            warning_options=choice_options(
                [(w.id, w.label) for w in ref.warnings], {w["id"] for w in client.warning_badges}
            ),
        )
    elif section == "onboarding":  # one query each: the journey, referrals, estimates, agreements, payment method
        context["progress"] = client_progress(client=client)
        if ctx.has(Permission.LEADS_MANAGE):
            context["referrals"] = client_referrals(org=org, client=client)
        if ctx.has(Permission.ESTIMATES_MANAGE):
            context["client_estimates"] = estimates_of_client(client=client)
        if ctx.has(Permission.AGREEMENTS_MANAGE):
            context["client_agreements"] = agreements_of_client(client=client)
        context["payment_summary"] = payment_method_summary(client=client)
    elif section == "groups":
        context["group_options"] = choice_options(ref.groups, {g["id"] for g in client.group_refs})
    elif section == "navigators" and ctx.has(Permission.NAVIGATORS_ASSIGN):
        assigned = {n["id"] for n in client.navigator_refs}
        context["navigator_options"] = choice_options([s for s in ref.staff if s[0] not in assigned], set())
    template = "clients/detail.html#section" if request.htmx else "clients/detail.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def portal_home(request: HttpRequest) -> HttpResponse:
    """A client's way in: their only portal, or a choice between the organizations serving them."""
    accounts = portal_accounts_open(user=request.user)  # type: ignore[arg-type]
    if len(accounts) == 1:
        return redirect("portal_org_home", org_slug=accounts[0].org.slug)
    if not accounts and request.user.memberships.exists():  # type: ignore[union-attr]
        return redirect("home")  # staff without a portal account
    return render(request, "portal/choose.html", {"accounts": accounts})


@portal_view
def portal_org_home(request: HttpRequest, account: PortalAccount, accounts: list[PortalAccount]) -> HttpResponse:
    """The client's portal home: the organization's services, their requests, their details."""
    user = request.user
    records = list(client_selectors.client_records_organized_by(org=account.org, user=user).order_by("name"))  # type: ignore[arg-type]
    latest = list(client_requests_of_person(org=account.org, user=user)[:5])  # type: ignore[arg-type]
    return render(
        request,
        "portal/home.html",
        {
            "portal": account.org.portal_settings,
            "account": account,
            "accounts": accounts,
            "records": records,
            "latest_requests": latest,
            "referral_link": referral_link_of_records(org=account.org, client_ids=[r.pk for r in records]),
            "journey_checklist": portal_checklist(org=account.org, user=user),  # type: ignore[arg-type]
        },
    )


ALL_SET_SESSION_KEY = "portal_all_set"  # journeys whose client was already told "you're all set"


@portal_view
def portal_continue(request: HttpRequest, account: PortalAccount, accounts: list[PortalAccount]) -> HttpResponse:
    """ "Continue": the page of the client's current journey step, so each step's page goes on
    to the next by itself. Nothing to do (no journey, a step waiting on someone else, or the
    journey complete): the portal home, saying "You're all set" once per completed journey."""
    checklist = portal_checklist(org=account.org, user=request.user)  # type: ignore[arg-type]
    current = next((item for item in checklist if item.current and not item.done), None)
    if current is not None and current.url and not current.waiting:
        return redirect(current.url)
    if checklist and all(item.done for item in checklist):
        journey_id = checklist[0].journey_id
        told = request.session.get(ALL_SET_SESSION_KEY, [])
        if journey_id not in told:
            messages.success(request, _("You're all set: onboarding is complete. We will be in touch about the work."))
            request.session[ALL_SET_SESSION_KEY] = [*told, journey_id]
    return redirect("portal_org_home", org_slug=account.org.slug)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
