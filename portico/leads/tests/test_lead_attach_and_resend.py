"""A lead whose email or mobile matches an existing client is flagged on its page and can be
attached to that client instead of making a duplicate; and the invitation can be resent from
the lead page at any time."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portico.audit.models import AuditAction, AuditEvent
from portico.clients.models import Client
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.core.middleware import REFUSAL_HEADER
from portico.invitations.actions import invitation_revoke
from portico.invitations.models import Invitation
from portico.leads.actions import lead_attach, lead_convert, lead_invitation_resend
from portico.leads.signals import lead_converted
from testing.world import client_make, portal_set_up

from .conftest import lead_make

pytestmark = pytest.mark.django_db


def _staff(world):
    return Actor(kind="staff", user=world.admin)


def test_matching_clients_are_flagged_and_the_lead_attaches_to_one(client, org_a, org_b):
    same_email = client_make(org_a, "Mark Client", email="mark@example.test")
    same_phone = client_make(org_a, "Phil Phone", email="phil@example.test", phone="+525512345678")
    client_make(org_a, "Other Person", email="other@example.test")
    client_make(org_b, "Beta Mark", email="mark@example.test")
    lead = lead_make(org_a, "Mark C", email="mark@example.test", phone="+52 55 1234 5678")
    client.force_login(org_a.admin)
    page = client.get(reverse("lead_detail", args=["alpha", lead.pk])).content.decode()
    assert "Possible duplicate" in page
    assert "Mark Client" in page and "Phil Phone" in page
    assert "Other Person" not in page and "Beta Mark" not in page
    heard = []
    lead_converted.connect(lambda sender, **kw: heard.append(kw["client"]), dispatch_uid="attach-test", weak=False)
    try:
        response = client.post(reverse("lead_attach", args=["alpha", lead.pk]), {"client": same_email.pk})
    finally:
        lead_converted.disconnect(dispatch_uid="attach-test")
    assert REFUSAL_HEADER not in response
    lead.refresh_from_db()
    assert (lead.state, lead.client) == ("converted", same_email)
    assert Client.objects.filter(org=org_a.org).count() == 3  # no duplicate
    assert heard == [same_email]
    assert AuditEvent.objects.get(action=AuditAction.LEAD_ATTACHED).detail["client"] == same_email.pk
    assert "Possible duplicate" not in client.get(reverse("lead_detail", args=["alpha", lead.pk])).content.decode()
    assert same_phone.pk  # (matched by the mobile alone)


def test_only_a_matching_live_client_of_the_organization_can_be_attached(client, org_a, org_b):
    lead = lead_make(org_a, "Mark C", email="mark@example.test")
    stranger = client_make(org_a, "Other Person", email="other@example.test")
    theirs = client_make(org_b, "Beta Mark", email="mark@example.test")
    client.force_login(org_a.admin)
    assert client.post(reverse("lead_attach", args=["alpha", lead.pk]), {"client": theirs.pk}).status_code == 404
    refused = client.post(reverse("lead_attach", args=["alpha", lead.pk]), {"client": stranger.pk})
    assert refused[REFUSAL_HEADER] == "invalid"
    with pytest.raises(PorticoError):
        lead_attach(lead=lead, client=theirs, actor=_staff(org_a))
    lead.refresh_from_db()
    assert (lead.state, lead.client) == ("new", None)


def test_resend_a_pending_invitation_from_the_lead_page(client, org_a, deliver):
    portal_set_up(org_a)
    lead = lead_make(org_a)
    lead_convert(lead=lead, actor=_staff(org_a), channel="email")
    client.force_login(org_a.admin)
    with deliver():
        response = client.post(reverse("lead_resend", args=["alpha", lead.pk]))
    assert REFUSAL_HEADER not in response
    invitation = Invitation.objects.get()
    assert (invitation.sent_count, invitation.status) == (2, "pending")
    assert (
        len([m for m in mail.outbox if "lena@lead.test" in m.to]) == 1
    )  # the resend (the first was not delivered here)


def test_resend_an_expired_invitation_makes_a_fresh_link(org_a):
    portal_set_up(org_a, invitation_lifetime_days=3)
    lead = lead_make(org_a)
    lead_convert(lead=lead, actor=_staff(org_a), channel="email")
    with time_machine.travel(timezone.now() + dt.timedelta(days=4)):
        invitation = lead_invitation_resend(lead=lead, actor=_staff(org_a))
        assert invitation.status == "pending" and not invitation.is_expired
    assert Invitation.objects.count() == 1 and invitation.sent_count == 2


def test_without_an_invitation_or_after_a_revoke_a_new_one_is_sent(client, org_a, fake_twilio, deliver):
    portal_set_up(org_a)
    lead = lead_make(org_a, "Sara Sms", email="", phone="+525512345678")
    lead_convert(lead=lead, actor=_staff(org_a), channel="")
    client.force_login(org_a.admin)
    page = client.get(reverse("lead_detail", args=["alpha", lead.pk])).content.decode()
    assert "Not invited to the portal yet" in page and "Send the invitation" in page
    with deliver():
        client.post(reverse("lead_resend", args=["alpha", lead.pk]), {"channel": "sms"})
    first = Invitation.objects.get()
    assert (first.channel, first.address) == ("sms", "+525512345678")
    assert "/invite/" in fake_twilio.last_body("+525512345678")
    invitation_revoke(invitation=first, actor=_staff(org_a))
    second = lead_invitation_resend(lead=lead, actor=_staff(org_a))  # the record has no email: SMS
    assert second.pk != first.pk and second.channel == "sms" and second.status == "pending"


def test_resend_before_conversion_is_refused(client, org_a):
    lead = lead_make(org_a)
    client.force_login(org_a.admin)
    response = client.post(reverse("lead_resend", args=["alpha", lead.pk]))
    assert response[REFUSAL_HEADER] == "not_converted"
    assert not Invitation.objects.exists()
