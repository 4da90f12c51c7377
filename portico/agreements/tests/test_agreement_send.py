"""Sending: the PDF rendered once, stored, its SHA-256 fixed and on the chain; the client told
through the outbox with the portal link; a sent, unsigned agreement of the client superseded."""

from __future__ import annotations

import hashlib

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from portico.agreements.actions import agreement_create, agreement_send
from portico.agreements.chain import chain_verify
from portico.agreements.models import AgreementEvent, AgreementEventKind, AgreementState
from portico.agreements.selectors import portal_agreement_url
from portico.agreements.signals import agreement_changed
from portico.agreements.tests.factories import agreement_draft_make, agreement_sent_make, template_make
from portico.core.actors import Actor
from portico.core.errors import InvalidTransition
from portico.estimates.tests.factories import joined, staff
from portico.invitations.actions import invitation_send
from portico.outbox.models import OutboxMessage
from testing.world import client_make, portal_set_up, run_tasks

pytestmark = pytest.mark.django_db


def test_the_stored_hash_is_the_hash_of_the_bytes_served(client, org_a):
    agreement = agreement_sent_make(org_a)
    stored = agreement.document.open("rb").read()
    assert stored.startswith(b"%PDF") and agreement.document_hash == hashlib.sha256(stored).hexdigest()
    client.force_login(org_a.admin)
    response = client.get(reverse("agreement_document", args=[org_a.org.slug, agreement.pk]))
    served = b"".join(response.streaming_content)
    assert hashlib.sha256(served).hexdigest() == agreement.document_hash
    sent = AgreementEvent.objects.get(agreement=agreement, kind=AgreementEventKind.SENT)
    assert sent.data["document_sha256"] == agreement.document_hash
    assert chain_verify(agreement).intact


def test_send_tells_the_portal_person_with_the_link_and_signals_in_the_transaction(
    org_a, django_capture_on_commit_callbacks
):
    record, person = joined(org_a)
    agreement = agreement_create(client=record, template=template_make(org_a), actor=staff(org_a))
    seen = []

    def receiver(sender, agreement, actor, **kwargs):
        seen.append((agreement.pk, agreement.state, connection.in_atomic_block))

    agreement_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            agreement_send(agreement=agreement, actor=staff(org_a))
    finally:
        agreement_changed.disconnect(receiver)
    run_tasks()
    assert seen == [(agreement.pk, AgreementState.SENT, True)]
    sent = [m for m in mail.outbox if person.email in m.to]
    assert len(sent) == 1 and portal_agreement_url(agreement) in sent[0].body
    assert portal_agreement_url(agreement) == f"/portal/{org_a.org.slug}/agreements/{agreement.pk}/"


def test_before_joining_the_invitation_channel_is_used(org_a):
    portal_set_up(org_a)
    record = client_make(org_a, "Sms Client", email="sms@example.test", phone="+525512345678")
    invitation_send(client=record, actor=Actor.system(), channel="sms")
    agreement = agreement_draft_make(org_a, client=record)
    agreement_send(agreement=agreement, actor=staff(org_a))
    message = OutboxMessage.objects.get(idempotency_key=f"agreement-sent:{agreement.pk}:sms")
    assert message.to == "+525512345678" and portal_agreement_url(agreement) in message.body_text


def test_a_new_agreement_supersedes_the_unsigned_one(org_a):
    old = agreement_sent_make(org_a)
    new = agreement_create(client=old.client, template=template_make(org_a), actor=staff(org_a))
    agreement_send(agreement=new, actor=staff(org_a))
    old.refresh_from_db()
    assert old.state == AgreementState.VOIDED and old.superseded_by == new
    assert old.void_reason == f"Superseded by {new.label}"
    voided = AgreementEvent.objects.get(agreement=old, kind=AgreementEventKind.VOIDED)
    assert voided.data["superseded_by"] == new.label
    assert chain_verify(old).intact


def test_a_sent_agreement_is_not_sent_again(org_a):
    agreement = agreement_sent_make(org_a)
    before = agreement.document_hash
    with pytest.raises(InvalidTransition):
        agreement_send(agreement=agreement, actor=staff(org_a))
    agreement.refresh_from_db()
    assert agreement.document_hash == before
