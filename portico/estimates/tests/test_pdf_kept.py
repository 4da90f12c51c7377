"""A sent estimate's PDF is rendered once per key (content hash, language, branding version, the
client's name) and read from storage on the next download; a draft's is always rendered afresh."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portico.clients.actions import client_update
from portico.estimates.models import EstimatePdf
from portico.estimates.tests.factories import estimate_make, joined, staff
from portico.portal.actions import portal_settings_save

pytestmark = pytest.mark.django_db


def _download(client, world, estimate):
    response = client.get(reverse("estimate_pdf", args=[world.org.slug, estimate.pk]))
    assert response.status_code == 200
    return response.content


def _mark_kept(estimate):
    """Replace the kept file's bytes: a download that returns them read the file, not WeasyPrint."""
    row = EstimatePdf.objects.get(estimate=estimate)
    with row.file.open("wb") as f:
        f.write(b"%PDF-kept")
    return row


def test_a_sent_estimates_pdf_is_kept_and_read_back(client, org_a):
    record, _person = joined(org_a)
    estimate = estimate_make(org_a, client=record, sent=True)
    client.force_login(org_a.admin)
    first = _download(client, org_a, estimate)
    assert first.startswith(b"%PDF-1")
    row = EstimatePdf.objects.get(estimate=estimate)
    with row.file.open("rb") as f:
        assert f.read() == first
    _mark_kept(estimate)
    assert _download(client, org_a, estimate) == b"%PDF-kept"
    assert EstimatePdf.objects.filter(estimate=estimate).count() == 1


def test_a_new_branding_or_client_name_renders_it_again(client, org_a):
    record, _person = joined(org_a)
    estimate = estimate_make(org_a, client=record, sent=True)
    client.force_login(org_a.admin)
    _download(client, org_a, estimate)
    old = _mark_kept(estimate)
    portal_settings_save(org=org_a.org, actor=staff(org_a), portal_name="Renamed Portal")
    again = _download(client, org_a, estimate)
    assert again.startswith(b"%PDF-1")
    row = EstimatePdf.objects.get(estimate=estimate)  # the old one is gone, file and row
    assert row.key != old.key and not old.file.storage.exists(old.file.name)
    _mark_kept(estimate)
    client_update(client=record, actor=staff(org_a), name="Mark Renamed")
    assert _download(client, org_a, estimate).startswith(b"%PDF-1")


def test_each_language_has_its_own_and_a_missing_file_is_rendered_again(client, org_a):
    record, _person = joined(org_a)
    estimate = estimate_make(org_a, client=record, sent=True)
    client.force_login(org_a.admin)
    _download(client, org_a, estimate)
    client.get(reverse("estimate_pdf", args=[org_a.org.slug, estimate.pk]), headers={"accept-language": "es"})
    assert sorted(EstimatePdf.objects.filter(estimate=estimate).values_list("language", flat=True)) == ["en", "es"]
    row = EstimatePdf.objects.get(estimate=estimate, language="en")
    row.file.storage.delete(row.file.name)
    assert _download(client, org_a, estimate).startswith(b"%PDF-1")
    row = EstimatePdf.objects.get(estimate=estimate, language="en")
    assert row.file.storage.exists(row.file.name)


def test_a_drafts_pdf_is_never_kept(client, org_a):
    estimate = estimate_make(org_a)
    client.force_login(org_a.admin)
    assert _download(client, org_a, estimate).startswith(b"%PDF-1")
    assert not EstimatePdf.objects.exists()


def test_the_pdf_downloads_queries(client, org_a, django_assert_num_queries):
    record, _person = joined(org_a)
    estimate = estimate_make(org_a, client=record, sent=True)
    other = estimate_make(org_a, client=record, sent=True)
    client.force_login(org_a.admin)
    _download(client, org_a, other)
    url = reverse("estimate_pdf", args=[org_a.org.slug, estimate.pk])
    # the session, its user, the membership (with the organization), the estimate (with the branding),
    # the kept PDFs; rendering: + the lines, the attachments, and the new row (in a savepoint)
    with django_assert_num_queries(10):
        client.get(url)
    with django_assert_num_queries(5):
        assert client.get(url).content.startswith(b"%PDF-1")
