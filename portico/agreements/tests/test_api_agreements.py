"""/api/v1/agreements: create from a template, read, list, send, void, the document and signed
PDFs, the trail as JSON; an API key or a session with agreements.manage; another organization's
ids are a 404."""

from __future__ import annotations

import hashlib
import json

import pytest

from portico.agreements.models import AgreementEvent, AgreementState
from portico.agreements.tests.factories import (
    agreement_draft_make,
    agreement_sent_make,
    agreement_signed_make,
    approved_estimate_make,
    template_make,
)
from portico.core.actors import Actor
from portico.estimates.tests.factories import joined
from portico.orgs.actions import api_key_create

pytestmark = pytest.mark.django_db


def _key(world, role="Sales"):
    _, raw = api_key_create(
        org=world.org, actor=Actor(kind="staff", user=world.admin), name=f"{role} key", role=world.roles[role]
    )
    return {"Authorization": f"Bearer {raw}"}


def _post(client, url, body, headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=headers)


def test_create_send_read_void_with_an_api_key(client, org_a):
    headers = _key(org_a)
    record, person = joined(org_a)
    estimate = approved_estimate_make(org_a, record, person)
    template = template_make(org_a, body="<p>{{ client.name }} {{ estimate.total }}</p>")
    created = _post(client, "/api/v1/agreements", {"client": record.pk, "template": template.pk}, headers)
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["state"] == "draft" and data["estimate"] == estimate.pk and record.name in data["body"]
    assert data["template"] == template.pk and data["template_version"] == 1 and data["document_sha256"] == ""
    url = f"/api/v1/agreements/{data['id']}"
    assert client.get(url + "/document", headers=headers).json()["code"] == "not_sent"
    sent = _post(client, url + "/send", {}, headers).json()
    assert sent["state"] == "sent" and len(sent["document_sha256"]) == 64
    pdf = client.get(url + "/document", headers=headers)
    assert hashlib.sha256(b"".join(pdf.streaming_content)).hexdigest() == sent["document_sha256"]
    listed = client.get("/api/v1/agreements", {"state": "sent"}, headers=headers).json()
    assert [a["id"] for a in listed["items"]] == [data["id"]]
    trail = client.get(url + "/trail", headers=headers).json()
    assert trail["chain_intact"] is True and [e["kind"] for e in trail["events"]] == ["created", "sent"]
    assert trail["document_sha256"] == sent["document_sha256"]
    assert _post(client, url + "/void", {"reason": ""}, headers).status_code == 422
    voided = _post(client, url + "/void", {"reason": "Wrong scope"}, headers).json()
    assert voided["state"] == "voided" and voided["void_reason"] == "Wrong scope"
    again = _post(client, url + "/void", {"reason": "Again"}, headers)
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_a_template_needing_an_estimate_is_a_clear_error(client, org_a):
    record, _person = joined(org_a)
    template = template_make(org_a, body="<p>{{ estimate.lines }}</p>")
    response = _post(client, "/api/v1/agreements", {"client": record.pk, "template": template.pk}, _key(org_a))
    assert response.status_code == 400 and response.json()["code"] == "no_estimate"
    assert "{{ estimate.lines }}" in response.json()["message"]


def test_the_signed_pdf_is_404_with_a_reason_until_signed(client, org_a):
    headers = _key(org_a)
    sent = agreement_sent_make(org_a)
    response = client.get(f"/api/v1/agreements/{sent.pk}/signed", headers=headers)
    assert response.status_code == 404 and response.json()["code"] == "not_signed"
    signed = agreement_signed_make(org_a)
    response = client.get(f"/api/v1/agreements/{signed.pk}/signed", headers=headers)
    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == signed.signed_hash


def test_a_role_without_the_permission_is_refused(client, org_a):
    agreement = agreement_draft_make(org_a)
    response = client.get(f"/api/v1/agreements/{agreement.pk}", headers=_key(org_a, "Read-only"))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "", None),
        ("post", "/send", {}),
        ("post", "/void", {"reason": "x"}),
        ("get", "/document", None),
        ("get", "/signed", None),
        ("get", "/trail", None),
    ],
)
def test_another_organizations_agreement_is_404(client, org_a, org_b, method, path, body):
    theirs = agreement_sent_make(org_b)
    url = f"/api/v1/agreements/{theirs.pk}{path}"
    headers = _key(org_a)
    response = _post(client, url, body, headers) if method == "post" else client.get(url, headers=headers)
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == AgreementState.SENT
    assert AgreementEvent.objects.filter(agreement=theirs).count() == 2


def test_another_organizations_client_template_or_estimate_is_404(client, org_a, org_b):
    headers = _key(org_a)
    mine, _my_person = joined(org_a)
    theirs, their_person = joined(org_b, "Theirs", "theirs@example.test")
    my_template, their_template = template_make(org_a), template_make(org_b)
    their_estimate = approved_estimate_make(org_b, theirs, their_person)
    for body in (
        {"client": theirs.pk, "template": my_template.pk},
        {"client": mine.pk, "template": their_template.pk},
        {"client": mine.pk, "template": my_template.pk, "estimate": their_estimate.pk},
    ):
        assert _post(client, "/api/v1/agreements", body, headers).status_code == 404, body
    listed = client.get("/api/v1/agreements", headers=headers).json()
    assert listed["items"] == []
