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

import contextlib
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from portico.core.actors import Actor, ActorKind
from portico.core.errors import PorticoError
from portico.leads.actions import UTM_KEYS, lead_submit
from portico.leads.forms import PublicLeadForm
from portico.leads.models import LeadSource, ReferralLink
from portico.leads.public import HONEYPOT_FIELD, TOKEN_FIELD, Verdict, form_token_new, submission_verdict
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


def _form_page(request: HttpRequest, public: PublicOrg, link: ReferralLink | None) -> HttpResponse:
    org = public.org
    if request.method == "POST":
        verdict = submission_verdict(request, org, request.POST)
        if verdict is Verdict.LIMITED:
            return _render(request, "leads/public/limited.html", public, status=429)
        if verdict is Verdict.BOT:  # the usual answer, and nothing is made
            return _render(request, "leads/public/thanks.html", public)
        form = PublicLeadForm(request.POST, services=public.services)
        if form.is_valid():
            data = form.cleaned_data
            try:
                lead_submit(
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
            except PorticoError as exc:
                form.add_error(
                    exc.extra.get("field") if exc.extra.get("field") in form.fields else None, str(exc.message)
                )
            else:
                return _render(request, "leads/public/thanks.html", public)
        token = request.POST.get(TOKEN_FIELD, "")  # the fill time goes on from when the form was first shown
    else:
        form = PublicLeadForm(services=public.services, initial={"page": request.GET.get("page", "")})
        token = form_token_new(org)
    return _render(
        request,
        "leads/public/form.html",
        public,
        form=form,
        token=token,
        token_field=TOKEN_FIELD,
        honeypot_field=HONEYPOT_FIELD,
        link=link,
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
    urls = {"contact": site + reverse("lead_contact_form", args=[org_slug])}
    with contextlib.suppress(NoReverseMatch):  # no booking widget until the bookings app is installed
        urls["booking"] = site + reverse("booking_widget", args=[org_slug])
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
