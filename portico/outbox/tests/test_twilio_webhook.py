"""Twilio status callbacks: verified by X-Twilio-Signature, each report applied once, and an
invitation's delivery trail follows them."""

import pytest
from django.urls import reverse

from portico.audit.models import AuditAction, AuditEvent
from portico.core.actors import Actor, ActorKind
from portico.invitations.actions import invitation_send
from portico.invitations.models import Invitation, InvitationEvent
from portico.outbox.models import DeliveryEvent, OutboxMessage
from testing.world import client_make, portal_set_up

pytestmark = pytest.mark.django_db

PHONE = "+525512345678"


@pytest.fixture
def sent_sms(org_a, fake_twilio, deliver):
    """An SMS invitation, sent through the fake Twilio: (invitation, outbox message, Twilio sid)."""
    portal_set_up(org_a)
    record = client_make(org_a, phone=PHONE)
    with deliver():
        invitation = invitation_send(client=record, actor=Actor(kind=ActorKind.STAFF, user=org_a.admin), channel="sms")
    message = OutboxMessage.objects.get(pk=Invitation.objects.get(pk=invitation.pk).last_message_id)
    return invitation, message, fake_twilio.messages[-1]["sid"]


def _delivery(invitation):
    return Invitation.objects.get(pk=invitation.pk).delivery


def test_a_signed_delivered_report_reaches_the_invitation(client, fake_twilio, sent_sms):
    invitation, message, sid = sent_sms
    assert _delivery(invitation) == "sent"
    response = fake_twilio.post_status(client, sid, "delivered")
    assert response.status_code == 200
    assert _delivery(invitation) == "delivered"
    assert InvitationEvent.objects.filter(invitation=invitation, kind="delivered").count() == 1
    event = DeliveryEvent.objects.get()
    assert (event.message_id, event.provider, event.kind, event.event_id) == (
        message.pk,
        "twilio",
        "delivered",
        f"twilio:{sid}:delivered",
    )
    assert OutboxMessage.objects.get(pk=message.pk).delivery_status == "delivered"


def test_the_same_report_twice_is_applied_once(client, fake_twilio, sent_sms):
    invitation, _message, sid = sent_sms
    assert fake_twilio.post_status(client, sid, "delivered").status_code == 200
    assert fake_twilio.post_status(client, sid, "delivered").status_code == 200  # Twilio's retry, or a replay
    assert DeliveryEvent.objects.count() == 1
    assert InvitationEvent.objects.filter(invitation=invitation, kind="delivered").count() == 1
    assert _delivery(invitation) == "delivered"


@pytest.mark.parametrize("signature", [None, "", "bm90LWEtc2lnbmF0dXJl"])
def test_a_missing_or_wrong_signature_is_refused_and_changes_nothing(client, fake_twilio, sent_sms, signature):
    invitation, message, sid = sent_sms
    trail = list(InvitationEvent.objects.values_list("kind", flat=True))
    if signature is None:  # no header at all
        response = client.post(
            reverse("twilio_status") + f"?message={message.pk}", {"MessageSid": sid, "MessageStatus": "delivered"}
        )
    else:
        response = fake_twilio.post_status(client, sid, "delivered", signature=signature)
    assert response.status_code == 403
    assert not DeliveryEvent.objects.exists()
    assert _delivery(invitation) == "sent"
    assert list(InvitationEvent.objects.values_list("kind", flat=True)) == trail
    assert OutboxMessage.objects.get(pk=message.pk).delivery_status == ""


def test_a_signature_made_with_another_token_is_refused(client, fake_twilio, sent_sms, settings):
    _invitation, _message, sid = sent_sms
    settings.TWILIO_AUTH_TOKEN = "the-real-token-is-different"
    assert fake_twilio.post_status(client, sid, "delivered").status_code == 403
    assert not DeliveryEvent.objects.exists()


