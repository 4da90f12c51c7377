"""A customer's client record edited through the clients app (its Edit page, its API) keeps to the
catalog's rules: the tax id cannot change (it was validated, de-duplicated and screened at
creation), the record stays a company's, and an inactive customer's names are not edited. The
database is unchanged; other client records and other fields are not affected."""

from __future__ import annotations

import json

import pytest

from portico.clients.actions import client_update
from portico.clients.models import Client, ClientKind
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.customers.actions import customer_deactivate
from portico.customers.tests.factories import company_rfc, customer_make, person_make, staff
from portico.orgs.actions import api_key_create

pytestmark = pytest.mark.django_db


def _row(client: Client) -> tuple:
    return Client.objects.filter(pk=client.pk).values_list("tax_id", "kind", "name", "trade_name").get()


@pytest.mark.parametrize(
    "fields",
    [{"tax_id": "XAXX010101000"}, {"kind": ClientKind.PERSON}],
    ids=["tax_id", "kind"],
)
def test_a_customers_tax_id_and_kind_cannot_change_through_the_client_record(org_a, fields):
    customer = customer_make(org_a, tax_id=company_rfc(9001))
    before = _row(customer.client)
    with pytest.raises(PorticoError) as refused:
        client_update(client=customer.client, actor=staff(org_a), **fields)
    assert refused.value.extra["field"] in fields
    assert _row(customer.client) == before


def test_an_inactive_customers_names_cannot_change_through_the_client_record(org_a):
    customer = customer_make(org_a)
    customer_deactivate(customer=customer, actor=staff(org_a))
    before = _row(customer.client)
    with pytest.raises(PorticoError) as refused:
        client_update(client=customer.client, actor=staff(org_a), name="Otro Nombre S.A.")
    assert refused.value.code == "customer_inactive"
    assert _row(customer.client) == before
    client_update(client=customer.client, actor=staff(org_a), notes="Still reachable")  # other fields: fine
    assert Client.objects.get(pk=customer.pk).notes == "Still reachable"


def test_an_active_customers_other_fields_and_other_records_change_as_before(org_a):
    customer = customer_make(org_a)
    client_update(client=customer.client, actor=staff(org_a), name="Nuevo Nombre S.A.", email="new@example.test")
    assert Client.objects.get(pk=customer.pk).name == "Nuevo Nombre S.A."
    person = person_make(org_a)
    client_update(client=person, actor=staff(org_a), tax_id="XAXX010101000")
    assert Client.objects.get(pk=person.pk).tax_id == "XAXX010101000"


def test_the_clients_api_refuses_a_customers_new_tax_id_and_changes_nothing(client, org_a):
    customer = customer_make(org_a, tax_id=company_rfc(9002))
    before = _row(customer.client)
    _, raw = api_key_create(
        org=org_a.org, actor=Actor(kind="staff", user=org_a.admin), name="key", role=org_a.roles["Admin"]
    )
    response = client.patch(
        f"/api/v1/clients/{customer.pk}",
        data=json.dumps({"tax_id": "XAXX010101000"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 422, response.content
    assert "cannot change after the customer is created" in response.json()["message"]
    assert _row(customer.client) == before
