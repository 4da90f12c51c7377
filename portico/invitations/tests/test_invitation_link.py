"""The invitation link, as the client uses it: the welcome page, account creation by password
or by emailed code, an existing account choosing its profile, expired links and new links."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from portico.accounts.models import User
from portico.audit.models import AuditAction, AuditEvent
from portico.clients.models import ClientStatus, Profile
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.invitations import actions
from portico.invitations.models import Delivery, Invitation, InvitationEvent
from testing.world import PASSWORD, client_make, portal_set_up, user_create

pytestmark = pytest.mark.django_db


def invite(world, deliver, name="Mark Client", **fields):
    portal_set_up(world, services="Bookkeeping\nTax returns")
    record = client_make(world, name, **fields)
    with deliver():
        actions.invitation_send(client=record, actor=Actor.system(), channel=fields.pop("channel", "email"))
    return record, link_to(record.email)


def link_to(address: str) -> str:
    for message in reversed(mail.outbox):
        if address in message.to:
            return (
                re.search(r"https?://\S+/invite/[\w-]+/", str(message.body)).group(0).replace("http://testserver", "")
            )
    raise AssertionError(f"no invitation to {address}")


def test_get_shows_branded_welcome_and_changes_nothing(client, org_a, deliver):
    _record, link = invite(org_a, deliver)
    before = list(Invitation.objects.values())
    page = client.get(link)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Alpha Org Portal" in text and "Welcome, Mark Client" in text and "Bookkeeping" in text
    assert 'value="mark@example.test"' in text  # the username, fixed
    assert list(Invitation.objects.values()) == before  # a mail scanner's GET consumes nothing
    # The page's script reports that a person opened it.
    assert client.post(link + "opened/").status_code == 204
    invitation = Invitation.objects.get()
    assert invitation.opened_at is not None and invitation.delivery == Delivery.OPENED
    assert InvitationEvent.objects.filter(kind=Delivery.OPENED).count() == 1
    client.post(link + "opened/")
    assert InvitationEvent.objects.filter(kind=Delivery.OPENED).count() == 1


def test_password_account_lands_on_portal_home(client, org_a, deliver):
    record, link = invite(org_a, deliver)
    response = client.post(
        link, {"full_name": "Mark C", "password1": PASSWORD, "password2": PASSWORD, "method": "password"}
    )
    # On to the next step ("continue"): with no estimate or other step to do, the portal home.
    assert response.status_code == 302 and response.url == reverse("portal_continue", args=["alpha"])
    home = client.get(response.url, follow=True).content.decode()
    assert "Hello, Mark C" in home and "Make a request" in home and "Tax returns" in home
    assert record.case_number in home  # their data, prefilled from the record
    record.refresh_from_db()
    assert record.status == ClientStatus.ACTIVE
    # The link is used: opening it again shows the friendly page, not the form.
    client.logout()
    again = client.get(link)
    assert again.status_code == 410 and "already used" in again.content.decode()
    # Signing in later by password works and goes to the portal.
    login = client.post(reverse("account_login"), {"login": "mark@example.test", "password": PASSWORD})
    assert login.status_code == 302 and login.url == reverse("portal_home")


def test_weak_password_is_refused_with_message(client, org_a, deliver):
    _, link = invite(org_a, deliver)
    response = client.post(link, {"full_name": "Mark", "password1": "12345678", "password2": "12345678"})
    assert response.status_code == 200 and "password" in response.content.decode().lower()
    assert not User.objects.filter(email="mark@example.test").exists()


def test_email_me_a_code_instead(client, org_a, deliver):
    _record, link = invite(org_a, deliver)
    with deliver():
        response = client.post(link, {"full_name": "Mark", "method": "code"})
    next_step = reverse("portal_continue", args=["alpha"])
    assert response.status_code == 302 and response.url == f"{reverse('account_confirm_login_code')}?next={next_step}"
    user = User.objects.get(email="mark@example.test")
    assert not user.has_usable_password()
    message = [m for m in mail.outbox if "mark@example.test" in m.to][-1]
    code = re.search(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}\b", str(message.body)).group(0)
    assert f'value="{next_step}"' in client.get(response.url).content.decode()  # the form carries it on
    done = client.post(reverse("account_confirm_login_code"), {"code": code, "next": next_step})
    assert done.status_code == 302 and done.url == next_step
    assert client.get(reverse("portal_home"), follow=True).request["PATH_INFO"] == reverse(
        "portal_org_home", args=["alpha"]
    )


def test_existing_account_signs_in_and_chooses_a_profile(client, org_a, org_b, deliver):
    person = user_create("mark@example.test", name="Mark")
    mine = Profile.objects.create(full_name="Mark (family)", email="mark@example.test", organizer=person)
    record, link = invite(org_b, deliver)
    page = client.get(link).content.decode()
    assert "Sign in to accept" in page
    client.force_login(person)
    page = client.get(link).content.decode()
    assert "Link my existing profile: Mark (family)" in page and "Create a new profile" in page
    response = client.post(link, {"profile": str(mine.pk)})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.profile == mine and record.status == ClientStatus.ACTIVE


def test_signed_in_as_someone_else_is_told_to_sign_out(client, org_a, deliver):
    _, link = invite(org_a, deliver)
    client.force_login(org_a.readonly)
    page = client.get(link).content.decode()
    assert "Sign out, then open the link again" in page
    client.post(link)
    assert Invitation.objects.get().status == "pending"


def test_expired_link_offers_a_new_link_to_the_address_on_file(client, org_a, deliver):
    _record, link = invite(org_a, deliver)
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        page = client.get(link)
        assert page.status_code == 410 and "Send me a new link" in page.content.decode()
        with deliver():
            response = client.post(link + "new-link/")
        assert "on its way" in response.content.decode()
        fresh = link_to("mark@example.test")
        assert fresh != link
        assert client.get(fresh).status_code == 200
        limited = client.post(link + "new-link/")
        assert limited.status_code == 400 and "a few minutes ago" in limited.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_NEW_LINK_REQUESTED).count() == 1


def test_unknown_link_is_404_and_revoked_link_cannot_ask_for_new(client, org_a, deliver):
    assert client.get("/invite/not-a-token/").status_code == 404
    _, link = invite(org_a, deliver)
    actions.invitation_revoke(invitation=Invitation.objects.get(), actor=Actor.system())
    page = client.get(link)
    assert page.status_code == 410 and "Send me a new link" not in page.content.decode()
    assert client.post(link + "new-link/").status_code == 400


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_accepts_make_exactly_one_account(org_a, django_capture_on_commit_callbacks):
    if connection.vendor == "sqlite":
        pytest.skip("needs a database that serves parallel connections (runs on PostgreSQL)")
    from testing.world import run_tasks

    portal_set_up(org_a)
    record = client_make(org_a)
    with django_capture_on_commit_callbacks(execute=True):
        actions.invitation_send(client=record, actor=Actor.system())
    run_tasks()
    token = link_to("mark@example.test").split("/")[-2]
    barrier = threading.Barrier(20)
    results: list[str] = []

    def accept(i: int) -> None:
        from django.db import connection as thread_connection

        barrier.wait()
        try:
            actions.invitation_accept(raw_token=token, actor=Actor.system(), full_name=f"T{i}", password=PASSWORD)
            results.append("ok")
        except PorticoError:
            results.append("refused")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=accept, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok"] + ["refused"] * 19
    assert User.objects.filter(email="mark@example.test").count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_ACCEPTED).count() == 1
    assert Profile.objects.filter(organizer__email="mark@example.test").count() == 1
