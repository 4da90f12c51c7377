"""Review fixes of the public pages: bots do not use up an organization's limit, a form shown
again keeps its token, referral
links are built from SITE_URL, the settings snippet holds a CODE placeholder (never the
signed-in admin's own code), and a client's referral list is cut in the database."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portico.core.actors import Actor
from portico.leads.actions import referral_link_get_or_create
from portico.leads.models import Lead
from portico.leads.selectors import REFERRALS_SHOWN, client_referrals
from portico.orgs.actions import membership_add, role_create
from portico.orgs.permissions import Permission
from testing.world import client_make, portal_set_up, user_create

from .conftest import TOKEN, form_token_from, lead_make, visitor_post

pytestmark = pytest.mark.django_db

URL = reverse("lead_contact_form", args=["alpha"])
GOOD = {"name": "Vera Visitor", "email": "vera@example.test", "phone": "", "message": "A new roof, please."}
SITE = "https://portico.example"


def test_bots_on_many_addresses_do_not_lock_real_visitors_out(org_a, settings):
    settings.PORTICO_PUBLIC_FORM_RATE_PER_ORG = 2
    for n in range(25):
        bot = Client(REMOTE_ADDR=f"203.0.113.{n + 1}")
        assert visitor_post(bot, URL, {**GOOD, "website": "spam"}).status_code == 200
    assert visitor_post(Client(REMOTE_ADDR="198.51.100.1"), URL, GOOD).status_code == 200
    assert visitor_post(Client(REMOTE_ADDR="198.51.100.2"), URL, GOOD).status_code == 200
    assert Lead.objects.count() == 2
    # People still count: the third one this hour is over the organization's limit.
    assert visitor_post(Client(REMOTE_ADDR="198.51.100.3"), URL, GOOD).status_code == 429
    assert Lead.objects.count() == 2


def test_a_form_shown_again_keeps_its_first_token(org_a):
    visitor = Client(REMOTE_ADDR="198.51.100.7")
    token = form_token_from(visitor, URL)
    again = visitor.post(URL, {"form_token": token, "website": "", **GOOD, "email": "", "phone": ""})
    assert "Enter an email address or a mobile number" in again.content.decode()
    assert TOKEN.search(again.content.decode()).group(1) == token


def test_the_settings_snippet_uses_a_code_placeholder_not_the_admins_own_code(client, org_a, settings):
    settings.SITE_URL = SITE
    mine = referral_link_get_or_create(org=org_a.org, actor=Actor.system(), user=org_a.admin)
    client.force_login(org_a.admin)
    text = client.get(reverse("lead_settings", args=["alpha"])).content.decode()
    assert mine.code not in text
    assert f"{SITE}/w/alpha/r/CODE/" in text and "data-code=&quot;CODE&quot;" in text
    assert "Each client and staff member has their own code" in text
    assert f"&lt;script src=&quot;{SITE}/w/alpha/embed.js&quot;" in text


def test_embed_js_reads_the_code_from_the_page_when_the_snippet_holds_the_placeholder(org_a):
    js = Client().get(reverse("lead_embed_js", args=["alpha"])).content.decode()
    assert 'given !== "CODE"' in js and 'here.get("ref")' in js


def test_referral_links_are_built_from_site_url_not_the_requests_host(client, org_a, settings):
    settings.SITE_URL = SITE
    mark = client_make(org_a)
    theirs = referral_link_get_or_create(org=org_a.org, actor=Actor.system(), client=mark)
    mine = referral_link_get_or_create(org=org_a.org, actor=Actor.system(), user=org_a.admin)
    client.force_login(org_a.admin)
    listing = client.get(reverse("lead_list", args=["alpha"])).content.decode()
    assert f'value="{SITE}/w/alpha/r/{mine.code}/"' in listing
    record = client.get(reverse("client_detail", args=["alpha", mark.pk]), {"section": "onboarding"})
    assert f'value="{SITE}/w/alpha/r/{theirs.code}/"' in record.content.decode()
    assert "http://testserver/w/alpha/r/" not in listing + record.content.decode()


def test_a_clients_referrals_are_cut_to_the_newest_in_the_database(org_a):
    portal_set_up(org_a)
    mark = client_make(org_a)
    referral_link_get_or_create(org=org_a.org, actor=Actor.system(), client=mark)
    made = [
        lead_make(org_a, f"Friend Number{i}", source="referral", referrer_client=mark)
        for i in range(REFERRALS_SHOWN + 3)
    ]
    with CaptureQueriesContext(connection) as queries:
        found = client_referrals(org=org_a.org, client=mark)
    assert len(queries) == 1
    assert re.search(rf"LIMIT {REFERRALS_SHOWN}\b", queries[0]["sql"], re.IGNORECASE)
    assert [lead["id"] for lead in found.leads] == [lead.pk for lead in reversed(made)][:REFERRALS_SHOWN]
    assert found.more == 3


def test_the_estimate_links_on_a_lead_need_the_estimates_permission(client, org_a):
    lead = lead_make(org_a)
    url = reverse("lead_detail", args=["alpha", lead.pk])
    role = role_create(
        org=org_a.org, actor=Actor.system(), name="Leads only", permissions=[Permission.LEADS_MANAGE.value]
    )
    leads_only = user_create("leo@alpha.test", name="Leo Leads")
    membership_add(org=org_a.org, user=leads_only, role=role, actor=Actor.system())
    client.force_login(leads_only)
    text = client.get(url).content.decode()
    assert "Estimates for this lead" not in text and "New estimate" not in text
    client.force_login(org_a.admin)
    text = client.get(url).content.decode()
    assert f"{reverse('estimate_list', args=['alpha'])}?lead={lead.pk}" in text
    assert f"{reverse('estimate_new', args=['alpha'])}?lead={lead.pk}" in text