def test_the_signature_covers_the_address_so_the_message_cannot_be_swapped(client, fake_twilio, sent_sms):
    _invitation, message, sid = sent_sms
    url = f"http://testserver{reverse('twilio_status')}?message={message.pk}"
    params = {"MessageSid": sid, "MessageStatus": "undelivered"}
    signature = fake_twilio.signature(url, params)
    response = client.post(
        reverse("twilio_status") + f"?message={message.pk + 1}", params, HTTP_X_TWILIO_SIGNATURE=signature
    )
    assert response.status_code == 403 and not DeliveryEvent.objects.exists()


def test_undelivered_is_a_bounce_with_the_error_code(client, fake_twilio, sent_sms):
    invitation, message, sid = sent_sms
    fake_twilio.post_status(client, sid, "undelivered", error_code="30003")
    fake_twilio.post_status(client, sid, "undelivered", error_code="30003")
    assert _delivery(invitation) == "bounced"
    event = InvitationEvent.objects.get(invitation=invitation, kind="bounced")
    assert event.detail == "Twilio error 30003"
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_BOUNCED).count() == 1
    assert OutboxMessage.objects.get(pk=message.pk).delivery_status == "bounced"


def test_failed_is_failed(client, fake_twilio, sent_sms):
    invitation, _message, sid = sent_sms
    fake_twilio.post_status(client, sid, "failed", error_code="30008")
    assert _delivery(invitation) == "failed"


def test_interim_statuses_are_acknowledged_and_ignored(client, fake_twilio, sent_sms):
    invitation, _message, sid = sent_sms
    for status in ("queued", "accepted", "sending"):
        assert fake_twilio.post_status(client, sid, status).status_code == 200
    assert not DeliveryEvent.objects.exists()
    assert list(InvitationEvent.objects.filter(invitation=invitation).values_list("kind", flat=True)) == [
        "queued",
        "sent",
    ]


def test_a_late_sent_report_does_not_undo_delivered(client, fake_twilio, sent_sms):
    invitation, message, sid = sent_sms
    fake_twilio.post_status(client, sid, "delivered")
    fake_twilio.post_status(client, sid, "sent")
    assert DeliveryEvent.objects.count() == 2  # both recorded
    assert _delivery(invitation) == "delivered"
    assert OutboxMessage.objects.get(pk=message.pk).delivery_status == "delivered"


def test_a_callback_without_the_message_in_its_address_is_found_by_sid(client, fake_twilio, sent_sms):
    invitation, _message, sid = sent_sms
    url = f"http://testserver{reverse('twilio_status')}"
    params = {"MessageSid": sid, "MessageStatus": "delivered", "AccountSid": fake_twilio.account_sid}
    response = client.post(reverse("twilio_status"), params, HTTP_X_TWILIO_SIGNATURE=fake_twilio.signature(url, params))
    assert response.status_code == 200
    assert _delivery(invitation) == "delivered"


def test_an_unknown_sid_is_acknowledged_and_ignored(client, fake_twilio, sent_sms):
    url = f"http://testserver{reverse('twilio_status')}"
    params = {"MessageSid": "SM" + "0" * 32, "MessageStatus": "delivered"}
    response = client.post(reverse("twilio_status"), params, HTTP_X_TWILIO_SIGNATURE=fake_twilio.signature(url, params))
    assert response.status_code == 200
    assert not DeliveryEvent.objects.exists()


def test_only_post_is_accepted(client, fake_twilio):
    assert client.get(reverse("twilio_status")).status_code == 405


def test_sent_messages_show_the_providers_reports(client, fake_twilio, sent_sms, org_a):
    _invitation, message, sid = sent_sms
    fake_twilio.post_status(client, sid, "undelivered", error_code="30005")
    client.force_login(org_a.admin)
    listing = client.get(reverse("message_list", args=["alpha"])).content.decode()
    assert '<span class="badge bad">Bounced</span>' in listing
    detail = client.get(reverse("message_detail", args=["alpha", message.pk])).content.decode()
    assert "Reports from the provider" in detail and "Twilio error 30005" in detail
