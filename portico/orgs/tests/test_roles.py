"""Admins create, edit and delete roles in the UI; every change is audited."""

import pytest
from django.urls import reverse

from portico.audit.models import AuditAction, AuditEvent
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.orgs.actions import role_create, role_delete, role_update
from portico.orgs.models import Role
from portico.orgs.permissions import ALL, HELP, SECTIONS, Permission


def _admin(world):
    return Actor(kind="staff", user=world.admin)


def test_the_catalogue_has_a_label_help_text_and_section_for_every_permission():
    in_sections = [p for _, perms in SECTIONS for p in perms]
    assert sorted(in_sections) == sorted(Permission) and len(in_sections) == len(set(in_sections))
    assert set(HELP) == set(Permission)
    assert Permission.CLIENTS_DELETE.label == "Delete Clients"
    assert Permission.CLIENTS_CHANGE_CASE_NUMBER.label == "Case Numbers"
    assert Permission.INVITATIONS_SEND.label == "Client Account Invitations"


def test_a_new_organization_gets_the_default_roles(org_a):
    assert set(org_a.roles) == {"Admin", "Navigator", "Sales", "Read-only"}
    assert org_a.roles["Admin"].permission_set == ALL
    assert org_a.roles["Read-only"].permission_set == {"clients.view", "customers.view"}


def test_creating_a_role_from_the_form(client, org_a):
    client.force_login(org_a.admin)
    response = client.get(reverse("role_create", args=["alpha"]))
    assert b"Delete Clients" in response.content and b"Delete client records." in response.content
    response = client.post(
        reverse("role_create", args=["alpha"]),
        {"name": "Intake", "description": "Front desk", "permissions": ["clients.view", "clients.create"]},
    )
    assert response.status_code == 302
    role = Role.objects.get(org=org_a.org, name="Intake")
    assert role.permission_set == {"clients.view", "clients.create"}
    event = AuditEvent.objects.get(action=AuditAction.ROLE_CREATED)
    assert (event.org, event.actor_user, event.target_label) == (org_a.org, org_a.admin, "Intake")


def test_unknown_permissions_and_duplicate_names_are_refused(client, org_a):
    client.force_login(org_a.admin)
    response = client.post(reverse("role_create", args=["alpha"]), {"name": "X", "permissions": ["clients.fly"]})
    assert response.status_code == 200 and b"not one of the available choices" in response.content
    response = client.post(reverse("role_create", args=["alpha"]), {"name": "sales", "permissions": []})
    assert b"already exists" in response.content
    assert Role.objects.filter(org=org_a.org).count() == 4


def test_editing_records_what_was_added_and_removed(org_a):
    role = org_a.roles["Read-only"]
    role_update(role=role, actor=_admin(org_a), name="Viewer", permissions=["audit.view"])
    event = AuditEvent.objects.get(action=AuditAction.ROLE_CHANGED)
    assert event.detail == {
        "name": {"from": "Read-only", "to": "Viewer"},
        "added": ["audit.view"],
        "removed": ["clients.view", "customers.view"],
    }


def test_the_same_name_may_exist_in_another_organization(org_a, org_b):
    role_create(org=org_b.org, actor=_admin(org_b), name="Intake", permissions=[])
    role_create(org=org_a.org, actor=_admin(org_a), name="Intake", permissions=[])


def test_a_role_in_use_or_the_admin_role_cannot_be_deleted(org_a):
    with pytest.raises(PorticoError, match="still use"):
        role_delete(role=org_a.roles["Read-only"], actor=_admin(org_a))
    with pytest.raises(PorticoError, match="cannot be deleted"):
        role_delete(role=org_a.roles["Admin"], actor=_admin(org_a))
    assert Role.objects.filter(org=org_a.org).count() == 4


def test_deleting_asks_for_confirmation_then_deletes(client, org_a):
    client.force_login(org_a.admin)
    role = org_a.roles["Sales"]
    response = client.get(reverse("role_delete", args=["alpha", role.pk]))
    assert b"Delete the role" in response.content and Role.objects.filter(pk=role.pk).exists()
    response = client.post(reverse("role_delete", args=["alpha", role.pk]))
    assert response.status_code == 302 and not Role.objects.filter(pk=role.pk).exists()
    assert AuditEvent.objects.get(action=AuditAction.ROLE_DELETED).target_label == "Sales"


def test_removing_admin_powers_from_the_only_admins_role_is_refused(org_a):
    admin_role = org_a.roles["Admin"]
    # Admin has grants_all; make a custom admin role and strip it while it is the only one.
    custom = role_create(org=org_a.org, actor=_admin(org_a), name="Boss", permissions=["roles.manage", "staff.manage"])
    from portico.orgs.actions import membership_change_role

    membership_change_role(membership=org_a.membership(org_a.admin), role=custom, actor=_admin(org_a))
    with pytest.raises(PorticoError, match="nobody who can manage"):
        role_update(role=custom, actor=_admin(org_a), name="Boss", permissions=["roles.manage"])
    custom.refresh_from_db()
    assert custom.permission_set == {"roles.manage", "staff.manage"}
    assert admin_role.grants_all


def test_role_list_queries_do_not_grow_with_roles(client, org_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(org_a.admin)
    url = reverse("role_list", args=["alpha"])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(20):
        role_create(org=org_a.org, actor=_admin(org_a), name=f"R{i}", permissions=["clients.view"])
    with CaptureQueriesContext(connection) as many:
        assert b"R19" in client.get(url).content
    assert len(many) == len(few)


def test_nobody_grants_more_than_their_own_role_holds(org_a):
    from portico.orgs.actions import membership_add, membership_change_role, staff_invitation_send
    from testing.world import user_create

    keeper = user_create("keeper@alpha.test")
    hr = role_create(org=org_a.org, actor=_admin(org_a), name="HR", permissions=["staff.manage", "roles.manage"])
    membership_add(org=org_a.org, user=keeper, role=hr, actor=_admin(org_a))
    actor = Actor(kind="staff", user=keeper)
    with pytest.raises(PorticoError, match="Your role lacks"):
        membership_change_role(membership=org_a.membership(keeper), role=org_a.roles["Admin"], actor=actor)
    with pytest.raises(PorticoError, match="Your role lacks"):
        staff_invitation_send(org=org_a.org, actor=actor, email="x@x.test", role=org_a.roles["Admin"])
    with pytest.raises(PorticoError, match="Your role lacks"):
        role_update(role=hr, actor=actor, name="HR", permissions=["staff.manage", "roles.manage", "clients.delete"])
    with pytest.raises(PorticoError, match="Your role lacks"):
        role_create(org=org_a.org, actor=actor, name="Sneaky", permissions=["org.settings"])
    # Within their own powers all is fine.
    staff_invitation_send(org=org_a.org, actor=actor, email="y@x.test", role=hr)
    assert org_a.membership(keeper).role == hr
