"""The customer's page, its Edit page and Settings → SAT 69-B screening read in a fixed number of
queries, however many addresses, contacts, documents and history rows the customer has."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portico.customers.actions import customer_address_add, customer_contact_link, customer_document_add
from portico.customers.tests.factories import customer_complete, person_make, staff

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _more(world, customer, n: int) -> None:
    actor = staff(world)
    for i in range(n):
        customer_address_add(
            customer=customer, actor=actor, line1=f"Calle {i}", state="NL", postal_code="64000", country="MX"
        )
        customer_contact_link(customer=customer, actor=actor, contact=person_make(world), role="billing")
        customer_document_add(
            customer=customer,
            actor=actor,
            doc_type="constancia",
            upload=SimpleUploadedFile(f"doc{i}.pdf", PDF, content_type="application/pdf"),
        )


@pytest.mark.parametrize("name", ["customer_detail", "customer_edit"])
def test_the_customer_pages_in_a_fixed_number_of_queries(client, org_a, name, django_assert_num_queries):
    customer = customer_complete(org_a)
    client.force_login(org_a.admin)
    url = reverse(name, args=[org_a.org.slug, customer.pk])
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    _more(org_a, customer, 3)
    with django_assert_num_queries(len(first.captured_queries)):
        html = client.get(url).content.decode()
    assert "Calle 2" in html and "doc2.pdf" in html


def test_the_screening_settings_page_in_a_fixed_number_of_queries(client, org_a, django_assert_num_queries):
    client.force_login(org_a.admin)
    url = reverse("customer_screening_settings", args=[org_a.org.slug])
    client.get(url)
    with django_assert_num_queries(5):  # session, user, membership with its organization, policy, latest import
        assert client.get(url).status_code == 200
