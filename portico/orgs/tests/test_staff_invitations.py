"""Staff invitations: one-time links, stored hashed, expiring, consumed exactly once."""

import datetime as dt
import hashlib
import threading

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from portico.accounts.models import User
from portico.audit.models import AuditAction, AuditEvent
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.orgs.actions import (
    staff_invitation_accept,
    staff_invitation_resend,
    staff_invitation_revoke,
    staff_invitation_send,
)
from portico.orgs.models import Membership, StaffInvitation, StaffInvitationStatus
from testing.world import PASSWORD, last_link, run_tasks


def _invite(world, email="newbie@x.test", role="Navigator"):
    return staff_invitation_send(
        org=world.org, actor=Actor(kind="staff", user=world.admin), email=email, role=world.roles[role]
    )


def _token(link):
    return link.rstrip("/").rsplit("/", 1)[-1]


def _send_and_deliver(world, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(world, **kwargs)
    run_tasks()
    return invitation, last_link(invitation.email)


def test_it_sends_a_one_time_link_by_email_and_stores_only_its_hash(
    org_a, django_capture_on_commit_callbacks, mailoutbox
):
    invitation, link = _send_and_deliver(org_a, django_capture_on_commit_callbacks)
    token = _token(link)
    assert len(token) >= 43  # 32 random bytes, base64url
    assert invitation.token_digest == hashlib.sha256(token.encode()).hexdigest()
    assert not StaffInvitation.objects.filter(token_digest=token).exists()
    assert mailoutbox[0].subject == "You are invited to join Alpha Org on Portico"
    assert AuditEvent.objects.filter(
        org=org_a.org, action=AuditAction.STAFF_INVITED, target_id=str(invitation.pk)
    ).exists()


def test_the_form_posts_the_invitation(client, org_a, django_capture_on_commit_callbacks):
    client.force_login(org_a.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("staff_invite", args=["alpha"]), {"email": "Someone@X.test", "role": org_a.roles["Sales"].pk}
        )
    assert response.status_code == 302
    invitation = StaffInvitation.objects.get(org=org_a.org)
    assert (invitation.email, invitation.role.name) == ("someone@x.test", "Sales")


def test_it_refuses_an_address_that_is_already_staff_or_already_invited(org_a):
    with pytest.raises(PorticoError, match="already a staff member"):
        _invite(org_a, email=org_a.readonly.email.upper())
    _invite(org_a)
    with pytest.raises(PorticoError, match="already has a pending invitation"):
        _invite(org_a)


def test_get_shows_a_confirmation_page_and_does_not_consume(client, org_a, django_capture_on_commit_callbacks):
    invitation, link = _send_and_deliver(org_a, django_capture_on_commit_callbacks)
    for _ in range(2):
        response = client.get(link)
        assert response.status_code == 200
        assert b"Join Alpha Org" in response.content
    invitation.refresh_from_db()
    assert invitation.status == StaffInvitationStatus.PENDING


def test_post_creates_the_account_signs_in_and_the_link_then_stops_working(
    client, org_a, django_capture_on_commit_callbacks
):
    _, link = _send_and_deliver(org_a, django_capture_on_commit_callbacks)
    form = {"full_name": "Nora New", "password1": PASSWORD, "password2": PASSWORD}
    response = client.post(link, form)
    assert response.status_code == 302 and response["Location"] == reverse("org_dashboard", args=["alpha"])
    user = User.objects.get(email="newbie@x.test")
    assert user.full_name == "Nora New" and user.check_password(PASSWORD)
    assert Membership.objects.get(org=org_a.org, user=user).role.name == "Navigator"
    assert client.get(reverse("org_dashboard", args=["alpha"])).status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.STAFF_INVITATION_ACCEPTED)
    assert (event.actor_user, event.from_state, event.to_state) == (user, "pending", "accepted")

    client.logout()
    assert client.get(link).status_code == 404
    assert client.post(link, form).status_code == 404


def test_a_weak_or_mismatched_password_is_refused_and_nothing_changes(
    client, org_a, django_capture_on_commit_callbacks
):
    _, link = _send_and_deliver(org_a, django_capture_on_commit_callbacks)
    response = client.post(link, {"full_name": "N", "password1": "12345678", "password2": "12345678"})
    assert response.status_code == 200 and b"too common" in response.content
    response = client.post(link, {"full_name": "N", "password1": PASSWORD, "password2": PASSWORD + "x"})
    assert b"The two passwords differ" in response.content
    assert not User.objects.filter(email="newbie@x.test").exists()
    assert StaffInvitation.objects.get().status == StaffInvitationStatus.PENDING


def test_it_expires(client, org_a, django_capture_on_commit_callbacks):
    invitation, link = _send_and_deliver(org_a, django_capture_on_commit_callbacks)
    with time_machine.travel(invitation.expires_at + dt.timedelta(seconds=1)):
        assert client.get(link).status_code == 404
        with pytest.raises(PorticoError, match="invalid, expired or already used"):
            staff_invitation_accept(raw_token=_token(link), actor=Actor.system(), password=PASSWORD)
        assert StaffInvitation.objects.get().display_status == "Expired"


