"""The staff list (filters, keyset pages, a fixed number of queries), one estimate's page, the
client record's Estimates block, and other organizations' ids."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portico.core.actors import Actor
from portico.estimates import selectors
from portico.estimates.actions import estimate_revise
from portico.estimates.tests.factories import estimate_make, staff
from portico.leads.actions import lead_submit
from portico.leads.models import LeadSource
from testing.world import client_make

pytestmark = pytest.mark.django_db
# session, user, memberships (organization context), the page (client and lead joined)
LIST_QUERIES = 4


def _list(browser, world, **params):
    return browser.get(reverse("estimate_list", args=[world.org.slug]), params)


def test_the_list_costs_the_same_whatever_it_holds(client, org_a, django_assert_num_queries):
    client.force_login(org_a.admin)
    estimate_make(org_a)
    _list(client, org_a)
    with django_assert_num_queries(LIST_QUERIES):
        assert _list(client, org_a).status_code == 200
    lead = lead_submit(org=org_a.org, actor=Actor.system(), source=LeadSource.API, name="Lead One", email="l1@x.test")
    for i in range(30):
        estimate_make(org_a, **({"lead": lead} if i % 3 == 0 else {}))
    with django_assert_num_queries(LIST_QUERIES):
        page = _list(client, org_a)
    assert page.content.count(b"<tr>") == 25 + 1  # 25 rows and the header


def test_filters_and_keyset_pages(client, org_a, django_assert_num_queries):
    record = client_make(org_a, "Filter Client", email="filter@example.test")
    lead = lead_submit(
        org=org_a.org, actor=Actor.system(), source=LeadSource.API, name="Lena Lead", email="lena@x.test"
    )
    sent = estimate_make(org_a, client=record, sent=True)
    draft = estimate_make(org_a, client=record)
    on_lead = estimate_make(org_a, lead=lead)
    others = [estimate_make(org_a) for _ in range(3)]
    client.force_login(org_a.admin)

    def labels(response):
        return [e.pk for e in response.context["page"].rows]

    assert labels(_list(client, org_a, state="sent")) == [sent.pk]
    assert labels(_list(client, org_a, client=record.pk)) == [draft.pk, sent.pk]
    assert labels(_list(client, org_a, lead=lead.pk)) == [on_lead.pk]
    # keyset pages of 2 through the selector
    seen, cursor = [], ""
    while True:
        page = selectors.estimate_page(org=org_a.org, filters=selectors.EstimateFilters(), cursor=cursor, page_size=2)
        seen += [e.pk for e in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == [e.pk for e in reversed([sent, draft, on_lead, *others])]
    with django_assert_num_queries(LIST_QUERIES):
        _list(client, org_a, state="draft", client=record.pk)


def test_the_detail_page_and_versions(client, org_a):
    old = estimate_make(org_a, sent=True, scope="Fix the fence")
    new = estimate_revise(estimate=old, actor=staff(org_a))
    client.force_login(org_a.admin)
    page = client.get(reverse("estimate_detail", args=[org_a.org.slug, old.pk])).content.decode()
    assert "Fix the fence" in page and reverse("estimate_detail", args=[org_a.org.slug, new.pk]) in page
    assert old.content_hash in page


def test_the_client_record_has_an_estimates_block(client, org_a, django_assert_max_num_queries):
    record = client_make(org_a, "Block Client", email="block@example.test")
    shown = estimate_make(org_a, client=record)
    client.force_login(org_a.admin)
    url = reverse("client_detail", args=[org_a.org.slug, record.pk]) + "?section=onboarding"
    page = client.get(url).content.decode()
    assert 'id="client-estimates"' in page
    assert reverse("estimate_detail", args=[org_a.org.slug, shown.pk]) in page
    assert reverse("estimate_new", args=[org_a.org.slug]) + f"?client={record.pk}" in page
    for _ in range(6):
        estimate_make(org_a, client=record)
    # the record page's onboarding section: 10 in all (test_record_page.py), the estimates block one of them
    with django_assert_max_num_queries(10):
        client.get(url)
    # staff who may not manage estimates see no block (and pay no query for it)
    client.force_login(org_a.readonly)
    assert 'id="client-estimates"' not in client.get(url).content.decode()


def test_another_organizations_estimates_are_404(client, org_a, org_b):
    theirs = estimate_make(org_b, sent=True)
    their_client = theirs.client
    client.force_login(org_a.admin)
    for name in ("estimate_detail", "estimate_edit", "estimate_pdf"):
        assert client.get(reverse(name, args=[org_a.org.slug, theirs.pk])).status_code == 404
    for name in ("estimate_send", "estimate_revise"):
        assert client.post(reverse(name, args=[org_a.org.slug, theirs.pk])).status_code == 404
    assert client.get(reverse("estimate_new", args=[org_a.org.slug]) + f"?client={their_client.pk}").status_code == 404
    assert [e.pk for e in _list(client, org_a, client=their_client.pk).context["page"].rows] == []
    their_lead = lead_submit(
        org=org_b.org, actor=Actor.system(), source=LeadSource.API, name="Bo Lead", email="bo@x.test"
    )
    assert client.get(reverse("estimate_new", args=[org_a.org.slug]) + f"?lead={their_lead.pk}").status_code == 404
