"""Sending: draft → sent with its content hash fixed; the client is told through the outbox by the
right channel; an estimate on a lead is not sent; ``estimate_changed`` in the transaction."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from portico.clients.actions import client_update
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.core.tokens import token_digest
from portico.estimates.actions import estimate_send
from portico.estimates.content import content_hash, estimate_content
from portico.estimates.models import EstimateState
from portico.estimates.signals import estimate_changed
from portico.estimates.tests.factories import estimate_make, joined, staff
from portico.invitations.actions import invitation_accept, invitation_send
from portico.invitations.models import InvitationLink, InvitationStatus
from portico.leads.actions import lead_submit
from portico.leads.models import LeadSource
from portico.outbox.models import OutboxMessage
from testing.world import PASSWORD, client_make, portal_set_up, run_tasks

pytestmark = pytest.mark.django_db


def test_send_fixes_the_hash_and_emails_the_portal_person(org_a, django_capture_on_commit_callbacks):
    record, person = joined(org_a)
    estimate = estimate_make(org_a, client=record)
    seen = []

    def receiver(sender, estimate, actor, **kwargs):
        seen.append((estimate.pk, estimate.state, connection.in_atomic_block))

    estimate_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            estimate_send(estimate=estimate, actor=staff(org_a))
    finally:
        estimate_changed.disconnect(receiver)
    run_tasks()
    estimate.refresh_from_db()
    assert estimate.state == EstimateState.SENT and estimate.sent_at is not None
    assert estimate.content_hash == content_hash(estimate_content(estimate, list(estimate.lines.all()), []))
    assert seen == [(estimate.pk, EstimateState.SENT, True)]
    sent = [m for m in mail.outbox if person.email in m.to]
    assert len(sent) == 1
    assert reverse("portal_estimate_detail", args=[org_a.org.slug, estimate.pk]) in sent[0].body


def test_before_joining_the_invitation_channel_is_used(org_a):
    portal_set_up(org_a)
    record = client_make(org_a, "Sms Client", email="sms@example.test", phone="+525512345678")
    invitation_send(client=record, actor=Actor.system(), channel="sms")
    estimate = estimate_make(org_a, client=record, sent=True)
    message = OutboxMessage.objects.get(idempotency_key=f"estimate-sent:{estimate.pk}:sms")
    assert message.to == "+525512345678"
    assert reverse("portal_estimate_detail", args=[org_a.org.slug, estimate.pk]) in message.body_text


def test_never_invited_clients_get_it_at_their_records_email(org_a):
    record = client_make(org_a, "Plain Client", email="plain@example.test")
    estimate = estimate_make(org_a, client=record, sent=True)
    message = OutboxMessage.objects.get(idempotency_key=f"estimate-sent:{estimate.pk}:email")
    assert message.to == "plain@example.test"


def test_a_client_who_joins_later_sees_it_in_the_portal(client, org_a):
    portal_set_up(org_a)
    estimate = estimate_make(org_a, sent=True)
    # The client joins the portal through an invitation sent afterwards.
    invitation = invitation_send(client=estimate.client, actor=Actor.system())
    InvitationLink.objects.filter(invitation=invitation).update(token_digest=token_digest("late"))
    person = invitation_accept(raw_token="late", actor=Actor.system(), password=PASSWORD).user
    client.force_login(person)
    page = client.get(reverse("portal_estimate_list", args=[org_a.org.slug])).content.decode()
    assert reverse("portal_estimate_detail", args=[org_a.org.slug, estimate.pk]) in page


def test_an_estimate_on_a_lead_is_drafted_but_not_sent(org_a):
    lead = lead_submit(
        org=org_a.org, actor=Actor.system(), source=LeadSource.CONTACT_FORM, name="Lea Lead", email="lea@x.test"
    )
    estimate = estimate_make(org_a, lead=lead)
    assert estimate.client is None and estimate.state == EstimateState.DRAFT
    with pytest.raises(PorticoError) as refused:
        estimate_send(estimate=estimate, actor=staff(org_a))
    assert refused.value.code == "no_client"


def test_an_empty_estimate_is_not_sent_and_a_sent_one_not_twice(client, org_a):
    empty = estimate_make(org_a, n_lines=0)
    with pytest.raises(PorticoError) as refused:
        estimate_send(estimate=empty, actor=staff(org_a))
    assert refused.value.code == "no_lines"
    sent = estimate_make(org_a, sent=True)
    client.force_login(org_a.admin)
    response = client.post(reverse("estimate_send", args=[org_a.org.slug, sent.pk]))
    assert response.status_code == 302 and response["X-Portico-Refusal"] == "not_draft"
    assert OutboxMessage.objects.filter(idempotency_key__startswith=f"estimate-sent:{sent.pk}:").count() == 1


def test_send_from_the_page(client, org_a):
    estimate = estimate_make(org_a)
    client.force_login(org_a.admin)
    detail = client.get(reverse("estimate_detail", args=[org_a.org.slug, estimate.pk])).content.decode()
    assert 'id="send-estimate"' in detail
    response = client.post(reverse("estimate_send", args=[org_a.org.slug, estimate.pk]))
    assert response.status_code == 302 and "X-Portico-Refusal" not in response
    estimate.refresh_from_db()
    assert estimate.state == EstimateState.SENT


def test_a_changed_email_revokes_the_invitation_and_the_estimate_goes_to_the_new_address(org_a):
    portal_set_up(org_a)
    record = client_make(org_a, "Moved Client", email="old@example.test")
    invitation = invitation_send(client=record, actor=Actor.system())
    client_update(client=record, actor=staff(org_a), email="new@example.test")
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    estimate = estimate_make(org_a, client=record, sent=True)
    message = OutboxMessage.objects.get(idempotency_key=f"estimate-sent:{estimate.pk}:email")
    assert message.to == "new@example.test"
    assert not OutboxMessage.objects.filter(to="old@example.test", idempotency_key__startswith="estimate-sent").exists()


def test_a_changed_mobile_revokes_the_sms_invitation_and_the_estimate_goes_to_the_record(org_a):
    portal_set_up(org_a)
    record = client_make(org_a, "Sms Mover", email="", phone="+525512345678")
    invitation = invitation_send(client=record, actor=Actor.system(), channel="sms")
    client_update(client=record, actor=staff(org_a), phone="+525587654321")
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    estimate = estimate_make(org_a, client=record, sent=True)
    message = OutboxMessage.objects.get(idempotency_key=f"estimate-sent:{estimate.pk}:sms")
    assert message.to == "+525587654321"