def test_resending_replaces_the_link_and_goes_to_the_original_address(
    org_a, django_capture_on_commit_callbacks, mailoutbox
):
    invitation, first = _send_and_deliver(org_a, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        staff_invitation_resend(invitation=invitation, actor=Actor(kind="staff", user=org_a.admin))
    run_tasks()
    second = last_link("newbie@x.test")
    assert second != first and [m.to for m in mailoutbox] == [["newbie@x.test"], ["newbie@x.test"]]
    with pytest.raises(PorticoError):
        staff_invitation_accept(raw_token=_token(first), actor=Actor.system(), password=PASSWORD)
    staff_invitation_accept(raw_token=_token(second), actor=Actor.system(), password=PASSWORD)


def test_a_revoked_link_does_not_work_and_revoking_twice_is_refused(org_a, django_capture_on_commit_callbacks):
    invitation, link = _send_and_deliver(org_a, django_capture_on_commit_callbacks)
    staff_invitation_revoke(invitation=invitation, actor=Actor(kind="staff", user=org_a.admin))
    with pytest.raises(PorticoError):
        staff_invitation_accept(raw_token=_token(link), actor=Actor.system(), password=PASSWORD)
    invitation.refresh_from_db()
    with pytest.raises(PorticoError, match="Cannot revoke"):
        staff_invitation_revoke(invitation=invitation, actor=Actor(kind="staff", user=org_a.admin))
    assert AuditEvent.objects.filter(action=AuditAction.STAFF_INVITATION_REVOKED).count() == 1


def test_an_existing_account_signs_in_first_then_accepts(client, org_a, org_b, django_capture_on_commit_callbacks):
    # org_b's admin is invited to org_a: they keep one login for both organizations.
    _, link = _send_and_deliver(org_a, django_capture_on_commit_callbacks, email=org_b.admin.email)
    response = client.get(link)
    assert b"You already have a Portico account" in response.content
    client.force_login(org_b.admin)
    response = client.post(link)
    assert response.status_code == 302
    assert Membership.objects.filter(org=org_a.org, user=org_b.admin).exists()
    assert client.get(reverse("org_dashboard", args=["alpha"])).status_code == 200
    assert client.get(reverse("org_dashboard", args=["beta"])).status_code == 200


def test_a_signed_in_user_with_another_address_cannot_take_the_invitation(
    client, org_a, org_b, django_capture_on_commit_callbacks
):
    _, link = _send_and_deliver(org_a, django_capture_on_commit_callbacks)
    client.force_login(org_b.readonly)
    client.post(link)
    assert not Membership.objects.filter(org=org_a.org, user=org_b.readonly).exists()
    assert StaffInvitation.objects.get().status == StaffInvitationStatus.PENDING


@pytest.mark.django_db(transaction=True)
def test_two_parallel_accepts_of_one_link_let_exactly_one_succeed(org_a, django_capture_on_commit_callbacks):
    if connection.vendor == "sqlite":
        pytest.skip("needs a database that serves two connections at once (runs on PostgreSQL)")
    invitation = _invite(org_a)
    run_tasks()
    token = _token(last_link(invitation.email))
    barrier = threading.Barrier(2)
    results: list[str] = []

    def accept(name):
        from django.db import connection as thread_connection

        barrier.wait()
        try:
            staff_invitation_accept(raw_token=token, actor=Actor.system(), full_name=name, password=PASSWORD)
            results.append("ok")
        except PorticoError:
            results.append("refused")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=accept, args=(f"T{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "refused"]
    assert User.objects.filter(email="newbie@x.test").count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.STAFF_INVITATION_ACCEPTED).count() == 1


def test_expiry_is_seven_days_by_default(org_a):
    invitation = _invite(org_a)
    assert abs((invitation.expires_at - timezone.now()) - dt.timedelta(days=7)) < dt.timedelta(minutes=1)


def test_the_raw_token_is_in_no_readable_row_and_staff_cannot_read_the_link(
    client, org_a, django_capture_on_commit_callbacks
):
    # A role that may read Sent messages must not be able to take an Admin invitation from there.
    from portico.outbox.models import MailboxEntry, OutboxMessage

    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(org_a, role="Admin")
    message = OutboxMessage.objects.get(org=org_a.org)
    assert "/join/" not in message.body_text and "/join/" not in message.body_html
    run_tasks()
    token = _token(last_link(invitation.email))
    message.refresh_from_db()
    assert message.state == "sent" and "secrets" not in message.payload
    assert token not in str(message.payload) + message.body_text + message.body_html
    assert not MailboxEntry.objects.exists()  # production mail backends keep nothing here
    client.force_login(org_a.admin)
    page = client.get(reverse("message_detail", args=["alpha", message.pk])).content.decode()
    assert token not in page and "[one-time link, hidden]" in page


def test_a_person_deactivated_everywhere_can_still_sign_in_to_accept_a_new_invitation(
    client, org_a, org_b, django_capture_on_commit_callbacks
):
    from portico.orgs.actions import membership_deactivate

    membership_deactivate(membership=org_b.membership(org_b.readonly), actor=Actor(kind="staff", user=org_b.admin))
    _, link = _send_and_deliver(org_a, django_capture_on_commit_callbacks, email=org_b.readonly.email)
    response = client.post(reverse("account_login"), {"login": org_b.readonly.email, "password": PASSWORD})
    assert response.status_code == 302
    client.post(link)
    assert Membership.objects.get(org=org_a.org, user=org_b.readonly).is_active


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["not-an-address", "  ", "two@@x.test"])
def test_a_bad_address_is_refused_and_nothing_is_sent(org_a, email):
    with pytest.raises(PorticoError) as refused:
        _invite(org_a, email=email)
    assert refused.value.extra == {"field": "email"}
    assert not StaffInvitation.objects.exists()


@pytest.mark.django_db
def test_the_address_is_stored_as_every_other_address_is(org_a):
    assert _invite(org_a, email="  Newbie@X.Test ").email == "newbie@x.test"
