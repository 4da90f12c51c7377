"""Settings → SAT 69-B screening: what the screening of a new customer's RFC does for each
situation of the SAT 69-B list: warn only, or block creation. Staff with customers.manage see it
(it decides what they meet at quick create); changing it needs org.settings."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portico.customers.screening import screening_policy
from portico.customers.screening_actions import customer_screening_policy_set
from portico.customers.screening_forms import ScreeningPolicyForm
from portico.orgs.context import org_actor, org_view
from portico.orgs.permissions import Permission
from portico.sat69b.selectors import sat69b_latest_import


@org_view(Permission.CUSTOMERS_MANAGE)
def customer_screening_settings(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    ctx = request.org_ctx  # type: ignore[attr-defined]
    can_change = ctx.has(Permission.ORG_SETTINGS)
    form = ScreeningPolicyForm(request.POST or None, policy=screening_policy(org=org))
    if request.method == "POST":
        ctx.require(Permission.ORG_SETTINGS)  # a 403 naming it
        if form.is_valid():
            customer_screening_policy_set(org=org, actor=org_actor(request), policy=form.policy())
            messages.success(request, _("SAT 69-B screening policy saved."))
            return redirect("customer_screening_settings", org_slug=org.slug)
    return render(
        request,
        "customers/screening_settings.html",
        {"form": form, "can_change": can_change, "latest": sat69b_latest_import()},
    )
