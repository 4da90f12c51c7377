"""The payment method summary: the API (``clients.view``; another organization's client is a 404)
and the staff partial for the client record page. Never more than kind, brand or bank, last 4,
expiry, state, confirmed_at."""

from __future__ import annotations

from django.template.loader import render_to_string

from portico.core.actors import Actor
from portico.orgs.actions import api_key_create, role_create
from portico.payments.actions import payment_method_setup_apply
from portico.payments.selectors import payment_method_summary
from portico.payments.tests.factories import card, intent, pending_make
from testing.world import client_make


def _key(world, role):
    _, raw = api_key_create(org=world.org, actor=Actor.system(), name=f"{role.name} key", role=role)
    return {"Authorization": f"Bearer {raw}"}


def _active(world, record):
    pm = pending_make(world, record)
    payment_method_setup_apply(payment_method=pm, setup_intent=intent(pm, method=card()), actor=Actor.system())
    return pm


def test_the_api_gives_the_summary_and_nothing_more(client, org_a):
    record = client_make(org_a, "Api Payer", email="payer@example.test")
    url = f"/api/v1/clients/{record.pk}/payment-method"
    headers = _key(org_a, org_a.roles["Read-only"])
    assert client.get(url, headers=headers).json() == {"current": None, "failure_message": ""}
    pm = _active(org_a, record)
    data = client.get(url, headers=headers).json()["current"]
    assert set(data) == {"kind", "brand", "last4", "exp_month", "exp_year", "state", "confirmed_at"}
    assert (data["kind"], data["brand"], data["last4"], data["state"]) == ("card", "visa", "4242", "active")
    assert pm.setup_intent_id not in str(data) and "pm_" not in str(data)


def test_the_api_refuses_without_the_permission_and_another_organizations_client(client, org_a, org_b):
    record = client_make(org_a, "Api Payer", email="payer@example.test")
    nothing = role_create(org=org_a.org, actor=Actor.system(), name="Nothing", permissions=[])
    url = f"/api/v1/clients/{record.pk}/payment-method"
    assert client.get(url, headers=_key(org_a, nothing)).status_code == 403
    assert client.get(url, headers=_key(org_b, org_b.roles["Read-only"])).status_code == 404


def test_the_staff_partial_shows_the_method_and_the_last_failure(org_a):
    record = client_make(org_a, "Partial Payer", email="partial@example.test")
    assert "None on file." in render_to_string(
        "payments/_client_summary.html", {"summary": payment_method_summary(client=record)}
    )
    _active(org_a, record)
    failed = pending_make(org_a, record)
    error = {"message": "Your card was declined."}
    payment_method_setup_apply(
        payment_method=failed,
        setup_intent=intent(failed, "requires_payment_method", last_setup_error=error),
        actor=Actor.system(),
    )
    html = render_to_string("payments/_client_summary.html", {"summary": payment_method_summary(client=record)})
    assert "Visa</strong> •••• 4242" in html and "expires 12/2034" in html
    assert "Your card was declined." in html
