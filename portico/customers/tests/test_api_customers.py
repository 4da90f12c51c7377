"""/api/v1/customers: quick create (with the screening in the answer; blocked and duplicate are the
one error shape), list (keyset, filters, fixed queries), read, update (refused when inactive, the
database unchanged), deactivate, activate; permissions and another organization's 404."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from portico.core.actors import Actor
from portico.customers.actions import customer_deactivate
from portico.customers.models import Customer, CustomerStatus
from portico.customers.tests.factories import company_rfc, customer_complete, customer_make, sat69b_entry, staff
from portico.notifications.models import Notification
from portico.orgs.actions import api_key_create
from portico.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


def _key(world, role="Sales"):
    _, raw = api_key_create(
        org=world.org, actor=Actor(kind="staff", user=world.admin), name=f"{role} key", role=world.roles[role]
    )
    return {"Authorization": f"Bearer {raw}"}


def _send(client, method, url, body, headers):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json", headers=headers)


def test_quick_create_answers_the_customer_and_its_screening(client, org_a):
    tax_id = company_rfc()
    sat69b_entry(tax_id, "presunto")
    response = _send(
        client,
        "post",
        "/api/v1/customers",
        {"legal_name": "Api SA", "trade_name": "Api", "tax_id": tax_id},
        _key(org_a),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "PAIN" and body["tax_id"] == tax_id and body["score"] is None
    assert body["screening"] == {
        "listed": True,
        "situation": "presunto",
        "situation_label": "Presunto",
        "action": "warn",
        "publications": [{"label": "Presunto", "date": "2024-03-15"}],
    }
    assert "industry" in [m["field"] for m in body["missing"]]
    assert Notification.objects.count() == 0 and OutboxMessage.objects.count() == 0


def test_quick_create_refusals(client, org_a):
    headers = _key(org_a)
    blocked = company_rfc()
    sat69b_entry(blocked, "definitivo", definitivo_published_on=dt.date(2025, 1, 1))
    response = _send(
        client, "post", "/api/v1/customers", {"legal_name": "B", "trade_name": "B", "tax_id": blocked}, headers
    )
    assert response.status_code == 400 and response.json()["code"] == "screening_blocked"
    existing = customer_make(org_a)
    response = _send(
        client,
        "post",
        "/api/v1/customers",
        {"legal_name": "D", "trade_name": "D", "tax_id": existing.client.tax_id},
        headers,
    )
    assert response.json()["code"] == "duplicate_tax_id"
    response = _send(
        client, "post", "/api/v1/customers", {"legal_name": "E", "trade_name": "E", "tax_id": "ABC68052"}, headers
    )
    assert response.json()["code"] == "invalid_tax_id" and response.status_code == 422
    assert Customer.objects.count() == 1


def test_list_read_and_a_fixed_query_count(client, org_a, django_assert_num_queries):
    headers = _key(org_a)
    for _ in range(3):
        customer_make(org_a)
    client.get("/api/v1/customers", headers=headers)
    with django_assert_num_queries(3):  # the key (with its role), the page, its client records
        body = client.get("/api/v1/customers", headers=headers).json()
    assert len(body["items"]) == 3 and body["next_cursor"] is None
    one = body["items"][0]["id"]
    assert client.get(f"/api/v1/customers/{one}", headers=headers).json()["id"] == one
    assert client.get("/api/v1/customers?status=ACTV", headers=headers).json()["items"] == []


def test_update_completes_the_record(client, org_a):
    customer = customer_complete(org_a)
    headers = _key(org_a)
    response = _send(client, "patch", f"/api/v1/customers/{customer.pk}", {"industry": ""}, headers)
    assert response.json()["status"] == "PAIN"
    response = _send(
        client, "patch", f"/api/v1/customers/{customer.pk}", {"industry": "Mining", "credit_limit": "1000.50"}, headers
    )
    assert response.json()["status"] == "ACTV" and response.json()["credit_limit"] == "1000.50"
    response = _send(client, "patch", f"/api/v1/customers/{customer.pk}", {"tax_id": "XAXX010101000"}, headers)
    assert response.status_code == 422 and "cannot change" in response.json()["message"]


def test_update_of_an_inactive_customer_is_refused_and_nothing_changes(client, org_a):
    customer = customer_make(org_a)
    customer_deactivate(customer=customer, actor=staff(org_a))
    before = Customer.objects.get(pk=customer.pk)
    response = _send(client, "patch", f"/api/v1/customers/{customer.pk}", {"industry": "Mining"}, _key(org_a))
    assert response.status_code == 400
    assert (
        response.json()["code"] == "customer_inactive" and "Reactivate the customer first" in response.json()["message"]
    )
    after = Customer.objects.get(pk=customer.pk)
    assert (after.industry, after.status, after.updated_at) == ("", "INAC", before.updated_at)


def test_the_sales_owner_must_be_staff_of_the_organization(client, org_a, org_b):
    """Another organization's administrator, or no user at all, is refused with the field named;
    nothing changes. The organization's own staff are accepted."""
    customer = customer_make(org_a)
    headers = _key(org_a)
    url = f"/api/v1/customers/{customer.pk}"
    for owner in (org_b.admin.pk, 999_999):
        response = _send(client, "patch", url, {"sales_owner": owner, "industry": "Mining"}, headers)
        assert response.status_code == 422, response.content
        assert "sales owner" in response.json()["message"]
        assert Customer.objects.filter(pk=customer.pk, sales_owner=None, industry="").exists()
    response = _send(client, "patch", url, {"sales_owner": org_a.readonly.pk}, headers)
    assert response.status_code == 200 and response.json()["sales_owner"] == org_a.readonly.pk


