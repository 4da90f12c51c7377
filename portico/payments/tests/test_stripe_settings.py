"""Settings → Stripe: keys checked (format, mode, and by Stripe), stored encrypted, shown only as a
hint; a blank secret on edit keeps the stored one; disconnect after a confirm step."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.urls import reverse

from portico.audit.models import AuditAction, AuditEvent
from portico.core.crypto import secret_open
from portico.payments.models import StripeAccount, StripeCustomer
from testing.world import client_make


@pytest.fixture
def page(client, org_a):
    client.force_login(org_a.admin)
    return reverse("stripe_settings", args=[org_a.org.slug])


def _keys(fake, **more):
    return {
        "publishable_key": fake.publishable_key,
        "secret_key": fake.secret_key,
        "webhook_secret": fake.webhook_secret,
        **more,
    }


def test_connect_checks_the_key_with_stripe_and_stores_it_encrypted(client, org_a, page, fake_stripe):
    response = client.post(page, _keys(fake_stripe))
    assert response.status_code == 302
    account = StripeAccount.objects.get(org=org_a.org)
    assert secret_open(account.secret_key_sealed) == fake_stripe.secret_key
    assert account.secret_key_hint == "sk_test_…4242"
    assert fake_stripe.calls("GET", "/v1/balance")[-1]["auth"] == fake_stripe.secret_key
    with connection.cursor() as cursor:  # the column as stored holds neither secret
        cursor.execute(
            "SELECT secret_key_sealed, webhook_secret_sealed FROM payments_stripeaccount WHERE id = %s", [account.pk]
        )
        stored = " ".join(cursor.fetchone())
    assert fake_stripe.secret_key not in stored and fake_stripe.webhook_secret not in stored
    assert AuditEvent.objects.filter(action=AuditAction.STRIPE_CONNECTED, org=org_a.org).count() == 1
    shown = client.get(page).content.decode()
    assert "sk_test_…4242" in shown
    assert fake_stripe.secret_key not in shown and fake_stripe.webhook_secret not in shown
    assert reverse("stripe_webhook", args=[org_a.org.slug]) in shown and "setup_intent.succeeded" in shown


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"publishable_key": "sk_test_abc123"}, "pk_test_"),
        ({"secret_key": "pk_test_abc123"}, "sk_test_"),
        ({"webhook_secret": "secret123456"}, "whsec_"),
        ({"publishable_key": "pk_live_abc123"}, "must both be test keys or both live keys"),
    ],
)
def test_malformed_keys_are_refused_before_asking_stripe(client, org_a, page, fake_stripe, change, message):
    response = client.post(page, _keys(fake_stripe, **change))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not StripeAccount.objects.filter(org=org_a.org).exists()
    assert not fake_stripe.requests


def test_a_key_stripe_refuses_is_not_stored(client, org_a, page, fake_stripe):
    response = client.post(page, _keys(fake_stripe, secret_key="sk_test_wrongKey0000"))
    assert "Stripe refused the secret key" in response.content.decode()
    assert "sk_test_wrongKey0000" not in response.content.decode()
    assert not StripeAccount.objects.filter(org=org_a.org).exists()


def test_blank_secrets_on_edit_keep_the_stored_ones(client, org_a, page, fake_stripe):
    client.post(page, _keys(fake_stripe))
    response = client.post(
        page, {"publishable_key": fake_stripe.publishable_key, "secret_key": "", "webhook_secret": ""}
    )
    assert response.status_code == 302
    account = StripeAccount.objects.get(org=org_a.org)
    assert secret_open(account.secret_key_sealed) == fake_stripe.secret_key
    assert secret_open(account.webhook_secret_sealed) == fake_stripe.webhook_secret


def test_the_first_connection_needs_every_key(client, org_a, page, fake_stripe):
    response = client.post(page, {"publishable_key": fake_stripe.publishable_key})
    assert response.status_code == 200
    assert not StripeAccount.objects.filter(org=org_a.org).exists()


def test_disconnect_asks_first_then_forgets_the_keys(client, org_a, page, fake_stripe):
    client.post(page, _keys(fake_stripe))
    url = reverse("stripe_disconnect", args=[org_a.org.slug])
    assert "confirm-disconnect" in client.get(url).content.decode()
    assert StripeAccount.objects.filter(org=org_a.org).exists()
    assert client.post(url).status_code == 302
    assert not StripeAccount.objects.filter(org=org_a.org).exists()
    assert AuditEvent.objects.filter(action=AuditAction.STRIPE_DISCONNECTED, org=org_a.org).count() == 1


def test_the_settings_page_links_to_stripe(client, org_a, page):
    assert page in client.get(reverse("org_settings", args=[org_a.org.slug])).content.decode()


def test_another_secret_key_forgets_the_stripe_customers_the_same_one_keeps_them(client, org_a, page, fake_stripe):
    client.post(page, _keys(fake_stripe))
    record = client_make(org_a, "Cora Customer", email="cora@example.test")
    StripeCustomer.objects.create(org=org_a.org, client=record, customer_id="cus_first_account")
    client.post(page, {"publishable_key": fake_stripe.publishable_key, "secret_key": "", "webhook_secret": ""})
    assert StripeCustomer.objects.filter(client=record).exists()  # same key: same account
    fake_stripe.secret_key = "sk_test_anotherAccount7777"  # the fake now answers only this key
    assert client.post(page, _keys(fake_stripe)).status_code == 302
    assert not StripeCustomer.objects.filter(org=org_a.org).exists()


def test_unreadable_stored_keys_are_named_and_typed_again(client, org_a, page, fake_stripe, settings):
    client.post(page, _keys(fake_stripe))
    settings.SECRETS_KEYS = [Fernet.generate_key().decode()]  # SECRET_KEY or SECRETS_KEYS changed, old key lost
    shown = client.get(page).content.decode()
    assert "cannot be read with this installation" in shown
    blank = client.post(page, {"publishable_key": fake_stripe.publishable_key, "secret_key": "", "webhook_secret": ""})
    assert blank.status_code == 200 and "cannot be read with this installation" in blank.content.decode()
    assert client.post(page, _keys(fake_stripe)).status_code == 302
    account = StripeAccount.objects.get(org=org_a.org)
    assert secret_open(account.secret_key_sealed) == fake_stripe.secret_key
    assert "cannot be read" not in client.get(page).content.decode()
