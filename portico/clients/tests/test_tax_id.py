"""Regression: a client's tax id is checked in the action (python-stdnum), whoever calls it: the
create and edit pages, the API. The error says exactly what is wrong; nothing is saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portico.clients import actions
from portico.clients.models import Client
from portico.clients.taxid import tax_id_normalize
from portico.core.actors import Actor
from portico.core.errors import PorticoError


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("MAB-930714-8T4", "MAB9307148T4"),  # a company RFC (12), as people type it
        ("gode561231gr8", "GODE561231GR8"),  # a person's RFC (13)
        ("XAXX010101000", "XAXX010101000"),  # the SAT's generic RFC for the general public
        ("XEXX010101000", "XEXX010101000"),  # and for foreign residents
        ("12-3456789", "123456789"),  # a US EIN
        ("", ""),
    ],
)
def test_valid_tax_ids_are_stored_compact(typed, stored):
    assert tax_id_normalize(typed) == stored


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("ABC12345", "has 8"),  # neither length
        ("MAB9307148T5", "check digit"),
        ("MAB931314QX5", "date part"),  # month 13
        ("1AB930714QX5", "3 letters (company) or 4 (person)"),
        ("07-1234567", "prefix the IRS assigns"),
    ],
)
def test_invalid_tax_ids_are_refused_saying_what_is_wrong(typed, says):
    with pytest.raises(PorticoError) as exc:
        tax_id_normalize(typed)
    assert says in str(exc.value) and exc.value.code == "invalid_tax_id" and exc.value.extra == {"field": "tax_id"}


def test_the_action_refuses_an_invalid_tax_id_and_creates_nothing(org_a):
    with pytest.raises(PorticoError) as exc:
        actions.client_create(org=org_a.org, actor=Actor.system(), name="Acme", kind="company", tax_id="ABC680524P76")
    assert exc.value.extra["field"] == "tax_id"
    assert not Client.objects.exists()
    client = actions.client_create(org=org_a.org, actor=Actor.system(), name="Acme", tax_id="mab-930714-8t4")
    assert client.tax_id == "MAB9307148T4"
    with pytest.raises(PorticoError):
        actions.client_update(client=client, actor=Actor.system(), tax_id="MAB9307148T5")
    assert Client.objects.get(pk=client.pk).tax_id == "MAB9307148T4"


def test_the_create_page_shows_the_refusal_beside_the_field(client, org_a):
    client.force_login(org_a.admin)
    response = client.post(
        reverse("client_create", args=["alpha"]),
        {"kind": "company", "record_type": "client", "name": "Acme", "tax_id": "MAB9307148T5"},
    )
    assert response.status_code == 200
    assert "check digit" in str(response.context["form"].errors["tax_id"])
    assert not Client.objects.exists()


def test_the_api_refuses_it_as_a_422_naming_the_field(client, org_a):
    client.force_login(org_a.admin)
    response = client.post(
        "/api/v1/clients?org=alpha", {"name": "Acme", "tax_id": "MAB9307148T5"}, content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and body["extra"]["errors"][0]["field"] == "tax_id"
    assert not Client.objects.exists()
