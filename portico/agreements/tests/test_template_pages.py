"""The template pages: new and edit (each change a version, listed), an unknown merge field
refused with its name, preview with a real client as a page and a PDF, archive with a
confirmation, and other organizations' templates (404)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portico.agreements.models import AgreementTemplate
from portico.agreements.tests.factories import approved_estimate_make, template_make
from portico.estimates.tests.factories import joined
from portico.estimates.totals import money_text

pytestmark = pytest.mark.django_db


def test_new_and_edit_make_versions(client, org_a):
    client.force_login(org_a.admin)
    s = org_a.org.slug
    assert b"No agreement templates yet" in client.get(reverse("agreement_template_list", args=[s])).content
    response = client.post(
        reverse("agreement_template_new", args=[s]),
        {
            "name": "Standard",
            "title": "Service agreement",
            "body": "<p>Hello {{ client.name }}</p>",
            "is_default": "on",
        },
    )
    template = AgreementTemplate.objects.get(org=org_a.org, name="Standard")
    assert response.status_code == 302 and template.is_default
    edit = reverse("agreement_template_edit", args=[s, template.pk])
    client.post(edit, {"name": "Standard", "title": "Service agreement", "body": "<p>Hi {{ client.name }}</p>"})
    template.refresh_from_db()
    assert template.versions.count() == 2 and not template.is_default
    page = client.get(edit).content.decode()
    assert "v2" in page and "v1" in page and "{{ client.name }}" in page


def test_an_unknown_field_is_shown_by_name_and_nothing_saved(client, org_a):
    client.force_login(org_a.admin)
    response = client.post(
        reverse("agreement_template_new", args=[org_a.org.slug]),
        {"name": "Bad", "title": "T", "body": "<p>{{ client.shoe_size }}</p>"},
    )
    assert response.status_code == 200
    assert "Unknown merge field in the text: {{ client.shoe_size }}" in response.content.decode()
    assert not AgreementTemplate.objects.filter(name="Bad").exists()


def test_preview_with_a_real_client_and_their_approved_estimate(client, org_a):
    record, person = joined(org_a, "Preview <i>Person</i>", "preview@example.test")
    estimate = approved_estimate_make(org_a, record, person)
    template = template_make(org_a, body="<p>{{ client.name }} owes {{ estimate.total }}</p>{{ estimate.lines }}")
    client.force_login(org_a.admin)
    url = reverse("agreement_template_preview", args=[org_a.org.slug, template.pk])
    blank = client.get(url).content.decode()
    assert "[client.name] owes [estimate.total]" in blank
    page = client.get(url, {"client": record.pk}).content.decode()
    assert f"Preview &lt;i&gt;Person&lt;/i&gt; owes {money_text(estimate.total, estimate.currency)}" in page
    assert "Work item 1" in page
    pdf = client.get(
        reverse("agreement_template_preview_pdf", args=[org_a.org.slug, template.pk]), {"client": record.pk}
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_archive_asks_first(client, org_a):
    template = template_make(org_a)
    client.force_login(org_a.admin)
    url = reverse("agreement_template_archive", args=[org_a.org.slug, template.pk])
    assert b"Archive" in client.get(url).content
    template.refresh_from_db()
    assert template.archived_at is None
    client.post(url)
    template.refresh_from_db()
    assert template.archived_at is not None
    assert client.get(url).status_code == 404  # archived already


@pytest.mark.parametrize(
    "name",
    [
        "agreement_template_edit",
        "agreement_template_archive",
        "agreement_template_preview",
        "agreement_template_preview_pdf",
    ],
)
def test_another_organizations_template_is_404(client, org_a, org_b, name):
    theirs = template_make(org_b)
    client.force_login(org_a.admin)
    assert client.get(reverse(name, args=[org_a.org.slug, theirs.pk])).status_code == 404


def test_a_preview_with_another_organizations_client_is_404(client, org_a, org_b):
    theirs, _person = joined(org_b, "Theirs", "theirs@example.test")
    template = template_make(org_a)
    client.force_login(org_a.admin)
    url = reverse("agreement_template_preview", args=[org_a.org.slug, template.pk])
    assert client.get(url, {"client": theirs.pk}).status_code == 404
