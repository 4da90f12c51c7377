"""POST /api/v1/customers/{customer_id}/freshbooks: creates the customer in FreshBooks once and
answers its id; refused with the one error shape when inactive (400), already connected (409), the
organization not connected (400) or FreshBooks refusing (502); customers.manage; another
organization's customer is a 404."""

from __future__ import annotations

import pytest

from portico.core.actors import Actor
from portico.customers.models import CustomerStatus
from portico.freshbooks.tests.factories import connect, customer_make
from portico.orgs.actions import api_key_create

pytestmark = pytest.mark.django_db


def _key(world, role="Admin"):
    _, raw = api_key_create(
        org=world.org, actor=Actor(kind="staff", user=world.admin), name=f"{role} key", role=world.roles[role]
    )
    return {"Authorization": f"Bearer {raw}"}


def _url(customer) -> str:
    return f"/api/v1/customers/{customer.pk}/freshbooks"


def test_connects_once_and_answers_the_freshbooks_id(client, org_a, fake_freshbooks):
    connect(org_a, fake_freshbooks)
    customer = customer_make(org_a)
    headers = _key(org_a)
    response = client.post(_url(customer), headers=headers)
    assert response.status_code == 200, response.content
    body = response.json()
    customer.refresh_from_db()
    assert body["freshbooks_id"] == customer.freshbooks_id == str(fake_freshbooks.clients[0]["id"])
    assert body["customer_id"] == customer.pk
    assert body["url"] == f"https://my.freshbooks.com/#/client/{customer.freshbooks_id}"
    again = client.post(_url(customer), headers=headers)
    assert again.status_code == 409 and again.json()["code"] == "already"
    assert "already connected" in again.json()["message"]
    assert len(fake_freshbooks.clients) == 1


def test_an_inactive_customer_is_refused(client, org_a, fake_freshbooks):
    connect(org_a, fake_freshbooks)
    customer = customer_make(org_a, status=CustomerStatus.INACTIVE)
    response = client.post(_url(customer), headers=_key(org_a))
    assert response.status_code == 400 and response.json()["code"] == "customer_inactive"
    assert "Reactivate the customer first" in response.json()["message"]
    customer.refresh_from_db()
    assert customer.freshbooks_id == "" and not fake_freshbooks.clients


def test_not_connected_and_freshbooks_errors_are_refusals(client, org_a, fake_freshbooks):
    customer = customer_make(org_a)
    headers = _key(org_a)
    response = client.post(_url(customer), headers=headers)
    assert response.status_code == 400 and response.json()["code"] == "freshbooks_not_connected"
    connect(org_a, fake_freshbooks)
    fake_freshbooks.fail_next("create", 422)
    response = client.post(_url(customer), headers=headers)
    assert response.status_code == 502 and response.json()["code"] == "freshbooks_error"
    assert "Invalid email address." in response.json()["message"]
    customer.refresh_from_db()
    assert customer.freshbooks_id == ""


def test_permission_and_another_organizations_customer(client, org_a, org_b, fake_freshbooks):
    connect(org_a, fake_freshbooks)
    customer = customer_make(org_a)
    assert client.post(_url(customer), headers=_key(org_a, "Read-only")).status_code == 403
    assert client.post(_url(customer), headers=_key(org_b)).status_code == 404
    client.force_login(org_a.admin)  # a session names the organization
    assert client.post(_url(customer) + f"?org={org_b.org.slug}").status_code == 404
    customer.refresh_from_db()
    assert customer.freshbooks_id == "" and not fake_freshbooks.clients
