"""The table selector: org-scoped, filters (status, sales owner, FreshBooks), search (legal name,
trade name, tax id), three sorts, keyset pages with one query each, the CSV rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import Http404

from portico.customers.actions import customer_deactivate, customer_update
from portico.customers.models import Customer, CustomerScore
from portico.customers.selectors import CustomerFilters, customer_export_rows, customer_get, customer_page
from portico.customers.tests.factories import company_rfc, customer_make, staff

pytestmark = pytest.mark.django_db


def _names(page):
    return [c.client.name for c in page.rows]


def _all(org, filters, page_size=2):
    names, cursor = [], ""
    while True:
        page = customer_page(org=org, filters=filters, cursor=cursor, page_size=page_size)
        names += _names(page)
        if not page.next_cursor:
            return names
        cursor = page.next_cursor


@pytest.fixture
def table(org_a, org_b):
    made = {}
    for name, trade in [
        ("Beta Industrial", "Betamax"),
        ("Alfa Comercial", "Alfa"),
        ("Delta Logística", "Delta"),
        ("Gamma Foods", "Gamma"),
    ]:
        made[name] = customer_make(org_a, legal_name=name, trade_name=trade)
    customer_make(org_b, legal_name="Other Org Customer")
    for name, score in (("Beta Industrial", "80.50"), ("Gamma Foods", "80.50"), ("Alfa Comercial", "95")):
        CustomerScore.objects.create(
            customer=made[name], org=org_a.org, score=Decimal(score), scored_at=made[name].created_at
        )
    Customer.objects.filter(pk=made["Alfa Comercial"].pk).update(freshbooks_id="123")
    customer_deactivate(customer=made["Delta Logística"], actor=staff(org_a))
    customer_update(customer=made["Alfa Comercial"], actor=staff(org_a), sales_owner=org_a.readonly)
    return made


def test_newest_first_in_keyset_pages_of_the_organization_only(org_a, table):
    assert _all(org_a.org, CustomerFilters()) == ["Gamma Foods", "Delta Logística", "Alfa Comercial", "Beta Industrial"]


def test_by_legal_name(org_a, table):
    assert _all(org_a.org, CustomerFilters(sort="name")) == [
        "Alfa Comercial",
        "Beta Industrial",
        "Delta Logística",
        "Gamma Foods",
    ]


def test_by_score_highest_first_then_the_unscored(org_a, table):
    assert _all(org_a.org, CustomerFilters(sort="score"), page_size=1) == [
        "Alfa Comercial",
        "Gamma Foods",
        "Beta Industrial",
        "Delta Logística",
    ]


def test_filters(org_a, table):
    assert _all(org_a.org, CustomerFilters(status="INAC")) == ["Delta Logística"]
    assert _all(org_a.org, CustomerFilters(owner=org_a.readonly.pk)) == ["Alfa Comercial"]
    assert _all(org_a.org, CustomerFilters(freshbooks="yes")) == ["Alfa Comercial"]
    assert "Alfa Comercial" not in _all(org_a.org, CustomerFilters(freshbooks="no"))
    assert _all(org_a.org, CustomerFilters(status="PAIN", sort="name")) == [
        "Alfa Comercial",
        "Beta Industrial",
        "Gamma Foods",
    ]


def test_search_by_legal_name_trade_name_and_tax_id(org_a, table):
    assert _all(org_a.org, CustomerFilters(q="logistica")) == ["Delta Logística"]
    assert _all(org_a.org, CustomerFilters(q="betamax")) == ["Beta Industrial"]
    tax_id = table["Gamma Foods"].client.tax_id
    assert _all(org_a.org, CustomerFilters(q=tax_id.lower())) == ["Gamma Foods"]
    assert _all(org_a.org, CustomerFilters(q="Other Org")) == []


@pytest.mark.parametrize(("sort", "queries"), [("newest", 2), ("name", 1), ("score", 2)])
def test_a_fixed_number_of_queries_whatever_the_page(org_a, table, sort, queries, django_assert_num_queries):
    first = customer_page(org=org_a.org, filters=CustomerFilters(sort=sort, status=""), page_size=1)
    with django_assert_num_queries(queries):
        page = customer_page(org=org_a.org, filters=CustomerFilters(sort=sort), cursor=first.next_cursor, page_size=1)
        [(c.client.name, c.sales_owner and c.sales_owner.display_name) for c in page.rows]


def test_a_bad_cursor_starts_from_the_top(org_a, table):
    assert _names(
        customer_page(org=org_a.org, filters=CustomerFilters(sort="score"), cursor="garbage", page_size=1)
    ) == ["Alfa Comercial"]


def test_export_rows_are_every_match(org_a, table):
    rows = list(customer_export_rows(org=org_a.org, filters=CustomerFilters(status="PAIN")))
    assert [c.client.name for c in rows] == ["Gamma Foods", "Alfa Comercial", "Beta Industrial"]


def test_customer_get_is_org_scoped(org_a, org_b):
    customer = customer_make(org_a, tax_id=company_rfc())
    assert customer_get(org=org_a.org, customer_id=customer.pk).pk == customer.pk
    with pytest.raises(Http404):
        customer_get(org=org_b.org, customer_id=customer.pk)
