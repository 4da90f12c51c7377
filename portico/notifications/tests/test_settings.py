"""The notification settings page: channels per event kind, this device's push subscription,
the test notification; and the installable app's manifest and service worker."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from portico.audit.models import AuditAction, AuditEvent
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.notifications.actions import Event, notification_preferences_save, notify_user
from portico.notifications.models import EventKind, Notification, NotificationPreference, PushSubscription
from portico.notifications.selectors import channels_for
from portico.outbox.models import Channel, OutboxMessage


def _url(w, name: str = "notification_settings") -> str:
    return reverse(name, kwargs={"org_slug": w.org.slug})


def _box(body: str, kind: str, channel: str) -> str:
    """The attributes of one checkbox of the table, whitespace squeezed."""
    match = re.search(rf'<input type="checkbox" name="channels_{kind}" value="{channel}"([^>]*)>', body)
    assert match, (kind, channel)
    return " ".join(match[1].split())


def _subscription(endpoint: str = "https://push.example.test/send/abc") -> dict:
    return {"endpoint": endpoint, "expirationTime": None, "keys": {"p256dh": "BPk3-p256dh-key", "auth": "auth-secret"}}


# --- the preferences ---


def test_the_page_lists_every_event_kind_but_the_test_one(client, org_a):
    client.force_login(org_a.readonly)  # any staff member, whatever the role
    response = client.get(_url(org_a))
    assert response.status_code == 200
    body = response.content.decode()
    for kind in EventKind:
        assert (f'name="channels_{kind.value}"' in body) is (kind != EventKind.TEST)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in body
    assert reverse("push_subscribe", kwargs={"org_slug": org_a.org.slug}) in body


def test_defaults_are_in_app_and_email(client, org_a):
    client.force_login(org_a.admin)
    body = client.get(_url(org_a)).content.decode()
    assert _box(body, "request_opened", "in_app") == "checked"
    assert _box(body, "request_opened", "email") == "checked"
    assert _box(body, "request_opened", "push") == ""


def test_saving_the_form_stores_each_kind_and_is_audited(client, org_a):
    client.force_login(org_a.admin)
    response = client.post(
        _url(org_a),
        {"channels_request_opened": ["push", "in_app"], "channels_client_replied": ["email"]},
    )
    assert response.status_code == 302
    assert channels_for(org=org_a.org, user=org_a.admin, kind="request_opened") == ["in_app", "push"]
    assert channels_for(org=org_a.org, user=org_a.admin, kind="client_replied") == ["email"]
    assert channels_for(org=org_a.org, user=org_a.admin, kind="invitation_bounced") == []  # unticked: none
    event = AuditEvent.objects.get(action=AuditAction.NOTIFICATION_PREFERENCES_CHANGED)
    assert event.detail["request_opened"] == {"from": ["in_app", "email"], "to": ["in_app", "push"]}
    assert event.actor_user == org_a.admin
    # Only the person's own preferences, in this organization.
    assert not NotificationPreference.objects.exclude(user=org_a.admin).exists()


def test_sms_is_not_offered_without_a_phone(client, org_a):
    client.force_login(org_a.admin)
    body = client.get(_url(org_a)).content.decode()
    assert _box(body, "request_opened", "sms") == "disabled"
    assert "SMS needs a mobile number" in body
    client.post(_url(org_a), {"channels_request_opened": ["sms", "email"]})
    assert channels_for(org=org_a.org, user=org_a.admin, kind="request_opened") == ["email"]


def test_sms_is_kept_with_a_phone(client, org_a):
    org_a.admin.phone = "+525512345678"
    org_a.admin.save(update_fields=["phone"])
    client.force_login(org_a.admin)
    assert "SMS needs a mobile number" not in client.get(_url(org_a)).content.decode()
    client.post(_url(org_a), {"channels_request_opened": ["sms"]})
    assert channels_for(org=org_a.org, user=org_a.admin, kind="request_opened") == ["sms"]


def test_unknown_kinds_and_channels_are_refused(org_a):
    with pytest.raises(PorticoError):
        notification_preferences_save(org=org_a.org, user=org_a.admin, actor=Actor.system(), prefs={"nope": []})
    with pytest.raises(PorticoError):
        notification_preferences_save(
            org=org_a.org, user=org_a.admin, actor=Actor.system(), prefs={"request_opened": ["pigeon"]}
        )
    with pytest.raises(PorticoError):
        notification_preferences_save(org=org_a.org, user=org_a.admin, actor=Actor.system(), prefs={"test": []})
    assert not NotificationPreference.objects.exists()


def test_an_unchanged_save_writes_no_audit_row(org_a):
    prefs = {"request_opened": ["in_app", "email"]}  # the defaults
    notification_preferences_save(org=org_a.org, user=org_a.admin, actor=Actor.system(), prefs=prefs)
    assert not AuditEvent.objects.filter(action=AuditAction.NOTIFICATION_PREFERENCES_CHANGED).exists()


def test_notify_user_respects_the_saved_channels(org_a):
    event = Event(kind="client_replied", key="k1", title="Reply", body="Hi")
    notification_preferences_save(
        org=org_a.org, user=org_a.admin, actor=Actor.system(), prefs={"client_replied": ["in_app"]}
    )
    assert notify_user(org=org_a.org, user=org_a.admin, event=event) is not None
    assert not OutboxMessage.objects.filter(channel=Channel.EMAIL).exists()  # email off: no email
    notification_preferences_save(
        org=org_a.org, user=org_a.admin, actor=Actor.system(), prefs={"client_replied": ["in_app", "email"]}
    )
    notify_user(org=org_a.org, user=org_a.admin, event=Event(kind="client_replied", key="k2", title="Again"))
    assert OutboxMessage.objects.filter(channel=Channel.EMAIL, to=org_a.admin.email).count() == 1


def test_preferences_are_per_organization(org_a, org_b):
    from portico.orgs.actions import membership_add

    membership_add(org=org_b.org, user=org_a.admin, role=org_b.roles["Read-only"], actor=Actor.system())
    notification_preferences_save(
        org=org_a.org, user=org_a.admin, actor=Actor.system(), prefs={"client_replied": ["in_app"]}
    )
    assert channels_for(org=org_b.org, user=org_a.admin, kind="client_replied") == ["in_app", "email"]


# --- this device ---


def test_subscribe_stores_the_subscription_for_the_signed_in_staff_member(client, org_a):
    client.force_login(org_a.readonly)
    response = client.post(
        _url(org_a, "push_subscribe"),
        json.dumps(_subscription()),
        content_type="application/json",
        HTTP_USER_AGENT="Phone browser",
    )
    assert response.status_code == 201
    subscription = PushSubscription.objects.get()
    assert subscription.user == org_a.readonly
    assert (subscription.endpoint, subscription.p256dh, subscription.auth) == (
        "https://push.example.test/send/abc",
        "BPk3-p256dh-key",
        "auth-secret",
    )
    assert subscription.user_agent == "Phone browser"


def test_subscribing_again_updates_and_moves_the_device(client, org_a):
    client.force_login(org_a.readonly)
    client.post(_url(org_a, "push_subscribe"), json.dumps(_subscription()), content_type="application/json")
    client.force_login(org_a.admin)  # someone else signs in on the same phone: same keys, it moves
    client.post(_url(org_a, "push_subscribe"), json.dumps(_subscription()), content_type="application/json")
    assert PushSubscription.objects.get().user == org_a.admin
    # Only the endpoint, with other keys, is not enough to take it over.
    data = _subscription()
    data["keys"]["auth"] = "new-auth"
    client.force_login(org_a.readonly)
    response = client.post(_url(org_a, "push_subscribe"), json.dumps(data), content_type="application/json")
    assert response.status_code == 403
    subscription = PushSubscription.objects.get()
    assert (subscription.user, subscription.auth) != (org_a.readonly, "new-auth")


@pytest.mark.parametrize(
    "body",
    ["not json", json.dumps({"endpoint": "https://push.example.test/x"}), json.dumps(_subscription("http://x/"))],
)
def test_a_malformed_subscription_is_refused(client, org_a, body):
    client.force_login(org_a.admin)
    response = client.post(_url(org_a, "push_subscribe"), body, content_type="application/json")
    assert response.status_code == 400
    assert not PushSubscription.objects.exists()


def test_subscribe_is_post_only_and_csrf_protected(org_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(org_a.admin)
    assert client.get(_url(org_a, "push_subscribe")).status_code == 405
    response = client.post(_url(org_a, "push_subscribe"), json.dumps(_subscription()), content_type="application/json")
    assert response.status_code == 403
    client.get(_url(org_a))  # the page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        _url(org_a, "push_subscribe"),
        json.dumps(_subscription()),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 201


def test_the_test_notification_button(client, org_a):
    client.force_login(org_a.admin)
    response = client.post(_url(org_a, "notification_test"), follow=True)
    assert response.redirect_chain[-1][0] == _url(org_a)
    assert "Sent: check your phone and email." in response.content.decode()
    notification = Notification.objects.get(recipient=org_a.admin, kind=EventKind.TEST)
    assert notification.org == org_a.org
    assert OutboxMessage.objects.filter(channel=Channel.EMAIL, to=org_a.admin.email).exists()


@pytest.mark.parametrize("name", ["notification_settings", "push_subscribe", "notification_test"])
def test_another_organizations_staff_get_404(client, org_a, org_b, name):
    client.force_login(org_b.admin)
    assert client.post(_url(org_a, name)).status_code == 404


@pytest.mark.parametrize("name", ["notification_settings", "push_subscribe", "notification_test"])
def test_signed_out_visitors_are_sent_to_sign_in(client, org_a, name):
    response = client.post(_url(org_a, name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not PushSubscription.objects.exists() and not Notification.objects.exists()


# --- the installable app ---


def test_the_manifest(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = response.json()
    assert (data["name"], data["start_url"], data["display"]) == ("Portico", "/", "standalone")
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}


def test_the_icons_exist():
    from django.contrib.staticfiles import finders
    from PIL import Image

    for size in (192, 512):
        path = finders.find(f"portico/icons/icon-{size}.png")
        assert path, size
        with Image.open(path) as image:
            assert image.size == (size, size)


def test_the_service_worker_is_served_from_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    assert 'addEventListener("push"' in body and 'addEventListener("notificationclick"' in body


def test_someone_elses_endpoint_cannot_be_taken_without_its_keys(org_a):
    from portico.core.errors import PorticoError
    from portico.notifications.actions import push_subscription_save

    endpoint = "https://push.example.test/device-1"
    push_subscription_save(user=org_a.admin, endpoint=endpoint, p256dh="key-a", auth="auth-a")
    with pytest.raises(PorticoError):
        push_subscription_save(user=org_a.readonly, endpoint=endpoint, p256dh="key-b", auth="auth-b")
    # The same browser (same keys) signed in as someone else moves to them.
    moved = push_subscription_save(user=org_a.readonly, endpoint=endpoint, p256dh="key-a", auth="auth-a")
    assert moved.user == org_a.readonly


def test_without_in_app_the_bell_stays_quiet(org_a):
    from portico.notifications.actions import Event, notification_preferences_save, notify_user
    from portico.notifications.selectors import unread_count

    notification_preferences_save(
        org=org_a.org, user=org_a.admin, actor=Actor.system(), prefs={"request_opened": ["email"]}
    )
    notify_user(org=org_a.org, user=org_a.admin, event=Event(kind="request_opened", key="k1", title="T"))
    assert unread_count(org=org_a.org, user=org_a.admin) == 0
