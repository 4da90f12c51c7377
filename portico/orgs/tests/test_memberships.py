"""Changing a staff member's role, deactivating (sessions end, no sign-in) and reactivating."""

import pytest
from django.test import Client
from django.urls import reverse

from portico.audit.models import AuditAction, AuditEvent
from portico.core.actors import Actor
from portico.core.errors import InvalidTransition, PorticoError
from portico.orgs.actions import membership_change_role, membership_deactivate, membership_reactivate
from portico.orgs.models import MembershipStatus
from testing.world import PASSWORD


def _admin(world):
    return Actor(kind="staff", user=world.admin)


def _signed_in_client(user):
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


def test_changing_the_role_changes_what_they_may_do(client, org_a):
    client.force_login(org_a.admin)
    membership = org_a.membership(org_a.readonly)
    response = client.post(
        reverse("staff_detail", args=["alpha", membership.pk]), {"role": org_a.roles["Navigator"].pk}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role.name == "Navigator"
    event = AuditEvent.objects.get(action=AuditAction.STAFF_ROLE_CHANGED)
    assert event.detail == {"from": "Read-only", "to": "Navigator"}


def test_deactivating_ends_their_sessions_at_once_and_refuses_sign_in(org_a):
    membership = org_a.membership(org_a.readonly)
    reader = _signed_in_client(org_a.readonly)
    assert reader.get(reverse("org_dashboard", args=["alpha"])).status_code == 200

    membership_deactivate(membership=membership, actor=_admin(org_a))

    # The open session is gone: the next request is anonymous.
    response = reader.get(reverse("org_dashboard", args=["alpha"]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    response = Client().post(
        reverse("account_login"), {"login": org_a.readonly.email, "password": PASSWORD}, follow=True
    )
    assert b"Your access has been deactivated" in response.content
    assert not response.context["user"].is_authenticated
    event = AuditEvent.objects.get(action=AuditAction.STAFF_DEACTIVATED)
    assert (event.from_state, event.to_state, event.detail["sessions_ended"]) == ("active", "deactivated", 1)


def test_a_deactivated_member_of_one_org_keeps_their_other_org(org_a, org_b):
    from portico.orgs.actions import membership_add

    membership_add(org=org_b.org, user=org_a.readonly, role=org_b.roles["Sales"], actor=Actor.system())
    membership_deactivate(membership=org_a.membership(org_a.readonly), actor=_admin(org_a))
    client = _signed_in_client(org_a.readonly)
    assert client.get(reverse("org_dashboard", args=["alpha"])).status_code == 404
    assert client.get(reverse("org_dashboard", args=["beta"])).status_code == 200


def test_reactivating_restores_access(org_a):
    membership = org_a.membership(org_a.readonly)
    membership_deactivate(membership=membership, actor=_admin(org_a))
    membership_reactivate(membership=membership, actor=_admin(org_a))
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE
    _signed_in_client(org_a.readonly)


def test_invalid_moves_are_refused_and_change_nothing(org_a):
    membership = org_a.membership(org_a.readonly)
    with pytest.raises(InvalidTransition, match="Cannot reactivate: the staff membership is active"):
        membership_reactivate(membership=membership, actor=_admin(org_a))
    assert not AuditEvent.objects.filter(action=AuditAction.STAFF_REACTIVATED).exists()


def test_you_cannot_deactivate_yourself(org_a):
    with pytest.raises(PorticoError, match="yourself"):
        membership_deactivate(membership=org_a.membership(org_a.admin), actor=_admin(org_a))


def test_the_last_admin_cannot_be_demoted(client, org_a):
    client.force_login(org_a.admin)
    admin_membership = org_a.membership(org_a.admin)
    response = client.post(
        reverse("staff_detail", args=["alpha", admin_membership.pk]), {"role": org_a.roles["Read-only"].pk}, follow=True
    )
    assert b"would leave nobody who can manage staff and roles" in response.content
    admin_membership.refresh_from_db()
    assert admin_membership.role.name == "Admin"
    assert not AuditEvent.objects.filter(action=AuditAction.STAFF_ROLE_CHANGED).exists()


def test_the_deactivate_button_posts_and_redirects_with_a_message(client, org_a):
    client.force_login(org_a.admin)
    membership = org_a.membership(org_a.readonly)
    response = client.post(reverse("staff_deactivate", args=["alpha", membership.pk]), follow=True)
    assert b"can no longer open Alpha Org" in response.content
    assert client.get(reverse("staff_deactivate", args=["alpha", membership.pk])).status_code == 405


def test_roles_from_another_org_are_refused(org_a, org_b):
    with pytest.raises(PorticoError):
        membership_change_role(
            membership=org_a.membership(org_a.readonly), role=org_b.roles["Admin"], actor=_admin(org_a)
        )


@pytest.mark.django_db(transaction=True)
def test_two_admins_removing_each_other_at_once_leave_one(org_a):
    import threading

    from django.db import connection

    from portico.orgs.actions import membership_add

    if connection.vendor == "sqlite":
        pytest.skip("needs concurrent connections (runs on PostgreSQL)")
    from testing.world import user_create

    second = user_create("second@alpha.test")
    membership_add(org=org_a.org, user=second, role=org_a.roles["Admin"], actor=Actor.system())
    barrier = threading.Barrier(2)
    results = []

    def remove(actor_user, target_user):
        from django.db import connection as thread_connection

        barrier.wait()
        try:
            membership_deactivate(membership=org_a.membership(target_user), actor=Actor(kind="staff", user=actor_user))
            results.append("ok")
        except PorticoError:
            results.append("refused")
        finally:
            thread_connection.close()

    threads = [
        threading.Thread(target=remove, args=(org_a.admin, second)),
        threading.Thread(target=remove, args=(second, org_a.admin)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "refused"]
