"""Email delivery reports: Mailgun tracking webhooks through anymail (Basic auth + Mailgun's
HMAC signature), applied once per event to the outbox message and its invitation."""

import base64
import hashlib
import hmac
import json
import secrets
import time

import pytest
from django.core import mail
from django.urls import reverse

from portico.core.actors import Actor, ActorKind
from portico.invitations.actions import invitation_send
from portico.invitations.models import Invitation, InvitationEvent
from portico.outbox.models import DeliveryEvent, OutboxMessage, OutboxState
from testing.fakes import FakeMailgun
from testing.world import client_make, portal_set_up

pytestmark = pytest.mark.django_db

WEBHOOK_AUTH = "anymail-hook:very-secret-password"
SIGNING_KEY = "mailgun-webhook-signing-key"
TRACKING_URL = "/anymail/mailgun/tracking/"


@pytest.fixture
def mailgun_webhooks(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": WEBHOOK_AUTH, "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}


@pytest.fixture
def invited(org_a, deliver, mailgun_webhooks):
    """An email invitation, delivered to Django's test mail outbox: (invitation, outbox message)."""
    portal_set_up(org_a)
    record = client_make(org_a)
    with deliver():
        invitation = invitation_send(client=record, actor=Actor(kind=ActorKind.STAFF, user=org_a.admin))
    return invitation, OutboxMessage.objects.get(pk=Invitation.objects.get(pk=invitation.pk).last_message_id)


def mailgun_payload(event, *, key=SIGNING_KEY, token=None, message_id="", user_variables=None, **data):
    timestamp = str(int(time.time()))
    token = token or secrets.token_hex(25)
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    event_data = {
        "event": event,
        "timestamp": time.time(),
        "id": secrets.token_hex(8),
        "recipient": "mark@example.test",
        "message": {"headers": {"message-id": message_id or f"{secrets.token_hex(6)}@mg.example"}},
        "user-variables": user_variables or {},
        **data,
    }
    return {"signature": {"timestamp": timestamp, "token": token, "signature": signature}, "event-data": event_data}


def post_webhook(client, payload, auth=WEBHOOK_AUTH):
    headers = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(auth.encode()).decode()} if auth else {}
    return client.post(TRACKING_URL, json.dumps(payload), content_type="application/json", **headers)


def _delivery(invitation):
    return Invitation.objects.get(pk=invitation.pk).delivery


def test_a_signed_delivered_event_reaches_the_invitation(client, invited):
    invitation, message = invited
    payload = mailgun_payload("delivered", user_variables={"idempotency_key": message.idempotency_key})
    assert post_webhook(client, payload).status_code == 200
    assert _delivery(invitation) == "delivered"
    assert InvitationEvent.objects.filter(invitation=invitation, kind="delivered").count() == 1
    event = DeliveryEvent.objects.get()
    assert (event.message_id, event.provider, event.kind) == (message.pk, "mailgun", "delivered")
    assert event.event_id == f"mailgun:{payload['signature']['token']}"
    assert OutboxMessage.objects.get(pk=message.pk).delivery_status == "delivered"


def test_the_same_event_twice_is_applied_once(client, invited):
    invitation, message = invited
    payload = mailgun_payload("delivered", user_variables={"idempotency_key": message.idempotency_key})
    assert post_webhook(client, payload).status_code == 200
    assert post_webhook(client, payload).status_code == 200  # Mailgun's retry, or a replay
    assert DeliveryEvent.objects.count() == 1
    assert InvitationEvent.objects.filter(invitation=invitation, kind="delivered").count() == 1


@pytest.mark.parametrize(
    ("key", "auth"),
    [("not-the-signing-key", WEBHOOK_AUTH), (SIGNING_KEY, "anymail-hook:wrong"), (SIGNING_KEY, "")],
    ids=["bad-signature", "bad-basic-auth", "no-basic-auth"],
)
def test_an_unverified_event_is_refused_and_changes_nothing(client, invited, key, auth):
    invitation, message = invited
    payload = mailgun_payload("failed", key=key, user_variables={"idempotency_key": message.idempotency_key})
    response = post_webhook(client, payload, auth=auth)
    assert response.status_code == 400  # anymail: a failed verification is a SuspiciousOperation
    assert not DeliveryEvent.objects.exists()
    assert _delivery(invitation) == "sent"
    assert not InvitationEvent.objects.filter(kind="bounced").exists()


