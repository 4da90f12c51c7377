"""Web Push through the outbox to a local push service: VAPID-signed, encrypted for the device."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path
from urllib.parse import urlsplit

import http_ece
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management import call_command

from portico.core.actors import Actor
from portico.notifications.actions import Event, notification_preferences_save, notify_user
from portico.notifications.models import NotifyChannel, PushSubscription
from portico.notifications.push import PushTransport, application_server_key, vapid_load
from portico.outbox.models import Channel, OutboxMessage, OutboxState
from portico.outbox.transports import transport_for


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Device:
    """A browser's side of a subscription: its ECDH key and auth secret."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = b"0123456789abcdef"
        public = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.p256dh = _b64(public)

    def subscribe(self, user, endpoint: str) -> PushSubscription:
        return PushSubscription.objects.create(user=user, endpoint=endpoint, p256dh=self.p256dh, auth=_b64(self.auth))

    def decrypt(self, body: bytes) -> dict:
        return json.loads(http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"))


def _push_only(w, user) -> None:
    notification_preferences_save(
        org=w.org, user=user, actor=Actor.system(), prefs={"request_opened": [NotifyChannel.IN_APP, NotifyChannel.PUSH]}
    )


def _event(key: str = "e1") -> Event:
    return Event(kind="request_opened", key=key, title="New request", body="Ana asked about rent", url="/o/alpha/x/")


def test_push_is_registered_for_the_push_channel():
    assert isinstance(transport_for(Channel.PUSH), PushTransport)


def test_push_arrives_signed_and_encrypted(org_a, fake_push, deliver, settings):
    device = Device()
    endpoint = fake_push.endpoint()
    device.subscribe(org_a.admin, endpoint)
    _push_only(org_a, org_a.admin)
    with deliver():
        notify_user(org=org_a.org, user=org_a.admin, event=_event())

    message = OutboxMessage.objects.get(channel=Channel.PUSH)
    assert message.state == OutboxState.SENT
    assert not OutboxMessage.objects.filter(channel=Channel.EMAIL).exists()  # email is off
    [received] = fake_push.received
    assert received["path"] == urlsplit(endpoint).path
    headers = received["headers"]
    assert headers["content-encoding"] == "aes128gcm"
    assert headers["ttl"] == "3600"
    assert device.decrypt(received["body"]) == {
        "title": "New request",
        "body": "Ana asked about rent",
        "url": "/o/alpha/x/",
    }

    scheme, _, params = headers["authorization"].partition(" ")
    assert scheme == "vapid"
    fields = dict(part.split("=", 1) for part in params.split(","))
    public_key = application_server_key(vapid_load())
    assert fields["k"] == public_key
    verifying_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _unb64(fields["k"]))
    assert jwt.get_unverified_header(fields["t"])["alg"] == "ES256"
    claims = jwt.decode(fields["t"], verifying_key, algorithms=["ES256"], audience=fake_push.base_url)
    assert claims["aud"] == fake_push.base_url
    assert claims["sub"] == settings.VAPID_SUBJECT


def test_every_device_of_the_person_gets_one(org_a, fake_push, deliver):
    phone, laptop = Device(), Device()
    phone.subscribe(org_a.admin, fake_push.endpoint())
    laptop.subscribe(org_a.admin, fake_push.endpoint())
    phone.subscribe(org_a.readonly, fake_push.endpoint())  # someone else's device
    _push_only(org_a, org_a.admin)
    with deliver():
        notify_user(org=org_a.org, user=org_a.admin, event=_event())
    assert len(fake_push.received) == 2


def test_a_gone_subscription_is_deleted_and_not_retried(org_a, fake_push, deliver):
    device = Device()
    endpoint = fake_push.endpoint()
    subscription = device.subscribe(org_a.admin, endpoint)
    fake_push.gone(endpoint)
    _push_only(org_a, org_a.admin)
    with deliver():
        notify_user(org=org_a.org, user=org_a.admin, event=_event())
    assert not PushSubscription.objects.filter(pk=subscription.pk).exists()
    assert OutboxMessage.objects.get(channel=Channel.PUSH).state == OutboxState.SENT  # nothing left to do
    assert fake_push.received == []


def test_an_outage_is_retried(org_a, fake_push, deliver):
    device = Device()
    device.subscribe(org_a.admin, fake_push.endpoint())
    fake_push.fail_next(1)
    _push_only(org_a, org_a.admin)
    with deliver():
        notify_user(org=org_a.org, user=org_a.admin, event=_event())
    message = OutboxMessage.objects.get(channel=Channel.PUSH)
    assert message.state in (OutboxState.PENDING, OutboxState.FAILED)
    assert message.state != OutboxState.SENT
    assert PushSubscription.objects.filter(user=org_a.admin).exists()


def test_a_subscription_removed_before_sending_sends_nothing(org_a, fake_push):
    device = Device()
    subscription = device.subscribe(org_a.admin, fake_push.endpoint())
    _push_only(org_a, org_a.admin)
    notify_user(org=org_a.org, user=org_a.admin, event=_event())
    subscription.delete()
    message = OutboxMessage.objects.get(channel=Channel.PUSH)
    assert PushTransport().send(message) == ""
    assert fake_push.received == []


def test_vapid_keys_command_writes_a_private_key_and_prints_the_public_one(tmp_path, capsys):
    path: Path = tmp_path / "keys" / "vapid.pem"
    call_command("vapid_keys", "--output", str(path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    printed = capsys.readouterr().out.strip()
    raw = _unb64(printed)
    assert len(raw) == 65 and raw[0] == 4  # an uncompressed P-256 point
    from py_vapid import Vapid

    assert application_server_key(Vapid.from_pem(path.read_bytes())) == printed
    # Existing keys are kept unless forced; --if-missing is quiet about them.
    call_command("vapid_keys", "--output", str(path), "--if-missing")
    assert capsys.readouterr().out == ""
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("vapid_keys", "--output", str(path))


def test_a_deploy_check_warns_without_a_key_file(settings, tmp_path):
    from portico.notifications.checks import check_vapid_key

    settings.VAPID_PRIVATE_KEY_FILE = tmp_path / "missing.pem"
    assert [w.id for w in check_vapid_key(None)] == ["portico.W020"]
    call_command("vapid_keys", "--output", str(settings.VAPID_PRIVATE_KEY_FILE))
    assert check_vapid_key(None) == []


def test_a_device_that_changed_hands_gets_nothing_meant_for_its_former_owner(
    org_a, fake_push, deliver, django_capture_on_commit_callbacks
):
    device = Device()
    subscription = device.subscribe(org_a.admin, fake_push.endpoint())
    _push_only(org_a, org_a.admin)
    with django_capture_on_commit_callbacks(execute=False):  # written, not yet delivered
        notify_user(org=org_a.org, user=org_a.admin, event=_event())
    PushSubscription.objects.filter(pk=subscription.pk).update(user=org_a.readonly)
    from portico.outbox.actions import outbox_sweep
    from testing.world import run_tasks

    outbox_sweep()
    run_tasks()
    assert fake_push.received == []