def test_deactivate_and_activate(client, org_a):
    customer = customer_make(org_a)
    headers = _key(org_a)
    assert _send(client, "post", f"/api/v1/customers/{customer.pk}/deactivate", {}, headers).json()["status"] == "INAC"
    assert _send(client, "post", f"/api/v1/customers/{customer.pk}/activate", {}, headers).json()["status"] == "PAIN"
    response = _send(client, "post", f"/api/v1/customers/{customer.pk}/activate", {}, headers)
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    assert Customer.objects.get(pk=customer.pk).status == CustomerStatus.PARTIAL


def test_read_only_can_read_but_not_write(client, org_a):
    customer = customer_make(org_a)
    headers = _key(org_a, "Read-only")
    assert client.get(f"/api/v1/customers/{customer.pk}", headers=headers).status_code == 200
    assert _send(client, "patch", f"/api/v1/customers/{customer.pk}", {"industry": "X"}, headers).status_code == 403
    assert (
        _send(
            client,
            "post",
            "/api/v1/customers",
            {"legal_name": "A", "trade_name": "B", "tax_id": company_rfc()},
            headers,
        ).status_code
        == 403
    )
    client.force_login(org_a.readonly)
    assert client.get(f"/api/v1/customers?org={org_a.org.slug}").status_code == 200


def test_another_organizations_customer_is_a_404_on_every_route(client, org_a, org_b):
    theirs = customer_make(org_b)
    headers = _key(org_a)
    assert client.get(f"/api/v1/customers/{theirs.pk}", headers=headers).status_code == 404
    assert _send(client, "patch", f"/api/v1/customers/{theirs.pk}", {"industry": "X"}, headers).status_code == 404
    assert _send(client, "post", f"/api/v1/customers/{theirs.pk}/deactivate", {}, headers).status_code == 404
    assert _send(client, "post", f"/api/v1/customers/{theirs.pk}/activate", {}, headers).status_code == 404
    assert client.get("/api/v1/customers", headers=headers).json()["items"] == []
    assert Customer.objects.get(pk=theirs.pk).status == CustomerStatus.PARTIAL
