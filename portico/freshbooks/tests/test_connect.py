"""Settings → FreshBooks: the OAuth flow against the local fake FreshBooks through the official SDK.
The state is 256 bits, kept only as its SHA-256, used once, by the person who started, within its
time; the code is exchanged, the identity names the account; tokens are stored sealed; disconnect
after a confirm step; FreshBooks' refusals change nothing."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine
from django.db import connection as db_connection
from django.urls import reverse
from django.utils import timezone

from portico.audit.models import AuditAction, AuditEvent
from portico.core.actors import Actor
from portico.core.crypto import secret_open
from portico.core.errors import PorticoError
from portico.freshbooks.actions import freshbooks_connect_finish, freshbooks_connect_start
from portico.freshbooks.models import FreshbooksAuthState, FreshbooksConnection
from portico.freshbooks.tests.factories import connect, connection_make, customer_make, staff, state_of
from portico.orgs.actions import membership_add
from testing.world import user_create


@pytest.fixture
def settings_page(client, org_a):
    client.force_login(org_a.admin)
    return reverse("freshbooks_settings", args=[org_a.org.slug])


def _start(client, org) -> str:
    response = client.post(reverse("freshbooks_connect", args=[org.slug]))
    assert response.status_code == 302
    return response["Location"]


def _callback(client, **params):
    return client.get(reverse("freshbooks_callback"), params)


def test_connect_sends_the_administrator_to_freshbooks_with_a_one_time_state(
    client, org_a, settings_page, fake_freshbooks
):
    location = _start(client, org_a.org)
    assert location.startswith(f"{fake_freshbooks.base_url}/oauth/authorize?")
    assert f"client_id={fake_freshbooks.client_id}" in location
    assert "redirect_uri=http%3A%2F%2Ftestserver%2Ffreshbooks%2Fcallback%2F" in location
    state = state_of(location)
    assert len(state) >= 43  # 32 random bytes, url-safe base64
    stored = FreshbooksAuthState.objects.get(org=org_a.org)
    assert stored.state_hash == hashlib.sha256(state.encode()).hexdigest() and state not in stored.state_hash
    assert stored.user == org_a.admin and stored.used_at is None


def test_the_callback_connects_and_stores_the_tokens_sealed(client, org_a, settings_page, fake_freshbooks):
    state = state_of(_start(client, org_a.org))
    response = _callback(client, code=fake_freshbooks.code(), state=state)
    assert response.status_code == 302 and response["Location"] == settings_page
    stored = FreshbooksConnection.objects.get(org=org_a.org)
    assert stored.account_id == fake_freshbooks.account_id and stored.business_name == "Fake Books Ltd."
    assert stored.connected_by == org_a.admin
    access, refresh = secret_open(stored.access_token), secret_open(stored.refresh_token)
    assert access in fake_freshbooks.access_tokens and fake_freshbooks.refresh_usable(refresh)
    with db_connection.cursor() as cursor:  # the columns as stored hold neither token
        cursor.execute(
            "SELECT access_token, refresh_token FROM freshbooks_freshbooksconnection WHERE id = %s", [stored.pk]
        )
        raw = " ".join(cursor.fetchone())
    assert access not in raw and refresh not in raw
    assert stored.expires_at > timezone.now() + dt.timedelta(hours=11)
    event = AuditEvent.objects.get(action=AuditAction.FRESHBOOKS_CONNECTED, org=org_a.org)
    assert event.detail["account_id"] == fake_freshbooks.account_id
    page = client.get(settings_page).content.decode()
    assert "Fake Books Ltd." in page and fake_freshbooks.account_id in page and "FreshBooks is connected" in page
    assert reverse("freshbooks_disconnect", args=[org_a.org.slug]) in page
    assert access not in page and refresh not in page


def test_the_state_is_used_once(client, org_a, settings_page, fake_freshbooks):
    state = state_of(_start(client, org_a.org))
    _callback(client, code=fake_freshbooks.code(), state=state)
    FreshbooksConnection.objects.all().delete()
    replay = _callback(client, code=fake_freshbooks.code(), state=state)
    assert replay.status_code == 302
    assert not FreshbooksConnection.objects.exists()
    assert "expired or was already used" in client.get(settings_page).content.decode()


def test_two_callbacks_with_one_state_connect_once(org_a, fake_freshbooks):
    state = state_of(freshbooks_connect_start(org=org_a.org, user=org_a.admin))
    freshbooks_connect_finish(state=state, code=fake_freshbooks.code(), actor=staff(org_a))
    with pytest.raises(PorticoError) as refused:
        freshbooks_connect_finish(state=state, code=fake_freshbooks.code(), actor=staff(org_a))
    assert refused.value.code == "invalid_state"
    assert len(fake_freshbooks.calls("token")) == 1  # the replay never reached FreshBooks
    assert AuditEvent.objects.filter(action=AuditAction.FRESHBOOKS_CONNECTED).count() == 1


def test_an_expired_state_is_refused(org_a, fake_freshbooks):
    state = state_of(freshbooks_connect_start(org=org_a.org, user=org_a.admin))
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)), pytest.raises(PorticoError) as refused:
        freshbooks_connect_finish(state=state, code=fake_freshbooks.code(), actor=staff(org_a))
    assert refused.value.code == "invalid_state" and not fake_freshbooks.calls("token")
    assert not FreshbooksConnection.objects.exists()


def test_an_unknown_state_is_a_clear_error_page(client, org_a, settings_page, fake_freshbooks):
    response = _callback(client, code=fake_freshbooks.code(), state="not-a-state")
    assert response.status_code == 400 and b"not valid" in response.content
    assert _callback(client, code="x").status_code == 400


def test_only_the_person_who_started_finishes(client, org_a, fake_freshbooks):
    state = state_of(freshbooks_connect_start(org=org_a.org, user=org_a.admin))
    second_admin = user_create("second@alpha.test")
    membership_add(org=org_a.org, user=second_admin, role=org_a.roles["Admin"], actor=Actor.system())
    client.force_login(second_admin)
    response = _callback(client, code=fake_freshbooks.code(), state=state)
    assert response.status_code == 302
    assert not FreshbooksConnection.objects.exists() and not fake_freshbooks.calls("token")
    assert FreshbooksAuthState.objects.get().used_at is None  # still usable by the one who started


def test_the_callback_of_another_organization_is_404(client, org_a, org_b, fake_freshbooks):
    state = state_of(freshbooks_connect_start(org=org_a.org, user=org_a.admin))
    client.force_login(org_b.admin)
    assert _callback(client, code=fake_freshbooks.code(), state=state).status_code == 404
    assert not FreshbooksConnection.objects.exists()


def test_the_callback_needs_the_settings_permission(client, org_a, fake_freshbooks):
    state = state_of(freshbooks_connect_start(org=org_a.org, user=org_a.readonly))
    client.force_login(org_a.readonly)
    response = _callback(client, code=fake_freshbooks.code(), state=state)
    assert response.status_code == 403 and b"org.settings" in response.content
    assert not FreshbooksConnection.objects.exists()


def test_a_logged_out_callback_asks_to_sign_in_first(client, org_a, fake_freshbooks):
    response = _callback(client, code="c", state="s")
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_access_denied_connects_nothing(client, org_a, settings_page, fake_freshbooks):
    state = state_of(_start(client, org_a.org))
    response = _callback(client, error="access_denied", state=state)
    assert response.status_code == 302 and response["Location"] == settings_page
    assert not FreshbooksConnection.objects.exists() and not fake_freshbooks.calls("token")
    assert "was not allowed" in client.get(settings_page).content.decode()


@pytest.mark.parametrize("endpoint", ["token", "me"])
def test_a_freshbooks_error_changes_nothing_and_says_what_freshbooks_said(
    client, org_a, settings_page, fake_freshbooks, endpoint
):
    state = state_of(_start(client, org_a.org))
    fake_freshbooks.fail_next(endpoint, 500)
    _callback(client, code=fake_freshbooks.code(), state=state)
    assert not FreshbooksConnection.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.FRESHBOOKS_CONNECTED).exists()
    page = client.get(settings_page).content.decode()
    assert "FreshBooks answered 500" in page and "having a moment" in page


def test_a_code_freshbooks_refuses_is_shown(client, org_a, settings_page, fake_freshbooks):
    state = state_of(_start(client, org_a.org))
    _callback(client, code="a-code-freshbooks-never-issued", state=state)
    assert not FreshbooksConnection.objects.exists()
    assert "The provided authorization grant is invalid" in client.get(settings_page).content.decode()


def test_connect_is_refused_when_the_server_has_no_freshbooks_app(client, org_a, settings_page, settings):
    settings.FRESHBOOKS_CLIENT_ID = settings.FRESHBOOKS_CLIENT_SECRET = ""
    page = client.get(settings_page).content.decode()
    assert "not set up on this server" in page and "FRESHBOOKS_CLIENT_ID" in page
    response = client.post(reverse("freshbooks_connect", args=[org_a.org.slug]))
    assert response["X-Portico-Refusal"] == "not_configured"
    assert not FreshbooksAuthState.objects.exists()


def test_disconnect_asks_first_then_forgets_the_tokens_and_customers_keep_their_id(
    client, org_a, settings_page, fake_freshbooks
):
    connect(org_a, fake_freshbooks)
    customer = customer_make(org_a)
    customer.freshbooks_id = "4242"
    customer.save(update_fields=["freshbooks_id"])
    url = reverse("freshbooks_disconnect", args=[org_a.org.slug])
    confirm = client.get(url)
    assert confirm.status_code == 200 and b"Disconnect FreshBooks?" in confirm.content
    assert FreshbooksConnection.objects.exists()
    assert client.post(url)["Location"] == settings_page
    assert not FreshbooksConnection.objects.filter(org=org_a.org).exists()
    customer.refresh_from_db()
    assert customer.freshbooks_id == "4242"
    assert AuditEvent.objects.filter(action=AuditAction.FRESHBOOKS_DISCONNECTED, org=org_a.org).count() == 1
    page = client.get(settings_page).content.decode()
    assert "Connect FreshBooks" in page and reverse("freshbooks_connect", args=[org_a.org.slug]) in page


def test_disconnecting_another_organization_touches_nothing_of_it(client, org_a, org_b):
    connection_make(org_a)
    client.force_login(org_b.admin)
    client.post(reverse("freshbooks_disconnect", args=[org_b.org.slug]))
    assert FreshbooksConnection.objects.filter(org=org_a.org).exists()


def test_the_settings_page_links_from_organization_settings(client, org_a, settings_page):
    page = client.get(reverse("org_settings", args=[org_a.org.slug])).content.decode()
    assert settings_page in page
