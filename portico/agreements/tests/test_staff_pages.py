"""The staff pages: the list (filters, keyset pages, a fixed number of queries, empty state), one
agreement's page (trail and chain verdict), new/edit/send/void through the pages, the signed PDF
only once signed, and other organizations' ids (404)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portico.agreements import selectors
from portico.agreements.models import Agreement, AgreementEvent, AgreementState
from portico.agreements.tests.factories import (
    agreement_draft_make,
    agreement_sent_make,
    agreement_signed_make,
    approved_estimate_make,
    template_make,
)
from portico.estimates.tests.factories import joined
from testing.world import client_make

pytestmark = pytest.mark.django_db
# session, user, memberships (organization context), the page (client joined)
LIST_QUERIES = 4


def _list(browser, world, **params):
    return browser.get(reverse("agreement_list", args=[world.org.slug]), params)


def test_the_list_costs_the_same_whatever_it_holds(client, org_a, django_assert_num_queries):
    client.force_login(org_a.admin)
    assert b"No agreements yet" in _list(client, org_a).content
    agreement_draft_make(org_a)
    _list(client, org_a)
    with django_assert_num_queries(LIST_QUERIES):
        assert _list(client, org_a).status_code == 200
    for _ in range(27):
        agreement_draft_make(org_a)
    with django_assert_num_queries(LIST_QUERIES):
        page = _list(client, org_a)
    assert page.content.count(b"<tr>") == 25 + 1  # 25 rows and the header
    assert page.context["page"].next_cursor


def test_filters_and_keyset_pages(client, org_a):
    record = client_make(org_a, "Filter Client", email="filter@example.test")
    draft = agreement_draft_make(org_a, client=record)
    sent = agreement_sent_make(org_a)
    others = [agreement_draft_make(org_a) for _ in range(3)]
    client.force_login(org_a.admin)
    assert [a.pk for a in _list(client, org_a, state="sent").context["page"].rows] == [sent.pk]
    assert [a.pk for a in _list(client, org_a, client=record.pk).context["page"].rows] == [draft.pk]
    assert b"No agreement matches" in _list(client, org_a, state="signed").content
    seen, cursor = [], ""
    while True:
        page = selectors.agreement_page(org=org_a.org, filters=selectors.AgreementFilters(), cursor=cursor, page_size=2)
        seen += [a.pk for a in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == [a.pk for a in reversed([draft, sent, *others])]


def test_the_page_shows_the_trail_and_the_chains_verdict(client, org_a):
    agreement = agreement_sent_make(org_a)
    client.force_login(org_a.admin)
    url = reverse("agreement_detail", args=[org_a.org.slug, agreement.pk])
    page = client.get(url).content.decode()
    assert "Intact: 2 events" in page and agreement.document_hash in page
    assert reverse("agreement_signed_document", args=[org_a.org.slug, agreement.pk]) not in page
    AgreementEvent.objects.filter(agreement=agreement, seq=1).update(actor_label="someone else")
    assert "Broken at event 1" in client.get(url).content.decode()


def test_make_edit_send_and_void_through_the_pages(client, org_a):
    record, person = joined(org_a)
    estimate = approved_estimate_make(org_a, record, person)
    template = template_make(org_a, body="<p>{{ client.name }} — {{ estimate.total }}</p>")
    client.force_login(org_a.admin)
    s = org_a.org.slug
    new_url = reverse("agreement_new", args=[s]) + f"?client={record.pk}"
    form = client.get(new_url)
    assert form.status_code == 200 and estimate.label.encode() in form.content
    response = client.post(new_url, {"template": template.pk, "estimate": estimate.pk})
    agreement = Agreement.objects.get(client=record)
    assert response.status_code == 302 and response["Location"].endswith(f"/agreements/{agreement.pk}/")
    edit = reverse("agreement_edit", args=[s, agreement.pk])
    client.post(edit, {"title": "Edited", "body": "<p>Edited text</p>"})
    agreement.refresh_from_db()
    assert agreement.title == "Edited"
    send = reverse("agreement_send", args=[s, agreement.pk])
    assert b"Send" in client.get(send).content  # the confirmation first
    client.post(send)
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.SENT
    assert client.get(edit).status_code == 302  # never edited once sent
    void = reverse("agreement_void", args=[s, agreement.pk])
    refused = client.post(void, {"reason": ""})
    agreement.refresh_from_db()
    assert refused.status_code == 302 and agreement.state == AgreementState.SENT
    client.post(void, {"reason": "Changed plans"})
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.VOIDED and agreement.void_reason == "Changed plans"
    again = client.post(void, {"reason": "Again"}, follow=True)
    assert "Cannot void: the agreement is voided." in again.content.decode()


def test_the_new_page_without_a_client_asks_for_one(client, org_a):
    client_make(org_a, "Chosen Client", email="chosen@example.test")
    client.force_login(org_a.admin)
    page = client.get(reverse("agreement_new", args=[org_a.org.slug]))
    assert b"For which client?" in page.content and b"Chosen Client" in page.content


def test_the_signed_pdf_only_once_signed(client, org_a):
    sent = agreement_sent_make(org_a)
    signed = agreement_signed_make(org_a)
    client.force_login(org_a.admin)
    s = org_a.org.slug
    assert client.get(reverse("agreement_signed_document", args=[s, sent.pk])).status_code == 404
    response = client.get(reverse("agreement_signed_document", args=[s, signed.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"Download the signed PDF" in client.get(reverse("agreement_detail", args=[s, signed.pk])).content


def test_a_draft_pdf_is_rendered_and_not_kept(client, org_a):
    draft = agreement_draft_make(org_a)
    client.force_login(org_a.admin)
    response = client.get(reverse("agreement_document", args=[org_a.org.slug, draft.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    draft.refresh_from_db()
    assert not draft.document and not draft.document_hash


@pytest.mark.parametrize(
    "name",
    ["agreement_detail", "agreement_edit", "agreement_send", "agreement_void", "agreement_document"],
)
def test_another_organizations_agreement_is_404(client, org_a, org_b, name):
    theirs = agreement_draft_make(org_b)
    client.force_login(org_a.admin)
    assert client.get(reverse(name, args=[org_a.org.slug, theirs.pk])).status_code == 404
    assert client.post(reverse(name, args=[org_a.org.slug, theirs.pk]), {"reason": "x"}).status_code in (404, 405)
    theirs.refresh_from_db()
    assert theirs.state == AgreementState.DRAFT


def test_another_organizations_client_is_404_on_the_new_page(client, org_a, org_b):
    theirs = client_make(org_b, "Theirs", email="theirs@example.test")
    client.force_login(org_a.admin)
    assert client.get(reverse("agreement_new", args=[org_a.org.slug]) + f"?client={theirs.pk}").status_code == 404
