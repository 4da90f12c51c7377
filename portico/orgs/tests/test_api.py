"""The JSON API resolves the organization and permissions exactly like the pages."""

from django.urls import reverse

from portico.audit.models import AuditAction


def test_me_lists_the_role_and_permissions(client, org_a):
    client.force_login(org_a.readonly)
    data = client.get("/api/v1/o/alpha/me").json()
    assert data == {
        "email": "reader@alpha.test",
        "organization": "Alpha Org",
        "role": "Read-only",
        "permissions": ["clients.view", "customers.view"],
    }


def test_roles_need_the_permission_and_say_which(client, org_a):
    client.force_login(org_a.readonly)
    response = client.get("/api/v1/o/alpha/roles")
    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_missing",
        "message": "Manage roles",
        "extra": {"permission": "roles.manage"},
    }


def test_roles_with_the_permission(client, org_a):
    client.force_login(org_a.admin)
    roles = {r["name"]: r for r in client.get("/api/v1/o/alpha/roles").json()}
    assert set(roles) == {"Admin", "Navigator", "Sales", "Read-only"}
    assert roles["Admin"]["member_count"] == 1 and roles["Read-only"]["permissions"] == [
        "clients.view",
        "customers.view",
    ]


def test_another_organization_is_404_not_403(client, org_a, org_b):
    client.force_login(org_b.admin)
    for path in ("/api/v1/o/alpha/me", "/api/v1/o/alpha/roles", "/api/v1/o/alpha/audit"):
        response = client.get(path)
        assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_anonymous_is_401(client, org_a):
    assert client.get("/api/v1/o/alpha/me").status_code == 401


def test_audit_feed_is_scoped_and_filterable(client, org_a, org_b):
    client.force_login(org_a.admin)
    page = client.get("/api/v1/o/alpha/audit").json()
    events = page["items"]
    assert events and all(e["action"] for e in events) and page["next_cursor"] is None
    assert {e["target_label"] for e in events}.isdisjoint({"Beta Org"})
    created = client.get("/api/v1/o/alpha/audit", {"action": AuditAction.ORG_CREATED}).json()["items"]
    assert [e["target_label"] for e in created] == ["Alpha Org"]
    assert reverse("api:openapi-json")
