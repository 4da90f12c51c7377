"""/api/v1/estimates: create with lines, read with totals, send, revise, list; a session or an API
key with estimates.manage; other organizations' ids are a 404."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from portico.audit.models import AuditAction, AuditEvent
from portico.core.actors import Actor
from portico.estimates.models import Estimate, EstimateState
from portico.estimates.tests.factories import estimate_make
from portico.leads.actions import lead_submit
from portico.leads.models import LeadSource
from portico.orgs.actions import api_key_create
from testing.world import client_make

pytestmark = pytest.mark.django_db

BODY = {
    "scope": "New deck",
    "discount_kind": "amount",
    "discount_value": "10",
    "lines": [
        {"description": "Boards", "quantity": "12", "unit": "m", "unit_price": "8.25", "tax_rate": "16"},
        {"description": "Labour", "quantity": "6", "unit": "h", "unit_price": "40", "tax_rate": "0"},
    ],
}


def _key(world, role="Sales"):
    _, raw = api_key_create(
        org=world.org, actor=Actor(kind="staff", user=world.admin), name=f"{role} key", role=world.roles[role]
    )
    return {"Authorization": f"Bearer {raw}"}


def _post(client, url, body, headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=headers)


def test_create_read_send_revise_with_an_api_key(client, org_a):
    headers = _key(org_a)
    record = client_make(org_a, "Api Client", email="api@example.test")
    created = _post(client, "/api/v1/estimates", {**BODY, "client": record.pk}, headers)
    assert created.status_code == 201, created.json()
    data = created.json()
    # 99.00 + 240.00 = 339.00 less 10.00: the boards carry 2.92 of it → 96.08 × 16 % = 15.37
    assert data["state"] == "draft" and data["number"] == 1 and data["currency"] == org_a.org.currency
    assert [Decimal(line["total"]) for line in data["lines"]] == [Decimal("99.00"), Decimal("240.00")]
    assert Decimal(data["totals"]["subtotal"]) == Decimal("339.00")
    assert Decimal(data["totals"]["discount"]) == Decimal("10.00")
    assert (Decimal(data["totals"]["tax"]), Decimal(data["totals"]["total"])) == (Decimal("15.37"), Decimal("344.37"))
    assert Decimal(data["totals"]["total"]) == Estimate.objects.get(pk=data["id"]).total
    sent = client.post(f"/api/v1/estimates/{data['id']}/send", headers=headers)
    assert sent.status_code == 200 and sent.json()["state"] == "sent" and len(sent.json()["content_hash"]) == 64
    again = client.post(f"/api/v1/estimates/{data['id']}/send", headers=headers)
    assert again.status_code == 400 and again.json()["code"] == "not_draft"
    revised = client.post(f"/api/v1/estimates/{data['id']}/revise", headers=headers)
    assert revised.status_code == 201
    new = revised.json()
    assert (new["number"], new["version"], new["state"], new["supersedes"]) == (1, 2, "draft", data["id"])
    old = client.get(f"/api/v1/estimates/{data['id']}", headers=headers).json()
    assert old["state"] == "superseded" and old["superseded_by"] == new["id"]


def test_list_with_filters_and_a_fixed_query_count(client, org_a, django_assert_num_queries):
    headers = _key(org_a)
    sent = estimate_make(org_a, sent=True)
    for _ in range(4):
        estimate_make(org_a)
    client.get("/api/v1/estimates", headers=headers)
    with django_assert_num_queries(2):  # the key (with its role), the page
        items = client.get("/api/v1/estimates", headers=headers).json()["items"]
    assert len(items) == 5
    only_sent = client.get("/api/v1/estimates?state=sent", headers=headers).json()["items"]
    assert [i["id"] for i in only_sent] == [sent.pk]
    by_client = client.get(f"/api/v1/estimates?client={sent.client_id}", headers=headers).json()["items"]
    assert [i["id"] for i in by_client] == [sent.pk]


def test_on_a_lead_by_session_and_refused_to_send(client, org_a):
    lead = lead_submit(org=org_a.org, actor=Actor.system(), source=LeadSource.API, name="Api Lead", email="al@x.test")
    client.force_login(org_a.admin)
    created = _post(client, "/api/v1/estimates?org=alpha", {**BODY, "lead": lead.pk}, {})
    assert created.status_code == 201 and created.json()["lead"] == lead.pk and created.json()["client"] is None
    refused = client.post(f"/api/v1/estimates/{created.json()['id']}/send?org=alpha")
    assert refused.status_code == 400 and refused.json()["code"] == "no_client"
    both = _post(client, "/api/v1/estimates?org=alpha", {**BODY, "lead": lead.pk, "client": 1}, {})
    assert both.status_code == 422


def test_bad_lines_are_refused(client, org_a):
    record = client_make(org_a, "Api Client", email="api@example.test")
    body = {**BODY, "client": record.pk, "lines": [{"description": "X", "quantity": "0", "unit_price": "1"}]}
    response = _post(client, "/api/v1/estimates", body, _key(org_a))
    assert response.status_code == 422
    assert not Estimate.objects.exists()


def test_other_organizations_ids_are_404_and_permission_is_needed(client, org_a, org_b):
    headers = _key(org_a)
    theirs = estimate_make(org_b, sent=True)
    their_client = client_make(org_b, "Beta Client", email="beta@example.test")
    assert client.get(f"/api/v1/estimates/{theirs.pk}", headers=headers).status_code == 404
    assert client.post(f"/api/v1/estimates/{theirs.pk}/send", headers=headers).status_code == 404
    assert client.post(f"/api/v1/estimates/{theirs.pk}/revise", headers=headers).status_code == 404
    assert _post(client, "/api/v1/estimates", {**BODY, "client": their_client.pk}, headers).status_code == 404
    assert Estimate.objects.get(pk=theirs.pk).state == EstimateState.SENT
    client.force_login(org_a.readonly)  # Read-only: no estimates.manage
    response = client.get("/api/v1/estimates?org=alpha")
    assert response.status_code == 403
    client.logout()
    assert client.get("/api/v1/estimates?org=alpha").status_code == 401


def _patch(client, url, body, headers):
    return client.patch(url, data=json.dumps(body), content_type="application/json", headers=headers)


def test_patch_changes_a_draft_and_its_lines_replace_the_old_ones(client, org_a):
    headers = _key(org_a)
    record = client_make(org_a, "Api Client", email="api@example.test")
    data = _post(client, "/api/v1/estimates", {**BODY, "client": record.pk}, headers).json()
    body = {
        "scope": "A bigger deck",
        "valid_until": "2099-01-31",
        "lines": [{"description": "Everything", "quantity": "2", "unit": "job", "unit_price": "100", "tax_rate": "16"}],
    }
    changed = _patch(client, f"/api/v1/estimates/{data['id']}", body, headers)
    assert changed.status_code == 200, changed.json()
    out = changed.json()
    assert (out["scope"], out["valid_until"], out["notes"]) == ("A bigger deck", "2099-01-31", "")
    assert [(line["description"], Decimal(line["total"])) for line in out["lines"]] == [("Everything", Decimal(200))]
    # The amount discount was kept (not given): 200 - 10 = 190, taxed 16 % → 220.40
    assert (out["discount_kind"], Decimal(out["totals"]["total"])) == ("amount", Decimal("220.40"))
    assert Estimate.objects.get(pk=data["id"]).total == Decimal("220.40")
    # Without lines the lines stay; the discount can be taken away.
    kept = _patch(client, f"/api/v1/estimates/{data['id']}", {"discount_kind": ""}, headers).json()
    assert len(kept["lines"]) == 1 and Decimal(kept["totals"]["total"]) == Decimal("232.00")
    assert AuditEvent.objects.filter(action=AuditAction.ESTIMATE_CHANGED, org=org_a.org).count() == 2


def test_patch_validates_as_the_edit_form_does(client, org_a):
    headers = _key(org_a)
    estimate = estimate_make(org_a)
    bad_line = {"lines": [{"description": "X", "quantity": "1", "unit_price": "1", "tax_rate": "101"}]}
    assert _patch(client, f"/api/v1/estimates/{estimate.pk}", bad_line, headers).status_code == 422
    too_much = _patch(
        client, f"/api/v1/estimates/{estimate.pk}", {"discount_kind": "percent", "discount_value": "150"}, headers
    )
    assert too_much.status_code in (400, 422) and too_much.json()["code"] == "invalid"
    blank = {"lines": [{"description": "   ", "quantity": "1", "unit_price": "1"}]}
    assert _patch(client, f"/api/v1/estimates/{estimate.pk}", blank, headers).status_code in (400, 422)
    assert _patch(client, f"/api/v1/estimates/{estimate.pk}", {"state": "sent"}, headers).status_code == 422
    assert [line.description for line in estimate.lines.all()] == ["Work item 1", "Work item 2"]


def test_patch_refuses_a_sent_estimate_and_other_organizations(client, org_a, org_b):
    headers = _key(org_a)
    sent = estimate_make(org_a, sent=True)
    refused = _patch(client, f"/api/v1/estimates/{sent.pk}", {"scope": "Changed after sending"}, headers)
    assert refused.status_code == 400 and refused.json()["code"] == "not_draft"
    sent.refresh_from_db()
    assert sent.scope == "" and sent.state == EstimateState.SENT
    theirs = estimate_make(org_b)
    assert _patch(client, f"/api/v1/estimates/{theirs.pk}", {"scope": "Mine now"}, headers).status_code == 404
    theirs.refresh_from_db()
    assert theirs.scope == ""
    client.force_login(org_a.readonly)
    mine = estimate_make(org_a)
    assert _patch(client, f"/api/v1/estimates/{mine.pk}?org=alpha", {"scope": "x"}, {}).status_code == 403
