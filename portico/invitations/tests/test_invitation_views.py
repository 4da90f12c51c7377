"""Staff pages: the Share → Client Account Invitation form, resend, revoke, portal status."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portico.clients.models import ClientStatus
from portico.core.actors import Actor
from portico.invitations import actions
from portico.invitations.models import Invitation, InvitationStatus
from portico.portal.models import PortalAccount, PortalAccountStatus
from testing.world import PASSWORD, client_make, portal_set_up

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


def test_share_button_and_options_only_when_portal_set_up(client, org_a):
    record = client_make(org_a)
    signed_in(client, org_a.admin)
    url = reverse("client_detail", args=["alpha", record.pk])
    assert b"Client Account Invitation" not in client.get(url).content
    response = client.get(reverse("client_invite", args=["alpha", record.pk]))
    assert response.status_code in (302, 400)  # refused with a message: not set up
    portal_set_up(org_a)
    page = client.get(url).content.decode()
    assert "Share" in page and "Client Account Invitation" in page
    assert "Send Client Invitation" in client.get(url + "?section=options").content.decode()


def test_send_form_previews_and_needs_confirmation(client, org_a, deliver):
    portal_set_up(org_a, services="Tax filing\nPayroll")
    record = client_make(org_a)
    signed_in(client, org_a.admin)
    url = reverse("client_invite", args=["alpha", record.pk])
    page = client.get(url).content.decode()
    assert "mark@example.test" in page and "username" in page
    assert "Alpha Org Portal" in page  # the branded preview
    response = client.post(url, {"channel": "email"})
    assert response.status_code == 200 and not Invitation.objects.exists()
    with deliver():
        response = client.post(url, {"channel": "email", "confirm": "on"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == ClientStatus.INVITE_SENT
    detail = client.get(reverse("client_detail", args=["alpha", record.pk])).content.decode()
    assert "Client Portal Invitation Sent" in detail and "mark@example.test" in detail


def test_refusal_shown_for_client_without_email(client, org_a):
    portal_set_up(org_a)
    record = client_make(org_a, "Nomail", email="")
    signed_in(client, org_a.admin)
    url = reverse("client_invite", args=["alpha", record.pk])
    assert "no email address" in client.get(url).content.decode()
    client.post(url, {"channel": "email", "confirm": "on"})
    assert not Invitation.objects.exists()


def test_readonly_cannot_send_resend_or_revoke(client, org_a):
    portal_set_up(org_a)
    record = client_make(org_a)
    invitation = actions.invitation_send(client=record, actor=Actor.system())
    signed_in(client, org_a.readonly)
    assert client.get(reverse("client_invite", args=["alpha", record.pk])).status_code == 403
    assert client.post(reverse("invitation_resend", args=["alpha", invitation.pk])).status_code == 403
    assert client.post(reverse("invitation_revoke", args=["alpha", invitation.pk])).status_code == 403
    invitation.refresh_from_db()
    assert invitation.sent_count == 1 and invitation.status == InvitationStatus.PENDING


def test_other_organization_gets_404(client, org_a, org_b):
    portal_set_up(org_a)
    portal_set_up(org_b)
    record = client_make(org_a)
    invitation = actions.invitation_send(client=record, actor=Actor.system())
    signed_in(client, org_b.admin)
    assert client.get(reverse("client_invite", args=["beta", record.pk])).status_code == 404
    assert client.post(reverse("invitation_resend", args=["beta", invitation.pk])).status_code == 404
    assert client.post(reverse("invitation_revoke", args=["beta", invitation.pk])).status_code == 404
    assert (
        client.post(reverse("client_portal_status", args=["beta", record.pk]), {"status": "banned"}).status_code == 404
    )


def test_resend_and_revoke(client, org_a, deliver):
    portal_set_up(org_a)
    record = client_make(org_a)
    invitation = actions.invitation_send(client=record, actor=Actor.system())
    signed_in(client, org_a.admin)
    with deliver():
        assert client.post(reverse("invitation_resend", args=["alpha", invitation.pk])).status_code == 302
    invitation.refresh_from_db()
    assert invitation.sent_count == 2
    assert client.post(reverse("invitation_revoke", args=["alpha", invitation.pk])).status_code == 302
    invitation.refresh_from_db()
    record.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED and record.status == ClientStatus.NOT_INVITED


def _accepted(org, deliver):
    portal_set_up(org)
    record = client_make(org)
    invitation = actions.invitation_send(client=record, actor=Actor.system())
    from portico.core.tokens import token_digest
    from portico.invitations.models import InvitationLink

    InvitationLink.objects.filter(invitation=invitation).update(token_digest=token_digest("t0k"))
    acceptance = actions.invitation_accept(raw_token="t0k", actor=Actor.system(), password=PASSWORD)
    return record, acceptance.user


def test_ban_ends_sessions_and_blocks_every_sign_in(client, org_a, deliver):
    from django.test import Client as Browser

    record, person = _accepted(org_a, deliver)
    theirs = Browser()
    theirs.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert theirs.get(reverse("portal_org_home", args=["alpha"])).status_code == 200
    signed_in(client, org_a.admin)
    response = client.post(reverse("client_portal_status", args=["alpha", record.pk]), {"status": "banned"})
    assert response.status_code == 302
    assert PortalAccount.objects.get(user=person).status == PortalAccountStatus.BANNED
    # Their open session ended: the next request is signed out.
    assert theirs.get(reverse("portal_org_home", args=["alpha"])).status_code == 302
    # Password sign-in refused.
    again = Browser()
    again.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert again.get(reverse("portal_org_home", args=["alpha"])).status_code == 302
    assert "_auth_user_id" not in again.session
    # Sign-in by code refused at the end too.
    with deliver():
        again.post(reverse("account_request_login_code"), {"email": person.email})
    import re

    from django.core import mail

    codes = [m for m in mail.outbox if person.email in m.to and "code" in m.subject.lower()]
    assert codes, "allauth sends the code (it does not reveal which accounts may sign in)"
    code = re.search(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}\b", str(codes[-1].body))
    assert code
    again.post(reverse("account_confirm_login_code"), {"code": code.group(0)})
    assert "_auth_user_id" not in again.session


def test_readonly_cannot_change_portal_status(client, org_a, deliver):
    record, person = _accepted(org_a, deliver)
    signed_in(client, org_a.readonly)
    assert (
        client.post(reverse("client_portal_status", args=["alpha", record.pk]), {"status": "banned"}).status_code == 403
    )
    assert PortalAccount.objects.get(user=person).status == PortalAccountStatus.ACTIVE


def test_the_email_preview_is_an_escaped_sandboxed_frame(client, org_a):
    portal_set_up(org_a)
    record = client_make(org_a)
    client.force_login(org_a.admin)
    page = client.get(reverse("client_invite", args=["alpha", record.pk])).content.decode()
    assert 'srcdoc="&lt;!DOCTYPE html&gt;' in page
    frame = page[page.index("<iframe") : page.index("</iframe>")]
    assert "sandbox" in frame and "<html" not in frame
