"""The client's portal: home per organization, switching between organizations, account settings."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portico.core.actors import Actor
from portico.core.tokens import token_digest
from portico.invitations import actions
from portico.invitations.models import InvitationLink
from portico.portal.actions import portal_account_change_status
from portico.portal.models import PortalAccount, PortalAccountStatus
from testing.world import PASSWORD, client_make, portal_set_up

pytestmark = pytest.mark.django_db


def accepted(world, email="mark@example.test", user=None):
    portal_set_up(world, services=f"{world.org.name} service")
    record = client_make(world, "Mark Client", email=email)
    invitation = actions.invitation_send(client=record, actor=Actor.system())
    raw = f"tok-{world.org.slug}"
    InvitationLink.objects.filter(invitation=invitation).update(token_digest=token_digest(raw))
    return actions.invitation_accept(raw_token=raw, actor=Actor.system(), user=user, password=PASSWORD)


def test_one_login_reaches_every_organization_that_serves_it(client, org_a, org_b, django_assert_max_num_queries):
    person = accepted(org_a).user
    accepted(org_b, user=person)
    client.force_login(person)
    choose = client.get(reverse("portal_home"))
    assert choose.status_code == 200
    text = choose.content.decode()
    assert "Alpha Org Portal" in text and "Beta Org Portal" in text
    with django_assert_max_num_queries(8):
        home = client.get(reverse("portal_org_home", args=["beta"]))
    text = home.content.decode()
    assert "Beta Org service" in text and "Alpha Org service" not in text
    assert "Your other portals" in text and reverse("portal_org_home", args=["alpha"]) in text


def test_an_organization_that_does_not_serve_you_is_404(client, org_a, org_b):
    person = accepted(org_a).user
    portal_set_up(org_b)
    client.force_login(person)
    assert client.get(reverse("portal_org_home", args=["beta"])).status_code == 404
    # Nor can staff of org_b open org_a's portal as if they were a client there.
    client.force_login(org_b.admin)
    assert client.get(reverse("portal_org_home", args=["alpha"])).status_code == 404


def test_banned_in_one_organization_keeps_the_other(client, org_a, org_b):
    person = accepted(org_a).user
    accepted(org_b, user=person)
    account = PortalAccount.objects.get(org=org_a.org, user=person)
    portal_account_change_status(account=account, status=PortalAccountStatus.BANNED, actor=Actor.system())
    login = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert login.status_code == 302
    assert client.get(reverse("portal_org_home", args=["alpha"])).status_code == 404
    assert client.get(reverse("portal_org_home", args=["beta"])).status_code == 200
    assert client.get(reverse("portal_home")).url == reverse("portal_org_home", args=["beta"])


def test_account_settings(client, org_a):
    person = accepted(org_a).user
    client.force_login(person)
    page = client.get(reverse("portal_account")).content.decode()
    assert "mark@example.test" in page and "Change password" in page
    response = client.post(
        reverse("portal_account"), {"full_name": "Mark T", "phone": "55 1234 5678", "language": "es"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.full_name, person.phone, person.language) == ("Mark T", "+525512345678", "es")
    bad = client.post(reverse("portal_account"), {"full_name": "Mark T", "phone": "12", "language": "es"})
    assert bad.status_code == 200
    person.refresh_from_db()
    assert person.phone == "+525512345678"


def test_signed_out_visitors_sign_in_first(client, org_a):
    portal_set_up(org_a)
    response = client.get(reverse("portal_org_home", args=["alpha"]))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_forgot_password_works_for_a_client(client, org_a, deliver):
    import re

    from django.core import mail

    person = accepted(org_a).user
    with deliver():
        client.post(reverse("account_reset_password"), {"email": person.email})
    body = str([m for m in mail.outbox if person.email in m.to][-1].body)
    link = re.search(r"https?://testserver(/accounts/password/reset/key/\S+/)", body).group(1)
    form = client.get(link, follow=True)
    new = "another-long-pass-phrase"
    client.post(form.request["PATH_INFO"], {"password1": new, "password2": new})
    person.refresh_from_db()
    assert person.check_password(new)
    login = client.post(reverse("account_login"), {"login": person.email, "password": new})
    assert login.status_code == 302 and login.url == reverse("portal_home")
