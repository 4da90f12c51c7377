"""``client_tell``: how a client hears of something staff sent them (estimates and agreements share
it): their portal person's channel; before they join, their newest invitation that was not revoked;
else the record's email, or mobile by SMS; nobody to reach: nothing sent."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import get_language

from portico.core.actors import Actor
from portico.estimates.tests.factories import joined
from portico.invitations.actions import ClientMessage, client_tell, invitation_revoke, invitation_send
from portico.outbox.models import OutboxMessage
from testing.world import client_make, portal_set_up

pytestmark = pytest.mark.django_db


def _message() -> ClientMessage:
    return ClientMessage(subject=f"Hello ({get_language()})", text="Read it here: /x", sms="Hello: /x")


def _tell(world, record, key="thing:1", language=""):
    return client_tell(org=world.org, client_id=record.pk, key=key, language=language, message=_message)


def test_the_portal_person_hears_by_the_channel_they_chose(org_a):
    record, person = joined(org_a)
    assert _tell(org_a, record) == "email"
    message = OutboxMessage.objects.get(idempotency_key="thing:1:email")
    assert message.to == person.email and message.body_text == "Read it here: /x"


def test_before_joining_the_newest_standing_invitation_is_used(org_a):
    portal_set_up(org_a)
    record = client_make(org_a, "Sms Client", email="sms@example.test", phone="+525512345678")
    invitation_send(client=record, actor=Actor.system(), channel="sms")
    assert _tell(org_a, record) == "sms"
    message = OutboxMessage.objects.get(idempotency_key="thing:1:sms")
    assert message.to == "+525512345678" and message.body_text == "Hello: /x"


def test_a_revoked_invitation_is_never_written_to(org_a):
    portal_set_up(org_a)
    record = client_make(org_a, "Sms Client", email="record@example.test", phone="+525512345678")
    invitation_revoke(
        invitation=invitation_send(client=record, actor=Actor.system(), channel="sms"), actor=Actor.system()
    )
    assert _tell(org_a, record) == "email"
    assert OutboxMessage.objects.get(idempotency_key="thing:1:email").to == "record@example.test"
    assert not OutboxMessage.objects.filter(idempotency_key="thing:1:sms").exists()


def test_never_invited_without_email_the_mobile_gets_an_sms(org_a):
    record = client_make(org_a, "Phone Only", email="", phone="+525587654321")
    assert _tell(org_a, record) == "sms"
    assert OutboxMessage.objects.get(idempotency_key="thing:1:sms").to == "+525587654321"


def test_nobody_to_reach_sends_nothing(org_a):
    record = client_make(org_a, "No Address", email="", phone="")
    assert _tell(org_a, record) == ""
    assert not OutboxMessage.objects.filter(idempotency_key__startswith="thing:1:").exists()


def test_the_message_is_composed_in_the_given_language_else_the_records(org_a):
    record = client_make(org_a, "Lang Client", email="lang@example.test")
    with translation.override("en"):
        _tell(org_a, record, key="a", language="es")
    assert OutboxMessage.objects.get(idempotency_key="a:email").subject == "Hello (es)"
    record.language = "es"
    record.save(update_fields=["language"])
    with translation.override("en"):
        _tell(org_a, record, key="b")
    assert OutboxMessage.objects.get(idempotency_key="b:email").subject == "Hello (es)"
