"""Referral links: a client's or a staff member's personal link leads to the organization's
branded landing page; a lead from it keeps who referred it; the client record lists the
client's referrals and the portal home shows the client their link."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portico.audit.models import AuditAction, AuditEvent
from portico.clients.actions import client_delete
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.leads.actions import lead_disqualify, referral_link_get_or_create
from portico.leads.models import Lead, ReferralLink
from portico.orgs.actions import membership_add
from testing.world import client_make, portal_set_up, user_create

from .conftest import lead_make, visitor_post

pytestmark = pytest.mark.django_db
GOOD = {"name": "Frida Friend", "email": "frida@example.test", "message": "Mark said you are good."}


def _staff(world):
    return Actor(kind="staff", user=world.admin)


def _landing(link):
    return reverse("referral_landing", args=[link.org.slug, link.code])


def test_one_link_per_client_made_once_and_audited(org_a):
    mark = client_make(org_a)
    link = referral_link_get_or_create(org=org_a.org, actor=_staff(org_a), client=mark)
    again = referral_link_get_or_create(org=org_a.org, actor=_staff(org_a), client=mark)
    assert link.pk == again.pk and len(link.code) == 10
    assert AuditEvent.objects.filter(action=AuditAction.REFERRAL_LINK_CREATED).count() == 1
    other = referral_link_get_or_create(org=org_a.org, actor=_staff(org_a), client=client_make(org_a, "Other One"))
    assert other.code != link.code


def test_a_link_for_another_organizations_client_or_a_non_member_is_refused(org_a, org_b):
    with pytest.raises(PorticoError):
        referral_link_get_or_create(org=org_a.org, actor=_staff(org_a), client=client_make(org_b, "Beta Client"))
    with pytest.raises(PorticoError):
        referral_link_get_or_create(org=org_a.org, actor=_staff(org_a), user=org_b.admin)
    assert not ReferralLink.objects.exists()


def test_a_lead_from_a_clients_link_keeps_who_referred_it(org_a):
    portal_set_up(org_a)
    mark = client_make(org_a)
    link = referral_link_get_or_create(org=org_a.org, actor=_staff(org_a), client=mark)
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(_landing(link))
    assert page.status_code == 200
    text = page.content.decode()
    # A page anyone with the link can open names the client by their first name only.
    assert "Mark thought you would like to hear from us" in text and "Alpha Org Portal" in text
    assert "Mark Client" not in text
    assert "X-Frame-Options" not in page.headers
    visitor_post(visitor, _landing(link) + "?utm_source=whatsapp", GOOD)
    lead = Lead.objects.get()
    assert (lead.source, lead.referrer_client, lead.referrer_user) == ("referral", mark, None)
    assert lead.utm == {"utm_source": "whatsapp"}


def test_a_lead_from_a_staff_members_link_keeps_them(org_a):
    link = referral_link_get_or_create(org=org_a.org, actor=_staff(org_a), user=org_a.admin)
    text = Client().get(_landing(link)).content.decode()
    assert "Alpha invited you to get in touch" in text and "Alpha Admin" not in text


def test_a_staff_member_without_a_name_is_not_named_by_their_email(org_a):
    nameless = user_create("nameless@alpha.test")
    nameless.full_name = ""
    nameless.save(update_fields=["full_name"])
    membership_add(org=org_a.org, user=nameless, role=org_a.roles["Sales"], actor=Actor.system())
    link = referral_link_get_or_create(org=org_a.org, actor=_staff(org_a), user=nameless)
    text = Client().get(_landing(link)).content.decode()
    assert "nameless@alpha.test" not in text and "invited you" not in text
    assert "Tell us how we can help" in text


def test_a_staff_members_link_makes_a_lead_that_keeps_them(org_a):
    link = referral_link_get_or_create(org=org_a.org, actor=_staff(org_a), user=org_a.admin)
    visitor_post(Client(), _landing(link), GOOD)
    lead = Lead.objects.get()
    assert (lead.source, lead.referrer_client, lead.referrer_user) == ("referral", None, org_a.admin)


def test_unknown_other_organizations_and_dead_links_are_404(org_a, org_b):
    mark = client_make(org_a)
    link = referral_link_get_or_create(org=org_a.org, actor=_staff(org_a), client=mark)
    visitor = Client()
    assert visitor.get(reverse("referral_landing", args=["alpha", "nosuchcode"])).status_code == 404
    assert visitor.get(reverse("referral_landing", args=["beta", link.code])).status_code == 404
    client_delete(client=mark, actor=Actor.system())
    assert visitor.get(_landing(link)).status_code == 404
    staff_link = referral_link_get_or_create(org=org_a.org, actor=_staff(org_a), user=org_a.readonly)
    assert visitor.get(_landing(staff_link)).status_code == 200
    org_a.membership(org_a.readonly).delete()  # no longer staff: their link stops working
    assert visitor.get(_landing(staff_link)).status_code == 404
    assert not Lead.objects.exists()


def test_the_client_record_shows_the_link_and_the_leads_it_brought(client, org_a):
    mark = client_make(org_a)
    client.force_login(org_a.admin)
    url = reverse("client_detail", args=["alpha", mark.pk]) + "?section=onboarding"
    page = client.get(url).content.decode()
    assert "Create a referral link" in page
    created = client.post(reverse("client_referral_link", args=["alpha", mark.pk]))
    assert created.status_code == 302 and created["Location"] == url
    link = ReferralLink.objects.get(client=mark)
    first = lead_make(org_a, "Frida Friend", source="referral", referrer_client=mark)
    second = lead_make(org_a, "Gus Guest", source="referral", referrer_client=mark)
    lead_disqualify(lead=second, actor=_staff(org_a), reason="Out of area")
    lead_make(org_a, "Nobody's Lead")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    assert link.code in page
    assert "Frida Friend" in page and "Gus Guest" in page and "Nobody" not in page
    assert reverse("lead_detail", args=["alpha", first.pk]) in page and "Disqualified" in page
    # One query for the link with its leads, however many there are.
    for i in range(5):
        lead_make(org_a, f"More Friend{i}", source="referral", referrer_client=mark)
    client.get(url)
    with CaptureQueriesContext(connection) as more:
        assert "More Friend4" in client.get(url).content.decode()
    assert len(more) == len(queries)


def test_staff_without_leads_manage_see_no_referrals_on_the_record(client, org_a):
    mark = client_make(org_a)
    referral_link_get_or_create(org=org_a.org, actor=_staff(org_a), client=mark)
    client.force_login(org_a.readonly)
    page = client.get(reverse("client_detail", args=["alpha", mark.pk]), {"section": "onboarding"}).content.decode()
    assert "Referrals" not in page
    assert client.post(reverse("client_referral_link", args=["alpha", mark.pk])).status_code == 403


def test_the_leads_page_offers_the_staff_member_their_own_link(client, org_a):
    sales = user_create("sam@alpha.test")
    membership_add(org=org_a.org, user=sales, role=org_a.roles["Sales"], actor=Actor.system())
    client.force_login(sales)
    url = reverse("lead_list", args=["alpha"])
    assert "Create my referral link" in client.get(url).content.decode()
    assert client.post(reverse("my_referral_link", args=["alpha"])).status_code == 302
    link = ReferralLink.objects.get(user=sales)
    assert _landing(link) in client.get(url).content.decode()


def test_the_portal_home_shows_the_client_their_refer_a_friend_link(client, org_a):
    from portico.core.tokens import token_digest
    from portico.invitations.actions import invitation_accept, invitation_send
    from portico.invitations.models import InvitationLink

    portal_set_up(org_a)
    mark = client_make(org_a)
    invitation = invitation_send(client=mark, actor=_staff(org_a))
    InvitationLink.objects.filter(invitation=invitation).update(token_digest=token_digest("raw"))
    person = invitation_accept(raw_token="raw", actor=Actor.system(), password="a-long-pass-phrase").user
    client.force_login(person)
    home = reverse("portal_org_home", args=["alpha"])
    assert "Refer a friend" not in client.get(home).content.decode()
    link = referral_link_get_or_create(org=org_a.org, actor=_staff(org_a), client=mark)
    page = client.get(home).content.decode()
    assert "Refer a friend" in page and _landing(link) in page
