"""On a customer: the score panel ("–" until computed, history with the breakdown, the manual
values form for customers.manage), "Update score" (back to where it came from; htmx gets the
panel), refused for an inactive customer with the database unchanged; cross-organization 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portico.core.middleware import REFUSAL_HEADER
from portico.customers.models import Customer, CustomerStatus
from portico.metrics.actions import customer_score_update, scores_recalculate_start
from portico.metrics.models import ManualValue, ScoreEntry
from portico.metrics.tests.factories import customer_make, manual_value, metric_make, staff
from portico.orgs.models import Membership

pytestmark = pytest.mark.django_db


def _panel(client, customer):
    return client.get(reverse("customer_score_panel", args=["alpha", customer.pk]))


def test_the_panel_shows_a_dash_until_the_first_calculation_then_the_number(client, org_a):
    metric = metric_make(org_a, name="Relationship", scale_max="4")
    customer = customer_make(org_a)
    manual_value(customer, metric, "3")
    client.force_login(org_a.admin)
    page = _panel(client, customer).content.decode()
    assert '<span id="customer-score">–</span>' in page and "Update score" in page
    response = client.post(
        reverse("customer_score_update", args=["alpha", customer.pk]), {"next": "/o/alpha/customers/?sort=score"}
    )
    assert response.status_code == 302 and response["Location"] == "/o/alpha/customers/?sort=score"
    page = _panel(client, customer).content.decode()
    assert '<span id="customer-score">75.00</span>' in page and "Relationship" in page and "0.75" in page


def test_a_bulk_jobs_calculation_shows_its_breakdown_per_metric(client, org_a):
    metric = metric_make(org_a, name="Relationship", scale_max="8")
    customer = customer_make(org_a)
    manual_value(customer, metric, "6")
    scores_recalculate_start(org=org_a.org, actor=staff(org_a))
    metric.name = "Renamed since"  # the history shows the metric as the job computed it
    metric.save()
    client.force_login(org_a.admin)
    page = _panel(client, customer).content.decode()
    assert '<span id="customer-score">75.00</span>' in page and "all customers" in page
    assert "<td>Relationship</td>" in page and ">6.0</td>" in page and ">0.75</td>" in page


def test_update_score_goes_back_to_the_referring_page(client, org_a):
    metric_make(org_a)
    customer = customer_make(org_a)
    client.force_login(org_a.admin)
    back = f"http://testserver/o/alpha/customers/{customer.pk}/"
    response = client.post(reverse("customer_score_update", args=["alpha", customer.pk]), HTTP_REFERER=back)
    assert response["Location"] == back
    assert Customer.objects.get(pk=customer.pk).score is not None


def test_update_score_with_htmx_returns_the_panel(client, org_a):
    metric_make(org_a)
    customer = customer_make(org_a)
    client.force_login(org_a.admin)
    response = client.post(reverse("customer_score_update", args=["alpha", customer.pk]), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and 'id="score-panel"' in body and "Score updated: 0.00" in body


def test_an_inactive_customer_is_refused_and_nothing_changes(client, org_a):
    metric = metric_make(org_a)
    customer = customer_make(org_a, status=CustomerStatus.INACTIVE)
    client.force_login(org_a.admin)
    response = client.post(reverse("customer_score_update", args=["alpha", customer.pk]))
    assert response[REFUSAL_HEADER] == "customer_inactive"
    response = client.post(reverse("customer_metric_values", args=["alpha", customer.pk]), {f"metric_{metric.pk}": "3"})
    assert response[REFUSAL_HEADER] == "customer_inactive"
    assert not ScoreEntry.objects.exists() and not ManualValue.objects.exists()
    assert Customer.objects.get(pk=customer.pk).score is None
    page = _panel(client, customer).content.decode()
    assert "Update score" not in page and "Reactivate the customer first" in page


def test_manual_values_form(client, org_a):
    metric = metric_make(org_a, name="Relationship", scale_max="10")
    customer = customer_make(org_a)
    client.force_login(org_a.admin)
    assert f'name="metric_{metric.pk}"' in _panel(client, customer).content.decode()
    response = client.post(
        reverse("customer_metric_values", args=["alpha", customer.pk]),
        {f"metric_{metric.pk}": "6.5"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and 'value="6.50"' in response.content.decode()
    assert str(ManualValue.objects.get().value) == "6.50"


def test_staff_who_only_view_customers_see_the_score_but_no_actions(client, org_a):
    metric_make(org_a)
    customer = customer_make(org_a)
    # The Navigator role: customers.view, not customers.manage.
    Membership.objects.filter(org=org_a.org, user=org_a.readonly).update(role=org_a.roles["Navigator"])
    client.force_login(org_a.readonly)
    page = _panel(client, customer).content.decode()
    assert "customer-score" in page and "Update score" not in page and "metric_" not in page


def test_the_history_in_a_fixed_number_of_queries(client, org_a, django_assert_num_queries):
    metric_make(org_a)
    metric_make(org_a)
    customer = customer_make(org_a)
    client.force_login(org_a.admin)
    customer_score_update(customer=customer, actor=staff(org_a))
    _panel(client, customer)
    with django_assert_num_queries(7) as first:  # session, user, membership, customer, history, metrics, values
        _panel(client, customer)
    for _ in range(25):
        customer_score_update(customer=customer, actor=staff(org_a))
    with django_assert_num_queries(len(first.captured_queries)):
        page = _panel(client, customer).content.decode()
    assert page.count("<details") == 1 and page.count("<tbody>") == 20  # the newest 20


def test_another_organizations_customer_is_a_404(client, org_a, org_b):
    metric_make(org_b)
    theirs = customer_make(org_b)
    client.force_login(org_a.admin)
    assert _panel(client, theirs).status_code == 404
    for name in ("customer_score_update", "customer_metric_values"):
        assert client.post(reverse(name, args=["alpha", theirs.pk])).status_code == 404
    assert Customer.objects.get(pk=theirs.pk).score is None


def test_a_customer_whose_client_record_is_deleted_is_a_404(client, org_a):
    """The score pages and API find a customer as the customers app does (one selector): a deleted
    client record's customer is gone, and "Update score" cannot score it."""
    metric_make(org_a, name="Relationship")
    customer = customer_make(org_a)
    customer.client.deleted_at = customer.created_at
    customer.client.save(update_fields=["deleted_at"])
    client.force_login(org_a.admin)
    assert _panel(client, customer).status_code == 404
    url = reverse("customer_score_update", args=["alpha", customer.pk])
    assert client.post(url).status_code == 404
    assert not ScoreEntry.objects.filter(customer=customer).exists()