def test_a_permanent_failure_is_a_bounce_and_a_temporary_one_is_ignored(client, invited):
    invitation, message = invited
    variables = {"idempotency_key": message.idempotency_key}
    temporary = mailgun_payload("failed", severity="temporary", user_variables=variables)
    assert post_webhook(client, temporary).status_code == 200  # anymail: "deferred"
    assert not DeliveryEvent.objects.exists()
    permanent = mailgun_payload(
        "failed",
        severity="permanent",
        reason="bounce",
        user_variables=variables,
        **{"delivery-status": {"code": 550, "description": "", "message": "5.1.1 mailbox unavailable"}},
    )
    assert post_webhook(client, permanent).status_code == 200
    assert _delivery(invitation) == "bounced"
    assert InvitationEvent.objects.get(invitation=invitation, kind="bounced").detail == "5.1.1 mailbox unavailable"


def test_rejected_is_a_bounce(client, invited):
    invitation, message = invited
    payload = mailgun_payload("rejected", user_variables={"idempotency_key": message.idempotency_key})
    post_webhook(client, payload)
    assert _delivery(invitation) == "bounced"


def test_opens_and_clicks_change_nothing(client, invited):
    invitation, message = invited
    for event in ("opened", "clicked"):
        payload = mailgun_payload(event, user_variables={"idempotency_key": message.idempotency_key})
        assert post_webhook(client, payload).status_code == 200
    assert not DeliveryEvent.objects.exists()
    assert _delivery(invitation) == "sent"


def test_an_event_for_an_unknown_message_is_acknowledged_and_ignored(client, invited):
    assert post_webhook(client, mailgun_payload("delivered")).status_code == 200
    assert not DeliveryEvent.objects.exists()


def test_without_metadata_the_message_is_found_by_its_message_id(client, invited):
    invitation, message = invited
    payload = mailgun_payload("delivered", message_id=message.provider_message_id.strip("<>"))
    assert post_webhook(client, payload).status_code == 200
    assert _delivery(invitation) == "delivered"


def test_an_esp_message_id_is_stored_and_its_webhooks_find_the_message(
    client, org_a, deliver, mailgun_webhooks, settings
):
    """The anymail Mailgun backend, sending to a local fake Mailgun API: the outbox keeps the id
    Mailgun answered, which is what its tracking webhooks carry."""
    fake = FakeMailgun().start()
    try:
        settings.EMAIL_BACKEND = "anymail.backends.mailgun.EmailBackend"
        settings.ANYMAIL = {
            **settings.ANYMAIL,
            "MAILGUN_API_KEY": fake.api_key,
            "MAILGUN_API_URL": f"{fake.base_url}/v3",
            "MAILGUN_SENDER_DOMAIN": fake.domain,
        }
        portal_set_up(org_a)
        record = client_make(org_a)
        with deliver():
            invitation = invitation_send(client=record, actor=Actor(kind=ActorKind.STAFF, user=org_a.admin))
    finally:
        fake.stop()
    message = OutboxMessage.objects.get(pk=Invitation.objects.get(pk=invitation.pk).last_message_id)
    [sent] = fake.sent
    assert message.state == OutboxState.SENT and message.provider_message_id == sent["id"]
    assert b"idempotency_key" in sent["body"]  # the metadata travels as a Mailgun user variable
    assert mail.outbox == []

    payload = mailgun_payload("delivered", message_id=sent["id"].strip("<>"))  # no user variables
    assert post_webhook(client, payload).status_code == 200
    assert _delivery(invitation) == "delivered"


def test_the_tracking_url_is_served(client, mailgun_webhooks):
    assert reverse("anymail:mailgun_tracking_webhook") == TRACKING_URL
