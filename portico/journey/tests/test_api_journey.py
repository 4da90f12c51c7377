"""/api/v1/clients/{id}/journey and /api/v1/journey/board: progress per client and the board's
counts, with an API key or a session; another organization's client is a 404."""

from __future__ import annotations

import pytest

from portico.core.actors import Actor
from portico.journey.tests.helpers import accept, estimate_make, estimate_move, invite
from portico.orgs.actions import api_key_create
from testing.world import client_make, portal_set_up

pytestmark = pytest.mark.django_db


def _key(world, role: str = "Read-only") -> dict[str, str]:
    _, raw = api_key_create(org=world.org, actor=Actor.system(), name="Reports", role=world.roles[role])
    return {"Authorization": f"Bearer {raw}"}


def test_a_clients_progress(client, org_a):
    portal_set_up(org_a)
    eve = client_make(org_a, "Eve Estimate")
    estimate_move(estimate_make(org_a, eve), "send")
    invite(org_a, eve)
    accept(eve)
    response = client.get(f"/api/v1/clients/{eve.pk}/journey", headers=_key(org_a))
    assert response.status_code == 200
    data = response.json()
    assert (data["started"], data["current_step"], data["stalled"], data["source"]) == (
        True,
        "estimate",
        False,
        "direct",
    )
    assert [(s["key"], s["done"], s["current"]) for s in data["steps"]] == [
        ("invite", True, False),
        ("account", True, False),
        ("estimate", False, True),
    ]
    assert data["steps"][1]["at"] is not None and data["steps"][2]["at"] is None


def test_a_client_not_invited_has_no_journey(client, org_a):
    mark = client_make(org_a)
    data = client.get(f"/api/v1/clients/{mark.pk}/journey", headers=_key(org_a)).json()
    assert data == {**data, "started": False, "steps": [], "current_step": None}


def test_with_a_session(client, org_a):
    mark = invite(org_a)
    client.force_login(org_a.readonly)
    response = client.get(f"/api/v1/clients/{mark.pk}/journey", {"org": org_a.org.slug})
    assert response.status_code == 200 and response.json()["current_step"] == "account"


def test_another_organizations_client_is_a_404(client, org_a, org_b):
    theirs = invite(org_b)
    response = client.get(f"/api/v1/clients/{theirs.pk}/journey", headers=_key(org_a))
    assert response.status_code == 404
    client.force_login(org_a.admin)
    assert client.get(f"/api/v1/clients/{theirs.pk}/journey", {"org": org_a.org.slug}).status_code == 404


def test_the_board_counts(client, org_a, org_b):
    invite(org_a)
    accept(invite(org_a, name="Carl Complete", email="carl@example.test"))
    invite(org_b)
    data = client.get("/api/v1/journey/board", headers=_key(org_a)).json()
    counts = {c["step"]: c["count"] for c in data["columns"]}
    assert counts == {"invite": 0, "account": 1, "estimate": 0, "agreement": 0, "payment": 0}
    assert data["complete"] == 1


def test_a_key_without_clients_view_is_refused(client, org_a):
    from portico.orgs.actions import role_create

    role = role_create(org=org_a.org, actor=Actor.system(), name="Nothing", permissions=[])
    _, raw = api_key_create(org=org_a.org, actor=Actor.system(), name="None", role=role)
    mark = invite(org_a)
    response = client.get(f"/api/v1/clients/{mark.pk}/journey", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 403
