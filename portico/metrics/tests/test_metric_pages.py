"""The catalog pages: the list (weights as shares, a fixed number of queries), add, edit, delete
with confirmation; another organization's metric is a 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portico.metrics.models import Metric, MetricKind
from portico.metrics.tests.factories import metric_make

pytestmark = pytest.mark.django_db


def test_the_list_shows_each_weight_as_a_share_in_a_fixed_number_of_queries(client, org_a, django_assert_num_queries):
    metric_make(org_a, name="Relationship", weight="3")
    metric_make(org_a, name="Tenure", kind=MetricKind.TENURE, weight="1")
    metric_make(org_a, name="Old", weight="5", active=False)
    client.force_login(org_a.admin)
    url = reverse("metric_list", args=["alpha"])
    client.get(url)
    with django_assert_num_queries(5):  # session, user, membership with its organization, the metrics, the latest job
        page = client.get(url).content.decode()
    assert "75.0 %" in page and "25.0 %" in page and "not in use" in page
    for _ in range(5):
        metric_make(org_a)
    with django_assert_num_queries(5):
        client.get(url)


def test_add_edit_delete(client, org_a):
    client.force_login(org_a.admin)
    response = client.post(
        reverse("metric_new", args=["alpha"]),
        {"name": "Tenure", "kind": "tenure", "weight": "2", "scale_max": "24", "hours_to_answer": "", "active": "on"},
    )
    assert response.status_code == 302
    metric = Metric.objects.get()
    assert (metric.kind, str(metric.weight)) == ("tenure", "2.00")
    client.post(
        reverse("metric_edit", args=["alpha", metric.pk]),
        {"name": "Tenure", "kind": "tenure", "weight": "4", "scale_max": "12", "active": "on"},
    )
    metric.refresh_from_db()
    assert (str(metric.weight), str(metric.scale_max)) == ("4.00", "12.00")
    confirm = client.get(reverse("metric_delete", args=["alpha", metric.pk]))
    assert "Delete the metric" in confirm.content.decode() and Metric.objects.exists()
    client.post(reverse("metric_delete", args=["alpha", metric.pk]))
    assert not Metric.objects.exists()


def test_a_duplicate_name_shows_on_the_form(client, org_a):
    metric_make(org_a, name="Tenure")
    client.force_login(org_a.admin)
    response = client.post(
        reverse("metric_new", args=["alpha"]), {"name": "TENURE", "kind": "manual", "weight": "1", "scale_max": "10"}
    )
    assert response.status_code == 422 and "already a metric" in response.content.decode()
    assert Metric.objects.count() == 1


def test_another_organizations_metric_is_a_404(client, org_a, org_b):
    theirs = metric_make(org_b)
    client.force_login(org_a.admin)
    for name in ("metric_edit", "metric_delete"):
        assert client.get(reverse(name, args=["alpha", theirs.pk])).status_code == 404
    assert client.post(reverse("metric_delete", args=["alpha", theirs.pk])).status_code == 404
    assert Metric.objects.filter(pk=theirs.pk).exists()


def test_the_navigation_links_the_catalog_for_metrics_managers_only(client, org_a):
    client.force_login(org_a.admin)
    assert (
        reverse("metric_list", args=["alpha"]) in client.get(reverse("org_dashboard", args=["alpha"])).content.decode()
    )
    client.force_login(org_a.readonly)
    assert (
        reverse("metric_list", args=["alpha"])
        not in client.get(reverse("org_dashboard", args=["alpha"])).content.decode()
    )
