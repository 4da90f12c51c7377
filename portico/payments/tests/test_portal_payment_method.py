"""The client's payment method in the portal: add (a Stripe customer once, a SetupIntent per attempt,
each with an idempotency key), the Payment Element page, the return page (card, ACH pending until
the webhook, failure), remove; another person's or organization's records are a 404."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portico.audit.models import AuditAction, AuditEvent
from portico.estimates.tests.factories import joined
from portico.payments.models import PaymentMethod, PaymentMethodState, StripeCustomer
from portico.payments.tests.factories import event, stripe_account_make, webhook_post
from testing.world import client_make


@pytest.fixture
def person(client, org_a, fake_stripe):
    stripe_account_make(org_a, secret=fake_stripe.secret_key, publishable=fake_stripe.publishable_key)
    record, user = joined(org_a)
    client.force_login(user)
    return record


def _add(client, org, record, attempt="attempt-1"):
    return client.post(
        reverse("portal_payment_method_add", args=[org.org.slug]), {"client": record.pk, "attempt": attempt}
    )


def _confirm(fake, seti, **data):
    """What the stand-in Stripe.js sends from the browser (with the publishable key)."""
    intent = fake.setup_intents[seti]
    _status, answer = fake.answer(
        "POST",
        f"/v1/setup_intents/{seti}/confirm",
        {"Authorization": f"Bearer {fake.publishable_key}"},
        "&".join(f"{k}={v}" for k, v in {"client_secret": intent["client_secret"], **data}.items()).encode(),
    )
    return answer


CARD = {"payment_method_data[type]": "card", "payment_method_data[card][number]": "4242424242424242",
        "payment_method_data[card][exp]": "12/34"}  # fmt: skip
DECLINED = {**CARD, "payment_method_data[card][number]": "4000000000009995"}
BANK = {"payment_method_data[type]": "us_bank_account", "payment_method_data[us_bank_account][routing_number]": "110000000",
        "payment_method_data[us_bank_account][account_number]": "000123456789"}  # fmt: skip


def test_the_page_shows_none_then_add(client, org_a, person):
    page = client.get(reverse("portal_payment_method", args=[org_a.org.slug])).content.decode()
    assert 'id="no-method"' in page and 'id="add-method"' in page


def test_add_makes_one_customer_and_a_setup_intent_with_idempotency_keys(client, org_a, person, fake_stripe, settings):
    response = _add(client, org_a, person)
    assert response.status_code == 200
    page = response.content.decode()
    assert settings.STRIPE_JS_URL in page and fake_stripe.publishable_key in page
    assert fake_stripe.secret_key not in page
    # The element is not inside any form that posts to Portico.
    element_at = page.index('id="payment-element"')
    assert page.rfind("<form", 0, element_at) < page.rfind("</form>", 0, element_at) or "<form" not in page[:element_at]
    customers, intents = fake_stripe.calls("POST", "/v1/customers"), fake_stripe.calls("POST", "/v1/setup_intents")
    assert [c["idempotency_key"] for c in customers] == [f"portico-customer-{org_a.org.pk}-{person.pk}"]
    assert intents[0]["idempotency_key"] == f"portico-setup-{org_a.org.pk}-{person.pk}-attempt-1"
    form = intents[0]["form"]
    assert form["usage"] == "off_session" and form["metadata[client]"] == str(person.pk)
    assert {form["payment_method_types[0]"], form["payment_method_types[1]"]} == {"card", "us_bank_account"}
    pm = PaymentMethod.objects.get(client=person)
    assert pm.state == PaymentMethodState.PENDING and pm.setup_intent_id in page
    assert AuditEvent.objects.filter(action=AuditAction.PAYMENT_METHOD_STARTED).count() == 1
    # The same attempt again (a reload): the same SetupIntent; a new attempt: a new one, same customer.
    _add(client, org_a, person)
    assert PaymentMethod.objects.filter(client=person).count() == 1
    _add(client, org_a, person, attempt="attempt-2")
    assert PaymentMethod.objects.filter(client=person).count() == 2
    assert StripeCustomer.objects.filter(client=person).count() == 1
    assert all(r["idempotency_key"] for r in fake_stripe.requests if r["method"] == "POST")


def _return(client, org, pm):
    return client.get(
        reverse("portal_payment_method_return", args=[org.org.slug]), {"setup_intent": pm.setup_intent_id}
    )


def test_return_after_a_card_shows_it_active(client, org_a, person, fake_stripe):
    _add(client, org_a, person)
    pm = PaymentMethod.objects.get(client=person)
    _confirm(fake_stripe, pm.setup_intent_id, **CARD)
    response = _return(client, org_a, pm)
    assert response.status_code == 302
    pm.refresh_from_db()
    assert (pm.state, pm.brand, pm.last4, pm.kind) == ("active", "visa", "4242", "card")
    assert fake_stripe.calls("GET", f"/v1/setup_intents/{pm.setup_intent_id}")[-1]["form"] == {
        "expand[0]": "payment_method"
    }
    page = client.get(response["Location"]).content.decode()
    assert "Visa</strong> •••• 4242" in page and "Your payment method is saved." in page


def test_a_bank_account_stays_pending_until_the_webhook(client, org_a, person, fake_stripe):
    _add(client, org_a, person)
    pm = PaymentMethod.objects.get(client=person)
    _confirm(fake_stripe, pm.setup_intent_id, **BANK)
    page = client.get(_return(client, org_a, pm)["Location"]).content.decode()
    pm.refresh_from_db()
    assert pm.state == PaymentMethodState.PENDING and pm.last4 == "6789" and pm.brand == "STRIPE TEST BANK"
    assert "verified in 1–2 business days" in page
    fake_stripe.setup_intents[pm.setup_intent_id]["status"] = "succeeded"
    webhook_post(
        client,
        org_a,
        event("setup_intent.succeeded", fake_stripe.setup_intents[pm.setup_intent_id]),
        secret="whsec_factoryWebhookSecret",
    )
    pm.refresh_from_db()
    assert pm.state == PaymentMethodState.ACTIVE and pm.last4 == "6789"


def test_a_declined_card_fails_on_return_with_stripes_message(client, org_a, person, fake_stripe):
    _add(client, org_a, person)
    pm = PaymentMethod.objects.get(client=person)
    _confirm(fake_stripe, pm.setup_intent_id, **DECLINED)
    page = client.get(_return(client, org_a, pm)["Location"]).content.decode()
    pm.refresh_from_db()
    assert pm.state == PaymentMethodState.FAILED and pm.failure_message == "Your card has insufficient funds."
    assert "insufficient funds" in page


def test_remove_asks_then_detaches_at_stripe(client, org_a, person, fake_stripe):
    _add(client, org_a, person)
    pm = PaymentMethod.objects.get(client=person)
    _confirm(fake_stripe, pm.setup_intent_id, **CARD)
    _return(client, org_a, pm)
    pm.refresh_from_db()
    url = reverse("portal_payment_method_remove", args=[org_a.org.slug, pm.pk])
    assert 'id="confirm-remove"' in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    pm.refresh_from_db()
    assert pm.state == PaymentMethodState.REMOVED
    assert fake_stripe.calls("POST", f"/v1/payment_methods/{pm.payment_method_id}/detach")


def test_another_persons_or_organizations_records_are_404(client, org_a, org_b, person, fake_stripe):
    stranger = client_make(org_a, "Sam Stranger", email="sam@example.test")
    theirs = PaymentMethod.objects.create(org=org_a.org, client=stranger, setup_intent_id="seti_theirs")
    slug = org_a.org.slug
    assert client.get(reverse("portal_payment_method", args=[slug]), {"client": stranger.pk}).status_code == 404
    assert _add(client, org_a, stranger).status_code == 404
    assert _return(client, org_a, theirs).status_code == 404
    assert client.get(reverse("portal_payment_method_remove", args=[slug, theirs.pk])).status_code == 404
    assert client.post(reverse("portal_payment_method_remove", args=[slug, theirs.pk])).status_code == 404
    for name in ("portal_payment_method", "portal_payment_method_return"):
        assert client.get(reverse(name, args=[org_b.org.slug])).status_code == 404
    assert not fake_stripe.calls("POST", "/v1/setup_intents")


def test_keys_this_installation_cannot_read_say_payments_are_not_available(client, org_a, person, settings):
    settings.SECRETS_KEYS = [Fernet.generate_key().decode()]
    response = _add(client, org_a, person)
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Payments are not available right now" in page
    assert not PaymentMethod.objects.filter(client=person).exists()


def test_a_customer_of_the_other_mode_is_not_reused(client, org_a, person, fake_stripe):
    """Test ↔ live (or another account): a customer made with other keys does not exist there."""
    StripeCustomer.objects.create(org=org_a.org, client=person, customer_id="cus_live_one", livemode=True)
    assert _add(client, org_a, person).status_code == 200
    customers = fake_stripe.calls("POST", "/v1/customers")
    assert len(customers) == 1
    made = StripeCustomer.objects.get(client=person)
    assert made.customer_id != "cus_live_one" and made.livemode is False
    assert fake_stripe.calls("POST", "/v1/setup_intents")[0]["form"]["customer"] == made.customer_id


def test_the_page_reads_the_persons_records_once(client, org_a, person):
    url = reverse("portal_payment_method", args=[org_a.org.slug])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    records_reads = [q for q in queries.captured_queries if q["sql"].startswith('SELECT "clients_client"."id"')]
    assert len(records_reads) == 1
