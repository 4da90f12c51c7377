"""Settings → SAT 69-B: the list in use, and uploads (support operators only)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portico.core.middleware import REFUSAL_HEADER
from portico.sat69b.models import Sat69bEntry, Sat69bImport
from portico.sat69b.tests.factories import list_bytes, sample_bytes, sample_import


def _upload(data: bytes, name: str = "69b.csv") -> dict[str, SimpleUploadedFile]:
    return {"file": SimpleUploadedFile(name, data, content_type="text/csv")}


def test_the_status_page_shows_the_list_in_use(client, org_a, settings):
    settings.SAT69B_URL = ""
    client.force_login(org_a.admin)
    url = reverse("sat69b_status", args=[org_a.org.slug])
    page = client.get(url).content.decode()
    assert 'id="sat69b-none"' in page
    assert "SAT69B_URL" in page
    assert 'id="sat69b-upload"' not in page  # an organization's admin does not replace the shared list
    sample_import()
    settings.SAT69B_URL = "https://sat.example/69b.csv"
    page = client.get(url).content.decode()
    assert '<dd id="sat69b-rows">10</dd>' in page
    assert "https://sat.example/69b.csv" in page


def test_an_operator_uploads_a_new_list(client, org_a, operator):
    client.force_login(operator)
    assert 'id="sat69b-upload"' in client.get(reverse("sat69b_status", args=[org_a.org.slug])).content.decode()
    response = client.post(reverse("sat69b_upload", args=[org_a.org.slug]), _upload(sample_bytes()))
    assert response.status_code == 302 and REFUSAL_HEADER not in response
    imported = Sat69bImport.objects.get()
    assert imported.row_count == 10 and imported.source == "upload: 69b.csv"


def test_a_bad_upload_is_refused_and_the_list_stays(client, org_a, operator):
    sample_import()
    client.force_login(operator)
    url = reverse("sat69b_upload", args=[org_a.org.slug])
    response = client.post(url, _upload(b"hello, world"))
    assert response[REFUSAL_HEADER] == "sat69b_no_header"
    assert client.post(url, {})[REFUSAL_HEADER] == "sat69b_no_file"
    assert Sat69bImport.objects.count() == 1 and Sat69bEntry.objects.count() == 10


def test_an_organization_admin_cannot_upload(client, org_a):
    client.force_login(org_a.admin)
    response = client.post(
        reverse("sat69b_upload", args=[org_a.org.slug]), _upload(list_bytes({"CCO150312KLA": "Presunto"}))
    )
    assert response.status_code == 403
    assert not Sat69bImport.objects.exists()


@pytest.mark.parametrize("who", ["readonly"])
def test_staff_without_org_settings_do_not_see_the_status(client, org_a, who):
    client.force_login(getattr(org_a, who))
    assert client.get(reverse("sat69b_status", args=[org_a.org.slug])).status_code == 403
