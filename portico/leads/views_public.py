"""The public pages under /w/<org_slug>/, for visitors who are not signed in: the contact form,
the referral landing page (the same form, and the lead keeps who referred it) and embed.js, which
puts either page (or the booking widget) into any website as an iframe that fits its content.

These pages, and only these, may be framed by any site (``xframe_options_exempt``). A frame in
another site does not get our cookies (third-party cookies are blocked or partitioned), so
Django's CSRF cookie cannot protect the form: the views are ``csrf_exempt`` and the signed form
token rendered into each form stands in for it (public.py: an HMAC with SECRET_KEY over the
organization and the moment the form was shown, checked with the honeypot, the minimum fill time
and the rate limits). There is no session to ride on: a forged cross-site post can do no more
than a visitor typing into the form, which is what these pages are for."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from portico.core.actors import Actor, ActorKind
from portico.leads.actions import UTM_KEYS, lead_submit
from portico.leads.forms import PublicLeadForm
from portico.leads.models import Lead, LeadSource, ReferralLink
from portico.leads.public import Verdict, guard_context, public_form_handle
from portico.leads.selectors import PublicOrg, public_org_get, referral_link_by_code


def _render(
    request: HttpRequest, template: str, public: PublicOrg, status: int = 200, **context: object
) -> HttpResponse:
    return render(
        request,
        template,
        {"public": public, "portal": public.portal, "org": public.org, **context},
        status=status,
    )


def _first_name(link: ReferralLink | None) -> str:
    """Who referred the visitor, as the public page names them: the first name only (a page
    anyone with the link can open must not show a client's full name), never an email address."""
    if link is None:
        return ""
    name = link.client.name if link.client is not None else link.user.full_name if link.user is not None else ""
    return name.split()[0] if name.split() else ""


def _form_page(request: HttpRequest, public: PublicOrg, link: ReferralLink | None) -> HttpResponse:
    org = public.org
    if request.method == "POST":
        form = PublicLeadForm(request.POST, services=public.services)

        def submit(data: dict[str, Any]) -> Lead:
            return lead_submit(
                org=org,
                actor=Actor.from_request(request, kind=ActorKind.SYSTEM),
                source=LeadSource.REFERRAL if link is not None else LeadSource.CONTACT_FORM,
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                message=data["message"],
                service=data.get("service") or "",
                referrer_client=link.client if link is not None else None,
                referrer_user=link.user if link is not None else None,
                utm={key: request.GET.get(key, "") for key in UTM_KEYS},
                page=request.GET.get("page") or data["page"],
                time_zone=data["tz"],
            )

        outcome = public_form_handle(request, org, form, submit)
        if outcome.verdict is Verdict.LIMITED:
            return _render(request, "leads/public/limited.html", public, status=429)
        if outcome.verdict is Verdict.BOT or outcome.done:  # a bot gets the usual answer; nothing was made
            return _render(request, "leads/public/thanks.html", public)
    else:
        form = PublicLeadForm(services=public.services, initial={"page": request.GET.get("page", "")})
    return _render(
        request,
        "leads/public/form.html",
        public,
        form=form,
        link=link,
        referrer_first_name=_first_name(link),
        guard=guard_context(request, org),
    )


@csrf_exempt  # embedded in other sites: the signed form token protects the post (see the module docstring)
@xframe_options_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def lead_contact_form(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _form_page(request, public_org_get(org_slug=org_slug), None)


@csrf_exempt  # embedded in other sites: the signed form token protects the post (see the module docstring)
@xframe_options_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def referral_landing(request: HttpRequest, org_slug: str, code: str) -> HttpResponse:
    public = public_org_get(org_slug=org_slug)
    link = referral_link_by_code(org=public.org, code=code)
    return _form_page(request, public, link)


@require_GET
def lead_embed_js(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The script snippet: ``<script src=".../embed.js" data-page="contact|referral|booking"
    [data-code="…"] async>``. It puts an iframe of the page after itself, passes the host page's
    address and UTM parameters, and follows the height the framed page reports (postMessage)."""
    public = public_org_get(org_slug=org_slug)
    site = settings.SITE_URL.rstrip("/")
    urls = {
        "contact": site + reverse("lead_contact_form", args=[org_slug]),
        "booking": site + reverse("booking_widget", args=[org_slug]),
    }
    config = {
        "origin": site,
        "urls": urls,
        "referral": site + reverse("referral_landing", args=[org_slug, "CODE"]),
        "title": public.name,
    }
    response = render(
        request,
        "leads/public/embed.js",
        {"config": json.dumps(config).replace("<", "\\u003c")},
        content_type="text/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response
