"""Converting a lead: a client record prefilled from it (the converting staff member its
navigator), ``lead_converted`` sent before the invitation, and the portal invitation by email or
SMS in the same step; a refusal of the invitation undoes everything. The client's account page
is prefilled with the lead's data."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from portico.audit.models import AuditAction, AuditEvent
from portico.clients.models import Client, NavigatorAssignment
from portico.core.actors import Actor
from portico.core.errors import InvalidTransition, PorticoError
from portico.core.middleware import REFUSAL_HEADER
from portico.invitations.models import Invitation
from portico.leads.actions import lead_convert
from portico.leads.models import Lead
from portico.leads.signals import lead_converted
from testing.world import portal_set_up

from .conftest import lead_make

pytestmark = pytest.mark.django_db
PHONE = "+525512345678"


def _convert(client, lead, channel):
    return client.post(reverse("lead_convert", args=[lead.org.slug, lead.pk]), {"channel": channel})


@pytest.fixture
def heard():
    """What lead_converted receivers see: the client exists, no invitation yet."""
    seen = []

    def receiver(sender, lead, client, actor, **kwargs):
        seen.append((lead.pk, client.pk, Invitation.objects.filter(client=client).exists(), actor.user))

    lead_converted.connect(receiver, dispatch_uid="test-heard")
    yield seen
    lead_converted.disconnect(dispatch_uid="test-heard")


def test_convert_and_invite_by_email(client, org_a, heard, deliver):
    portal_set_up(org_a)
    lead = lead_make(org_a, "Lena Lead", phone=PHONE, time_zone="America/Mexico_City")
    client.force_login(org_a.admin)
    with deliver():
        response = _convert(client, lead, "email")
    assert REFUSAL_HEADER not in response
    lead.refresh_from_db()
    record = Client.objects.get()
    assert (lead.state, lead.client, lead.converted_at is not None) == ("converted", record, True)
    assert (record.name, record.email, record.phone, record.time_zone, record.status) == (
        "Lena Lead",
        "lena@lead.test",
        PHONE,
        "America/Mexico_City",
        "invite_sent",
    )
    assert list(NavigatorAssignment.objects.values_list("client", "user")) == [(record.pk, org_a.admin.pk)]
    assert heard == [(lead.pk, record.pk, False, org_a.admin)]
    invitation = Invitation.objects.get()
    assert (invitation.client, invitation.channel, invitation.address) == (record, "email", "lena@lead.test")
    [sent] = [m for m in mail.outbox if "lena@lead.test" in m.to]
    assert "/invite/" in sent.body
    converted = AuditEvent.objects.get(action=AuditAction.LEAD_CONVERTED)
    assert converted.detail["client"] == record.pk and converted.actor_user == org_a.admin
    page = client.get(reverse("lead_detail", args=["alpha", lead.pk])).content.decode()
    assert "Resend the invitation" in page and record.case_number in page


def test_convert_and_invite_by_sms_then_the_account_page_is_prefilled(client, org_a, fake_twilio, deliver):
    portal_set_up(org_a)
    lead = lead_make(org_a, "Sara Sms", email="sara@lead.test", phone=PHONE)
    client.force_login(org_a.admin)
    with deliver():
        _convert(client, lead, "sms")
    invitation = Invitation.objects.get()
    assert (invitation.channel, invitation.address) == ("sms", PHONE)
    body = fake_twilio.last_body(PHONE)
    link = re.search(r"http://testserver(/invite/\S+)", body).group(1)
    client.logout()
    page = client.get(link).content.decode()
    assert 'value="Sara Sms"' in page  # the name, from the lead through the record
    assert 'value="sara@lead.test"' in page  # the email: the username


def test_convert_without_an_invitation(client, org_a):
    lead = lead_make(org_a)  # no portal set up: fine, nobody is invited
    client.force_login(org_a.admin)
    _convert(client, lead, "none")
    lead.refresh_from_db()
    assert lead.state == "converted" and lead.client.status == "not_invited"
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    ("channel", "portal", "code"),
    [
        ("email", False, "portal_not_set_up"),
        ("sms", True, "no_address"),  # the lead left no mobile
    ],
)
def test_an_invitation_refusal_shows_it_and_changes_nothing(client, org_a, heard, channel, portal, code):
    if portal:
        portal_set_up(org_a)
    lead = lead_make(org_a)
    audit_before = AuditEvent.objects.count()
    client.force_login(org_a.admin)
    response = _convert(client, lead, channel)
    assert response[REFUSAL_HEADER] == code
    lead.refresh_from_db()
    assert (lead.state, lead.client) == ("new", None)
    assert not Client.objects.exists() and not Invitation.objects.exists()
    assert AuditEvent.objects.count() == audit_before
    assert heard  # the signal went out inside the transaction, and was undone with it
    page = client.get(reverse("lead_detail", args=["alpha", lead.pk])).content.decode()
    assert "Set up the client portal first" in page or "no mobile number" in page


def test_a_converted_lead_cannot_be_converted_again(org_a):
    lead = lead_make(org_a)
    lead_convert(lead=lead, actor=Actor.system())
    with pytest.raises(InvalidTransition):
        lead_convert(lead=lead, actor=Actor.system())
    assert Client.objects.count() == 1


def test_a_disqualified_lead_is_taken_up_before_it_is_converted(org_a):
    from portico.leads.actions import lead_disqualify

    lead = lead_make(org_a)
    lead_disqualify(lead=lead, actor=Actor.system(), reason="Spam")
    with pytest.raises(InvalidTransition):
        lead_convert(lead=lead, actor=Actor.system())
    assert not Client.objects.exists()


def test_a_bad_channel_is_refused(org_a):
    with pytest.raises(PorticoError):
        lead_convert(lead=lead_make(org_a), actor=Actor.system(), channel="fax")
    assert not Client.objects.exists() and Lead.objects.get().state == "new"


def test_support_operators_convert_without_becoming_navigators(client, org_a, operator):
    lead = lead_make(org_a)
    client.force_login(operator)
    _convert(client, lead, "none")
    lead.refresh_from_db()
    assert lead.state == "converted" and not NavigatorAssignment.objects.exists()


def test_converting_needs_the_client_and_invitation_permissions(client, org_a):
    from portico.orgs.actions import membership_add, role_create
    from testing.world import user_create

    role = role_create(org=org_a.org, actor=Actor.system(), name="Leads only", permissions=["leads.manage"])
    user = user_create("lou@alpha.test")
    membership_add(org=org_a.org, user=user, role=role, actor=Actor.system())
    lead = lead_make(org_a)
    client.force_login(user)
    response = _convert(client, lead, "none")
    assert response.status_code == 403 and b"clients.create" in response.content
    lead.refresh_from_db()
    assert lead.state == "new"
