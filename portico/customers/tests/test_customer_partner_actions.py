"""Once the metrics and FreshBooks apps are merged, the row menu and the customer's page offer
Update score, Connect to FreshBooks (only when not connected; the FreshBooks link otherwise) and
the score panel; an inactive customer offers none of them."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from portico.customers.actions import customer_deactivate
from portico.customers.models import Customer
from portico.customers.tests.factories import customer_make, staff

pytestmark = [pytest.mark.django_db, pytest.mark.urls("portico.customers.tests.partner_urls")]


def _menu(html, pk):
    found = re.search(rf'<details class="share row-menu" id="menu-{pk}">(.*?)</details>', html, re.S)
    assert found, html
    return re.findall(r'role="menuitem"[^>]*>([^<]+)<', found.group(1))


def test_the_row_menu_offers_score_and_freshbooks(client, org_a):
    plain, connected, inactive = customer_make(org_a), customer_make(org_a), customer_make(org_a)
    Customer.objects.filter(pk=connected.pk).update(freshbooks_id="4242")
    customer_deactivate(customer=inactive, actor=staff(org_a))
    client.force_login(org_a.admin)
    html = client.get(reverse("customer_list", args=[org_a.org.slug])).content.decode()
    assert _menu(html, plain.pk) == ["View", "Edit", "Update score", "Connect to FreshBooks", "Deactivate"]
    assert _menu(html, connected.pk) == ["View", "Edit", "Update score", "Open in FreshBooks", "Deactivate"]
    assert _menu(html, inactive.pk) == ["View", "Activate"]
    assert f'action="/o/{org_a.org.slug}/customers/{plain.pk}/score/"' in html
    assert f'action="/o/{org_a.org.slug}/customers/{plain.pk}/freshbooks/"' in html


def test_the_customer_page_loads_the_score_panel(client, org_a):
    customer = customer_make(org_a)
    client.force_login(org_a.admin)
    html = client.get(reverse("customer_detail", args=[org_a.org.slug, customer.pk])).content.decode()
    assert f'hx-get="/o/{org_a.org.slug}/customers/{customer.pk}/score/panel/" hx-trigger="load"' in html
    assert 'id="customer-score-update"' in html and 'id="customer-freshbooks-connect"' in html
