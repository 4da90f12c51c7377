"""The staff pages: the table, + New Customer (htmx: the new PAIN row at once, the 69-B alert,
refusals shown in the form), the customer's page, Edit (what is missing; PAIN → ACTV; an inactive
customer refused with the database unchanged), deactivate with no confirmation and an Undo, the
CSV export, document downloads."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portico.core.middleware import REFUSAL_HEADER
from portico.customers.actions import customer_deactivate, customer_document_add
from portico.customers.models import Customer, CustomerStatus
from portico.customers.tests.factories import (
    company_rfc,
    customer_complete,
    customer_make,
    person_make,
    sat69b_entry,
    staff,
)
from portico.notifications.models import Notification
from portico.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _url(world, name, *args):
    return reverse(name, args=[world.org.slug, *args])


def _menu(html, pk):
    found = re.search(rf'<details class="share row-menu" id="menu-{pk}">(.*?)</details>', html, re.S)
    assert found, html
    return re.findall(r'role="menuitem"[^>]*>([^<]+)<', found.group(1))


def test_the_table_lists_the_organizations_customers(client, org_a, org_b):
    mine = customer_make(org_a, legal_name="Cementos Mexicanos", trade_name="Cemex")
    customer_make(org_b, legal_name="Not Mine SA")
    client.force_login(org_a.admin)
    html = client.get(_url(org_a, "customer_list")).content.decode()
    assert "Cementos Mexicanos" in html and "Cemex" in html and mine.client.tax_id in html
    assert "Not Mine SA" not in html
    assert "Partial information" in html and "PAIN" in html
    assert 'class="customer-score">–<' in html
    assert 'id="nav-customers"' in html and "New Customer" in html
    assert _menu(html, mine.pk) == ["View", "Edit", "Update score", "Connect to FreshBooks", "Deactivate"]


def test_read_only_staff_see_the_table_but_cannot_create(client, org_a):
    customer = customer_make(org_a)
    client.force_login(org_a.readonly)
    html = client.get(_url(org_a, "customer_list")).content.decode()
    assert "New Customer" not in html and _menu(html, customer.pk) == ["View"]
    response = client.post(_url(org_a, "customer_new"), {"legal_name": "X", "trade_name": "Y", "tax_id": company_rfc()})
    assert response.status_code == 403 and Customer.objects.count() == 1


def test_quick_create_with_htmx_answers_the_new_partial_row(client, org_a):
    client.force_login(org_a.admin)
    tax_id = company_rfc()
    response = client.post(
        _url(org_a, "customer_new"), {"legal_name": "Nueva SA", "trade_name": "Nueva", "tax_id": tax_id}, headers=HTMX
    )
    html = response.content.decode()
    customer = Customer.objects.get()
    assert response.status_code == 200 and html.lstrip().startswith(f'<tr id="customer-{customer.pk}"')
    assert "Partial information" in html and "screening-alert" not in html
    assert Notification.objects.count() == 0 and OutboxMessage.objects.count() == 0


def test_quick_create_of_a_listed_rfc_shows_the_alert_with_situation_and_dates(client, org_a):
    tax_id = company_rfc()
    sat69b_entry(tax_id, "desvirtuado", desvirtuado_published_on=dt.date(2024, 11, 8))
    client.force_login(org_a.admin)
    html = client.post(
        _url(org_a, "customer_new"),
        {"legal_name": "Listada SA", "trade_name": "Listada", "tax_id": tax_id},
        headers=HTMX,
    ).content.decode()
    assert 'id="screening-alert"' in html and "Desvirtuado" in html
    assert 'datetime="2024-03-15"' in html and 'datetime="2024-11-08"' in html
    assert Customer.objects.get().sat69b_situation == "desvirtuado"


def test_a_blocked_rfc_is_a_clear_error_and_nothing_is_created(client, org_a):
    tax_id = company_rfc()
    sat69b_entry(tax_id, "definitivo", definitivo_published_on=dt.date(2025, 2, 2))
    client.force_login(org_a.admin)
    response = client.post(
        _url(org_a, "customer_new"), {"legal_name": "Bloq SA", "trade_name": "Bloq", "tax_id": tax_id}, headers=HTMX
    )
    html = response.content.decode()
    assert response[REFUSAL_HEADER] == "screening_blocked" and response["HX-Retarget"] == "#quick-create"
    assert "SAT 69-B list (Definitivo)" in html and "2025-02-02" in html
    assert not Customer.objects.exists()


def test_a_duplicate_tax_id_links_to_the_existing_customer(client, org_a):
    existing = customer_make(org_a)
    client.force_login(org_a.admin)
    html = client.post(
        _url(org_a, "customer_new"),
        {"legal_name": "Otra", "trade_name": "Otra", "tax_id": existing.client.tax_id},
        headers=HTMX,
    ).content.decode()
    assert f'href="{_url(org_a, "customer_detail", existing.pk)}" id="duplicate-link"' in html


def test_an_invalid_rfc_says_what_is_wrong(client, org_a):
    client.force_login(org_a.admin)
    html = client.post(
        _url(org_a, "customer_new"), {"legal_name": "A", "trade_name": "B", "tax_id": "ABC68052"}, headers=HTMX
    ).content.decode()
    assert "12 characters for a company or 13 for a person" in html


def test_quick_create_without_htmx_opens_the_new_customer_with_the_alert(client, org_a):
    tax_id = company_rfc()
    sat69b_entry(tax_id, "presunto")
    client.force_login(org_a.admin)
    response = client.post(
        _url(org_a, "customer_new"), {"legal_name": "Sin JS", "trade_name": "SinJS", "tax_id": tax_id}, follow=True
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == _url(org_a, "customer_detail", Customer.objects.get().pk)
    assert "SAT 69-B alert" in html and "Presunto" in html


def test_the_customer_page_shows_every_section(client, org_a):
    customer = customer_complete(org_a)
    client.force_login(org_a.admin)
    html = client.get(_url(org_a, "customer_detail", customer.pk)).content.decode()
    for text in (
        "Commercial data",
        "Fiscal data",
        "Addresses",
        "Contacts",
        "Compliance documents",
        "History",
        "Av. Reforma 100",
    ):
        assert text in html
    assert "Active" in html and 'id="customer-score"' in html


def test_edit_lists_what_is_missing_and_completing_it_makes_the_customer_active(client, org_a):
    customer = customer_make(org_a)
    client.force_login(org_a.admin)
    html = client.get(_url(org_a, "customer_edit", customer.pk)).content.decode()
    assert 'data-field="industry"' in html and 'data-field="contacts"' in html
    client.post(
        _url(org_a, "customer_address_add", customer.pk),
        {"kind": "fiscal", "line1": "Av. 1", "state": "NL", "postal_code": "64000", "country": "MX"},
    )
    client.post(
        _url(org_a, "customer_contact_add", customer.pk),
        {"reference": person_make(org_a).case_number, "role": "primary"},
    )
    data = {
        "legal_name": customer.client.name,
        "trade_name": customer.client.trade_name,
        "industry": "Retail",
        "payment_terms": "net30",
        "currency": "MXN",
        "sales_owner": org_a.admin.pk,
        "regimen_fiscal": "601",
        "uso_cfdi": "G03",
        "fiscal_postal_code": "",
    }
    response = client.post(_url(org_a, "customer_edit", customer.pk), data, follow=True)
    assert "Still missing: Fiscal postal code" in response.content.decode()
    assert Customer.objects.get(pk=customer.pk).status == CustomerStatus.PARTIAL
    response = client.post(
        _url(org_a, "customer_edit", customer.pk), {**data, "fiscal_postal_code": "64000"}, follow=True
    )
    assert "the customer is active" in response.content.decode()
    assert Customer.objects.get(pk=customer.pk).status == CustomerStatus.ACTIVE


def test_edit_shows_field_errors(client, org_a):
    customer = customer_make(org_a)
    client.force_login(org_a.admin)
    response = client.post(
        _url(org_a, "customer_edit", customer.pk),
        {"legal_name": "L", "trade_name": "T", "currency": "MXN", "fiscal_postal_code": "123"},
    )
    assert response.status_code == 422 and "5 digits" in response.content.decode()


def test_an_inactive_customer_cannot_be_edited_in_the_ui(client, org_a):
    customer = customer_make(org_a)
    customer_deactivate(customer=customer, actor=staff(org_a))
    client.force_login(org_a.admin)
    html = client.get(_url(org_a, "customer_edit", customer.pk)).content.decode()
    assert "Reactivate the customer first" in html and 'id="customer-form"' not in html
    before = Customer.objects.get(pk=customer.pk)
    response = client.post(
        _url(org_a, "customer_edit", customer.pk),
        {"legal_name": "Changed", "trade_name": "T", "currency": "MXN", "industry": "X"},
    )
    assert response[REFUSAL_HEADER] == "customer_inactive"
    after = Customer.objects.select_related("client").get(pk=customer.pk)
    assert (after.industry, after.client.name, after.updated_at) == (
        before.industry,
        customer.client.name,
        before.updated_at,
    )
    response = client.post(
        _url(org_a, "customer_address_add", customer.pk),
        {"kind": "fiscal", "line1": "Av. 1", "state": "NL", "postal_code": "64000", "country": "MX"},
    )
    assert response[REFUSAL_HEADER] == "customer_inactive" and not after.addresses.exists()


def test_deactivate_is_immediate_and_the_row_offers_only_view_activate_and_undo(client, org_a):
    customer = customer_make(org_a)
    client.force_login(org_a.admin)
    response = client.post(_url(org_a, "customer_deactivate", customer.pk), headers=HTMX)
    html = response.content.decode()
    assert Customer.objects.get(pk=customer.pk).status == CustomerStatus.INACTIVE
    assert _menu(html, customer.pk) == ["View", "Activate"]
    assert 'id="undo-button"' in html and _url(org_a, "customer_activate", customer.pk) in html
    html = client.post(_url(org_a, "customer_activate", customer.pk), headers=HTMX).content.decode()  # Undo
    assert Customer.objects.get(pk=customer.pk).status == CustomerStatus.PARTIAL
    assert _menu(html, customer.pk) == ["View", "Edit", "Update score", "Connect to FreshBooks", "Deactivate"]
    assert Notification.objects.count() == 0 and OutboxMessage.objects.count() == 0


def test_deactivate_without_htmx_comes_back_to_the_table_with_undo(client, org_a):
    customer = customer_complete(org_a)
    client.force_login(org_a.admin)
    response = client.post(_url(org_a, "customer_deactivate", customer.pk), follow=True)
    html = response.content.decode()
    assert 'id="undo-toast"' in html
    assert _menu(html, customer.pk) == ["View", "Activate"]
    client.post(_url(org_a, "customer_activate", customer.pk), {"next": "list"})
    assert Customer.objects.get(pk=customer.pk).status == CustomerStatus.ACTIVE


def test_export_streams_the_filtered_table_as_csv(client, org_a, org_b):
    customer_make(org_a, legal_name="=HYPERLINK(evil)", trade_name="Uno")
    inactive = customer_make(org_a, legal_name="Dos SA", trade_name="Dos")
    customer_deactivate(customer=inactive, actor=staff(org_a))
    customer_make(org_b, legal_name="Ajeno SA")
    client.force_login(org_a.admin)
    response = client.get(_url(org_a, "customer_export") + "?status=PAIN")
    assert response.streaming and response["Content-Disposition"] == 'attachment; filename="customers.csv"'
    text = b"".join(response.streaming_content).decode()
    lines = text.lstrip("\ufeff").strip().splitlines()
    assert lines[0].startswith("Legal name,Trade name,RFC/EIN,Status")
    assert len(lines) == 2 and lines[1].startswith("'=HYPERLINK(evil),Uno,")
    assert "Ajeno" not in text and "Dos SA" not in text


def test_documents_download_as_attachments_never_sniffed(client, org_a, org_b):
    customer = customer_make(org_a)
    document = customer_document_add(
        customer=customer,
        actor=staff(org_a),
        doc_type="opinion",
        upload=SimpleUploadedFile("opinión.pdf", b"%PDF-1.4\n%%EOF\n", content_type="text/html"),
    )
    client.force_login(org_a.readonly)
    response = client.get(_url(org_a, "customer_document_download", customer.pk, document.pk))
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(org_b.admin)
    assert client.get(_url(org_a, "customer_document_download", customer.pk, document.pk)).status_code == 404


def test_a_document_upload_of_the_wrong_kind_is_shown_on_the_form(client, org_a):
    customer = customer_make(org_a)
    client.force_login(org_a.admin)
    response = client.post(
        _url(org_a, "customer_document_add", customer.pk),
        {
            "doc_type": "other",
            "remind_days_before": "30",
            "file": SimpleUploadedFile("x.pdf", b"<svg onload=alert(1)>"),
        },
    )
    assert response.status_code == 422 and "PDF, JPEG or PNG" in response.content.decode()
