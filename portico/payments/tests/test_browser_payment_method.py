"""The portal's payment method page in headless Chromium at 390×844, with the stand-in Stripe.js
(served by the fake Stripe API): a card typed into the element is saved (the page then shows
Visa •••• 4242), and a bank account stays pending until Stripe's webhook says its microdeposits
were verified. No request to Portico ever carries the card or account number."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from portico.estimates.tests.factories import joined
from portico.payments.models import PaymentMethod, PaymentMethodState, StripeEvent
from portico.payments.tests.factories import stripe_account_make
from testing.browser import screenshot, sign_in
from testing.world import world_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CARD_NUMBER = "4242424242424242"
ACCOUNT_NUMBER = "000123456789"


def _set_up(page: Page, live_server: Any, fake_stripe: Any) -> tuple[Any, list[str]]:
    alpha = world_create("alpha")
    stripe_account_make(
        alpha,
        secret=fake_stripe.secret_key,
        publishable=fake_stripe.publishable_key,
        webhook_secret=fake_stripe.webhook_secret,
    )
    fake_stripe.webhook_url = live_server.url + reverse("stripe_webhook", args=["alpha"])
    record, person = joined(alpha)
    sent_to_portico: list[str] = []

    def watch(request: Any) -> None:
        if request.url.startswith(live_server.url):
            sent_to_portico.append(request.url + " " + (request.post_data or ""))

    page.on("request", watch)
    sign_in(page, live_server.url, person.email)
    page.goto(f"{live_server.url}/portal/alpha/payment-method/")
    expect(page.locator("#no-method")).to_be_visible()
    page.locator("#add-method").click()
    expect(page.frame_locator("iframe[name=stripe-standin-payment]").locator("#card-number")).to_be_visible()
    return record, sent_to_portico


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def test_a_card_is_saved_through_stripe_and_never_reaches_portico(page: Page, live_server, fake_stripe):
    record, sent = _set_up(page, live_server, fake_stripe)
    fields = page.frame_locator("iframe[name=stripe-standin-payment]")
    fields.locator("#card-number").fill("4242 4242 4242 4242")
    fields.locator("#card-expiry").fill("12/34")
    fields.locator("#card-cvc").fill("123")
    _fits(page)
    screenshot(page, "payment-element-390")
    page.locator("#save-method").click()
    page.wait_for_url(re.compile(r"/portal/alpha/payment-method/\?client="))
    expect(page.locator("#payment-method")).to_contain_text("Visa •••• 4242")
    _fits(page)
    screenshot(page, "payment-method-card-390")
    pm = PaymentMethod.objects.get(client=record, state=PaymentMethodState.ACTIVE)
    assert (pm.brand, pm.last4) == ("visa", "4242")
    confirm = fake_stripe.calls("POST", f"/v1/setup_intents/{pm.setup_intent_id}/confirm")
    assert confirm and confirm[0]["auth"] == fake_stripe.publishable_key  # from the browser, straight to Stripe
    assert sent and not [s for s in sent if CARD_NUMBER in s or "4242 4242" in s or "cvc" in s.lower()]
    # Stripe's webhook for the same SetupIntent arrives too (before or after the return page): applied once.
    delivered = fake_stripe.wait_events()
    assert [(d["event"]["type"], d["status"]) for d in delivered] == [("setup_intent.succeeded", 200)]
    assert StripeEvent.objects.get().outcome in ("activated", "unchanged: already active")
    pm.refresh_from_db()
    assert pm.state == PaymentMethodState.ACTIVE


def test_a_bank_account_stays_pending_until_the_microdeposits_webhook(page: Page, live_server, fake_stripe):
    record, sent = _set_up(page, live_server, fake_stripe)
    fields = page.frame_locator("iframe[name=stripe-standin-payment]")
    fields.locator("#kind-bank").check()
    fields.locator("#bank-name").fill("Mark Client")
    fields.locator("#bank-routing").fill("110000000")
    fields.locator("#bank-account").fill(ACCOUNT_NUMBER)
    page.locator("#save-method").click()
    page.wait_for_url(re.compile(r"/portal/alpha/payment-method/\?client="))
    expect(page.locator("#awaiting-verification")).to_be_visible()
    expect(page.locator("#payment-method")).to_contain_text("STRIPE TEST BANK •••• 6789")
    _fits(page)
    screenshot(page, "payment-method-ach-pending-390")
    pm = PaymentMethod.objects.get(client=record, payment_method_id__startswith="pm_")
    assert pm.state == PaymentMethodState.PENDING
    assert fake_stripe.ach_verify(pm.setup_intent_id) == 200
    pm.refresh_from_db()
    assert pm.state == PaymentMethodState.ACTIVE
    page.reload()
    expect(page.locator("#awaiting-verification")).to_have_count(0)
    expect(page.locator("#payment-method")).to_contain_text("Active")
    assert sent and not [s for s in sent if ACCOUNT_NUMBER in s]
