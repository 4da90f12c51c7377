"""Support operators see every organization and create new ones; nobody else can."""

from django.urls import reverse

from portico.audit.models import AuditAction, AuditEvent
from portico.orgs.models import Organization, StaffInvitation


def test_operators_list_every_organization(client, org_a, org_b, operator):
    client.force_login(operator)
    page = client.get(reverse("support_org_list")).content
    assert b"Alpha Org" in page and b"Beta Org" in page


def test_staff_cannot_open_support_pages(client, org_a):
    client.force_login(org_a.admin)
    assert client.get(reverse("support_org_list")).status_code == 403
    assert client.get(reverse("support_org_create")).status_code == 403


def test_creating_an_organization_invites_its_first_admin(client, operator):
    client.force_login(operator)
    response = client.post(
        reverse("support_org_create"),
        {"name": "Gamma Agency", "slug": "gamma", "language": "es", "admin_email": "boss@gamma.test"},
    )
    assert response.status_code == 302
    org = Organization.objects.get(slug="gamma")
    assert set(org.roles.values_list("name", flat=True)) == {"Administrador", "Navegador", "Ventas", "Solo lectura"}
    invitation = StaffInvitation.objects.get(org=org)
    assert invitation.email == "boss@gamma.test" and invitation.role.grants_all
    event = AuditEvent.objects.get(action=AuditAction.ORG_CREATED)
    assert (event.actor_kind, event.actor_user) == ("support", operator)


def test_a_taken_short_name_is_refused(client, org_a, operator):
    client.force_login(operator)
    response = client.post(
        reverse("support_org_create"), {"name": "X", "slug": "alpha", "language": "en", "admin_email": "a@b.test"}
    )
    assert response.status_code == 200 and "“alpha” is taken".encode() in response.content
    assert Organization.objects.count() == 1


def test_operator_actions_inside_an_organization_are_audited_as_support(client, org_a, operator):
    client.force_login(operator)
    client.post(reverse("role_create", args=["alpha"]), {"name": "Support-made", "permissions": []})
    event = AuditEvent.objects.get(action=AuditAction.ROLE_CREATED)
    assert (event.actor_kind, event.actor_user) == ("support", operator)


def test_the_django_admin_is_for_operators_only(client, org_a, operator):
    client.force_login(org_a.admin)
    assert client.get("/admin/").status_code == 302
    client.force_login(operator)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/audit/auditevent/").status_code == 200
