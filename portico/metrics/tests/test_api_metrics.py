"""/api/v1 metrics and scores: the catalog, a customer's score (null until computed) with its
history, "Update score" (refused for an inactive customer, database unchanged), the global
update and its progress; permissions and another organization's ids (404)."""

from __future__ import annotations

import json

import pytest

from portico.core.actors import Actor
from portico.customers.models import Customer, CustomerStatus
from portico.jobs.models import Job
from portico.metrics.models import MetricKind, ScoreEntry
from portico.metrics.tests.factories import customer_make, manual_value, metric_make
from portico.orgs.actions import api_key_create

pytestmark = pytest.mark.django_db


def _key(world, role="Admin"):
    _, raw = api_key_create(
        org=world.org, actor=Actor(kind="staff", user=world.admin), name=f"{role} key", role=world.roles[role]
    )
    return {"Authorization": f"Bearer {raw}"}


def _post(client, url, headers, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json", headers=headers)


def test_the_catalog_with_shares(client, org_a):
    metric_make(org_a, name="Relationship", weight="3")
    metric_make(org_a, name="Tenure", kind=MetricKind.TENURE, weight="1", scale_max="24")
    items = client.get("/api/v1/metrics", headers=_key(org_a, "Navigator")).json()
    assert [(m["name"], m["share"], m["kind"]) for m in items] == [
        ("Relationship", "75.0", "manual"),
        ("Tenure", "25.0", "tenure"),
    ]


def test_score_null_until_computed_then_the_number_and_history(client, org_a):
    metric = metric_make(org_a, name="Relationship", scale_max="10")
    customer = customer_make(org_a)
    manual_value(customer, metric, "4")
    url = f"/api/v1/customers/{customer.pk}/score"
    assert client.get(url, headers=_key(org_a, "Navigator")).json() == {
        "customer": customer.pk,
        "status": "ACTV",
        "score": None,
        "scored_at": None,
        "history": [],
    }
    response = _post(client, url, _key(org_a))
    assert response.status_code == 200
    body = response.json()
    assert body["score"] == "40.00" and body["history"][0]["breakdown"][0]["normalized"] == 0.4
    assert client.get(url, headers=_key(org_a, "Navigator")).json()["score"] == "40.00"


def test_update_refused_for_an_inactive_customer_with_the_database_unchanged(client, org_a):
    metric_make(org_a)
    customer = customer_make(org_a, status=CustomerStatus.INACTIVE)
    response = _post(client, f"/api/v1/customers/{customer.pk}/score", _key(org_a))
    assert response.status_code == 400 and response.json()["code"] == "customer_inactive"
    assert "Reactivate the customer first" in response.json()["message"]
    assert not ScoreEntry.objects.exists() and Customer.objects.get(pk=customer.pk).score is None


def test_permissions(client, org_a):
    metric_make(org_a)
    customer = customer_make(org_a)
    readonly = _key(org_a, "Navigator")
    assert _post(client, f"/api/v1/customers/{customer.pk}/score", readonly).status_code == 403
    assert _post(client, "/api/v1/scores/recalculate", readonly).status_code == 403
    assert not ScoreEntry.objects.exists()


def test_recalculate_returns_the_job_and_its_progress(client, org_a):
    metric_make(org_a)
    customer_make(org_a)
    customer_make(org_a, status=CustomerStatus.INACTIVE)
    headers = _key(org_a)
    response = _post(client, "/api/v1/scores/recalculate", headers)
    assert response.status_code == 202
    job = response.json()
    assert (job["state"], job["total"], job["processed"], job["scored"], job["percent"]) == ("done", 1, 1, 1, 100)
    again = client.get(f"/api/v1/scores/recalculate/{job['id']}", headers=headers).json()
    assert again["id"] == job["id"] and again["percent"] == 100


def test_another_organizations_ids_are_404(client, org_a, org_b):
    metric_make(org_b)
    theirs = customer_make(org_b)
    headers_b = _key(org_b)
    _post(client, "/api/v1/scores/recalculate", headers_b)
    job = Job.objects.get()
    headers = _key(org_a)
    assert client.get(f"/api/v1/customers/{theirs.pk}/score", headers=headers).status_code == 404
    assert _post(client, f"/api/v1/customers/{theirs.pk}/score", headers).status_code == 404
    assert client.get(f"/api/v1/scores/recalculate/{job.pk}", headers=headers).status_code == 404
    assert ScoreEntry.objects.filter(customer=theirs).count() == 1  # only its own organization's run
