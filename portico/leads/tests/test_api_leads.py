"""/api/v1/leads: create (a website's own form, with an API key), list, read, convert; another
organization's leads are a 404; leads.manage is needed."""

from __future__ import annotations

import json

import pytest

from portico.clients.models import Client
from portico.core.actors import Actor
from portico.invitations.models import Invitation
from portico.leads.actions import referral_link_get_or_create
from portico.leads.models import Lead
from portico.notifications.models import Notification
from portico.orgs.actions import api_key_create
from testing.world import client_make, portal_set_up, run_tasks

from .conftest import lead_make

pytestmark = pytest.mark.django_db


def _key(world, role="Sales"):
    _, raw = api_key_create(
        org=world.org, actor=Actor(kind="staff", user=world.admin), name=f"{role} key", role=world.roles[role]
    )
    return {"Authorization": f"Bearer {raw}"}


def _post(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=headers)


def test_a_website_posts_its_own_form_with_an_api_key(client, org_a, lead_navigator):
    mark = client_make(org_a)
    link = referral_link_get_or_create(org=org_a.org, actor=Actor.system(), client=mark)
    response = _post(
        client,
        "/api/v1/leads",
        {
            "name": "Web Lead",
            "email": "Web@Lead.test",
            "message": "Hi",
            "referral_code": link.code,
            "utm": {"utm_source": "newsletter", "other": "dropped"},
            "page": "https://alpha.example/contact",
        },
        **_key(org_a),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["email"], body["source"], body["state"]) == (
        "Web Lead",
        "web@lead.test",
        "referral",
        "new",
    )
    assert body["referrer"] == {"kind": "client", "id": mark.pk, "name": "Mark Client"}
    assert body["utm"] == {"utm_source": "newsletter"} and body["page"] == "https://alpha.example/contact"
    run_tasks()  # the worker tells the lead navigators
    assert Notification.objects.filter(recipient=lead_navigator, kind="lead_received").count() == 1
    plain = _post(client, "/api/v1/leads", {"name": "Api Lead", "phone": "+525512345678"}, **_key(org_a))
    assert plain.json()["source"] == "api" and plain.json()["referrer"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "No Contact"}, "email"),
        ({"name": "Bad", "email": "nope"}, "email"),
        ({"name": "Bad", "email": "a@b.test", "referral_code": "unknown"}, "referral_code"),
        ({"name": "Bad", "email": "a@b.test", "source": "booking"}, "source"),
        ({"name": "Bad", "email": "a@b.test", "extra": 1}, "extra"),
    ],
)
def test_bad_leads_are_refused_naming_the_field(client, org_a, body, field):
    response = _post(client, "/api/v1/leads", body, **_key(org_a))
    assert response.status_code == 422, response.content
    assert field in {e["field"] for e in response.json()["extra"]["errors"]}
    assert not Lead.objects.exists()


def test_list_filters_and_keyset_pages(client, org_a, org_b, django_assert_num_queries):
    for i in range(27):
        lead_make(org_a, f"Lead{i:02d} Many", source="api" if i % 2 else "form")
    lead_make(org_b, "Beta Lead")
    headers = _key(org_a)
    client.get("/api/v1/leads", headers=headers)
    with django_assert_num_queries(2):  # the key (with its role), the page
        first = client.get("/api/v1/leads", headers=headers).json()
    assert len(first["items"]) == 25 and first["items"][0]["name"] == "Lead26 Many"
    second = client.get("/api/v1/leads", {"cursor": first["next_cursor"]}, headers=headers).json()
    assert [i["name"] for i in second["items"]] == ["Lead01 Many", "Lead00 Many"] and second["next_cursor"] is None
    api_only = client.get("/api/v1/leads", {"source": "api"}, headers=headers).json()["items"]
    assert len(api_only) == 13 and {i["source"] for i in api_only} == {"api"}
    assert client.get("/api/v1/leads", {"state": "bogus"}, headers=headers).status_code == 422


def test_read_and_convert_by_session_with_an_invitation(client, org_a):
    portal_set_up(org_a)
    client_make(org_a, "Same Person", email="lena@lead.test")
    lead = lead_make(org_a)
    client.force_login(org_a.admin)
    detail = client.get(f"/api/v1/leads/{lead.pk}", {"org": "alpha"}).json()
    assert detail["matching_clients"] == [Client.objects.get().pk]
    converted = _post(client, f"/api/v1/leads/{lead.pk}/convert?org=alpha", {"channel": "email"})
    assert converted.status_code == 200, converted.content
    body = converted.json()
    assert body["state"] == "converted" and body["client"] and body["converted_at"]
    assert Invitation.objects.get().client_id == body["client"]
    again = _post(client, f"/api/v1/leads/{lead.pk}/convert?org=alpha", {"channel": "none"})
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_convert_refused_by_the_invitation_changes_nothing(client, org_a):
    lead = lead_make(org_a)  # no portal set up
    response = _post(client, f"/api/v1/leads/{lead.pk}/convert", {"channel": "email"}, **_key(org_a))
    assert response.status_code == 400 and response.json()["code"] == "portal_not_set_up"
    lead.refresh_from_db()
    assert lead.state == "new" and not Client.objects.exists()
    ok = _post(client, f"/api/v1/leads/{lead.pk}/convert", {"channel": "none"}, **_key(org_a))
    assert ok.status_code == 200 and ok.json()["state"] == "converted"


def test_another_organizations_leads_are_404(client, org_a, org_b):
    theirs = lead_make(org_b)
    headers = _key(org_a)
    assert client.get(f"/api/v1/leads/{theirs.pk}", headers=headers).status_code == 404
    assert _post(client, f"/api/v1/leads/{theirs.pk}/convert", {"channel": "none"}, **headers).status_code == 404
    assert client.get("/api/v1/leads", {"org": "beta"}, headers=headers).status_code == 404
    client.force_login(org_a.admin)
    assert client.get(f"/api/v1/leads/{theirs.pk}", {"org": "alpha"}).status_code == 404
    assert client.get("/api/v1/leads", {"org": "beta"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == "new"


def test_leads_manage_is_needed(client, org_a):
    lead = lead_make(org_a)
    client.force_login(org_a.readonly)
    response = client.get("/api/v1/leads", {"org": "alpha"})
    assert response.status_code == 403 and "leads.manage" in response.json()["message"].lower() + json.dumps(
        response.json()
    )
    assert client.get(f"/api/v1/leads/{lead.pk}", {"org": "alpha"}).status_code == 403
    client.logout()
    assert client.get("/api/v1/leads").status_code == 401
