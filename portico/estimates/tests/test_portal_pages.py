"""The client's estimate list and page in the portal: sent versions only (never drafts, the newest
version of each), a fixed number of queries, scope, lines and total on the page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portico.estimates.actions import estimate_revise
from portico.estimates.tests.factories import estimate_make, joined, staff
from portico.estimates.totals import money_text

pytestmark = pytest.mark.django_db
# session, user, portal accounts, the page (client joined)
LIST_QUERIES = 4


def test_the_list_shows_what_was_sent_at_a_fixed_cost(client, org_a, django_assert_num_queries):
    record, person = joined(org_a)
    sent = estimate_make(org_a, client=record, sent=True)
    draft = estimate_make(org_a, client=record)
    revised = estimate_make(org_a, client=record, sent=True)
    estimate_revise(estimate=revised, actor=staff(org_a))  # the new version is a draft: not shown yet
    client.force_login(person)
    url = reverse("portal_estimate_list", args=[org_a.org.slug])
    client.get(url)
    with django_assert_num_queries(LIST_QUERIES):
        page = client.get(url)
    rows = [e.pk for e in page.context["page"].rows]
    assert rows == [sent.pk]
    assert draft.pk not in rows and revised.pk not in rows
    for _ in range(5):
        estimate_make(org_a, client=record, sent=True)
    with django_assert_num_queries(LIST_QUERIES):
        assert len(client.get(url).context["page"].rows) == 6


def test_the_page_shows_scope_lines_and_total(client, org_a):
    record, person = joined(org_a)
    estimate = estimate_make(org_a, client=record, sent=True, n_lines=3, scope="Repaint the hallway")
    client.force_login(person)
    page = client.get(reverse("portal_estimate_detail", args=[org_a.org.slug, estimate.pk])).content.decode()
    assert "Repaint the hallway" in page
    assert all(f"Work item {i}" in page for i in (1, 2, 3))
    assert money_text(estimate.total, estimate.currency) in page
    assert 'name="viewport"' in page  # the phone layout of the portal


def test_the_pdf_downloads_for_the_client(client, org_a):
    record, person = joined(org_a)
    estimate = estimate_make(org_a, client=record, sent=True)
    client.force_login(person)
    response = client.get(reverse("portal_estimate_pdf", args=[org_a.org.slug, estimate.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
