"""Issue 13's whole phone journey in headless Chromium at 390×844 with touch: the client opens the
emailed invitation, makes the account with a sign-in code (no password), approves the estimate,
consents to electronic records, signs with a finger, and saves a card (or a US bank account)
through the stand-in Stripe.js; Stripe's webhook makes the payment step done, the job is created
and the navigator notified. Every page goes on to the next step by itself ("continue").

The test counts the taps (every click, check or drawn stroke: not typing) and the seconds from
opening the link to the job existing. At most 12 taps is a product requirement (issue 13's
benchmark); the seconds are only recorded. With BENCH_RESULTS_DIR set both figures go to
``<dir>/phone_journey_<kind>.json`` (``make bench-phone``)."""

from __future__ import annotations

import json
import os
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from portico.agreements.models import AgreementState
from portico.agreements.tests.factories import template_make
from portico.clients.actions import client_assign_navigator
from portico.core.actors import Actor
from portico.estimates.tests.factories import estimate_make, staff
from portico.invitations.actions import invitation_send
from portico.journey.models import COMPLETE, Journey
from portico.notifications.models import Notification
from portico.payments.models import PaymentMethod, PaymentMethodState
from portico.payments.tests.factories import stripe_account_make
from portico.work.models import Job
from testing.browser import screenshot
from testing.world import client_make, portal_set_up, run_tasks, world_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_TAPS = 12  # issue 13: the phone journey in at most 12 taps
CARD_NUMBER = "4242424242424242"
ACCOUNT_NUMBER = "000123456789"
EMAIL = "vera@example.test"


class Taps:
    """Every tap of the journey goes through here: counted per step (typing is not a tap)."""

    def __init__(self) -> None:
        self.step = ""
        self.by_step: Counter[str] = Counter()

    @property
    def total(self) -> int:
        return sum(self.by_step.values())

    def click(self, target: Locator) -> None:
        target.click()
        self.by_step[self.step] += 1

    def check(self, target: Locator) -> None:
        target.check()
        self.by_step[self.step] += 1

    def stroke(self, page: Page, points: list[tuple[float, float]]) -> None:
        """A finger drawing on the touch screen: one tap however long the stroke."""
        cdp = page.context.new_cdp_session(page)
        first, *rest = points
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": first[0], "y": first[1]}]})
        for x, y in rest:
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        self.by_step[self.step] += 1


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def _set_up(live_server: Any, fake_stripe: Any) -> tuple[Any, Any, str]:
    """The organization ready for part 2 (portal, default agreement template, Stripe connected to
    the fake), a client with a sent estimate and a navigator, invited by email: (world, client,
    the invitation link)."""
    alpha = world_create("alpha")
    portal_set_up(alpha, services="Roofing\nGutters")
    template_make(alpha, default=True)
    stripe_account_make(
        alpha,
        secret=fake_stripe.secret_key,
        publishable=fake_stripe.publishable_key,
        webhook_secret=fake_stripe.webhook_secret,
    )
    fake_stripe.webhook_url = live_server.url + reverse("stripe_webhook", args=["alpha"])
    record = client_make(alpha, "Vera Client", email=EMAIL)
    client_assign_navigator(client=record, actor=Actor.system(), navigator=alpha.admin)
    estimate_make(alpha, client=record, sent=True, scope="Replace the gutters")
    invitation_send(client=record, actor=staff(alpha), channel="email")
    run_tasks()
    invite = next(m for m in reversed(mail.outbox) if EMAIL in m.to and "/invite/" in str(m.body))
    link = re.search(r"/invite/[\w-]+/", str(invite.body)).group(0)  # type: ignore[union-attr]
    assert Journey.objects.get(client=record).steps == ["invite", "account", "estimate", "agreement", "payment"]
    return alpha, record, live_server.url + link


def _journey_to_payment(page: Page, taps: Taps, link: str, record: Any, shots: str) -> None:
    """From the invitation link to the payment method's Stripe element, every page fitting 390 px."""
    # 1. The link: the account by sign-in code ("magic link"), no password.
    taps.step = "account"
    page.goto(link)
    expect(page.get_by_label("Your name")).to_have_value("Vera Client")
    _fits(page)
    screenshot(page, f"{shots}-1-invitation")
    taps.click(page.get_by_role("button", name="Email me a sign-in code instead"))
    page.wait_for_url(re.compile(r"/accounts/login/code/confirm/"))
    run_tasks()
    message = next(m for m in reversed(mail.outbox) if EMAIL in m.to and "code" in str(m.subject).lower())
    code = re.search(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}\b", str(message.body)).group(0)  # type: ignore[union-attr]
    page.locator("input[name=code]").fill(code)
    _fits(page)
    taps.click(page.get_by_role("button", name="Confirm"))

    # 2. Straight to the estimate (continue): approve, confirm.
    taps.step = "estimate"
    page.wait_for_url(re.compile(r"/portal/alpha/estimates/\d+/$"))
    expect(page.get_by_text("Replace the gutters")).to_be_visible()
    _fits(page)
    screenshot(page, f"{shots}-2-estimate")
    taps.click(page.locator("#approve"))
    _fits(page)
    taps.click(page.get_by_role("button", name="Yes, approve"))

    # 3. Straight to the agreement sent on approval: consent, then draw and sign.
    taps.step = "agreement"
    page.wait_for_url(re.compile(r"/portal/alpha/agreements/\d+/$"))
    expect(page.get_by_text("Thank you: you approved estimate")).to_be_visible()
    expect(page.locator("#consent-step")).to_contain_text("paper")
    _fits(page)
    screenshot(page, f"{shots}-3-consent")
    taps.check(page.locator("#consent-agree"))
    taps.click(page.locator("#consent-give"))
    expect(page.get_by_text("Thank you: you consented to electronic records.")).to_be_visible()
    pad = page.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    x0, y0, w, h = box["x"], box["y"], box["width"], box["height"]
    taps.stroke(page, [(x0 + w * f, y0 + h * (0.3 + 0.4 * (i % 2))) for i, f in enumerate((0.1, 0.3, 0.5, 0.7, 0.9))])
    assert page.locator("#drawing").input_value().startswith("M")
    expect(page.locator("#name_typed")).not_to_be_empty()  # prefilled with their name
    taps.check(page.locator("#intent"))
    _fits(page)
    screenshot(page, f"{shots}-4-sign")
    taps.click(page.locator("#sign"))

    # 4. Straight to the payment method: open Stripe's element.
    taps.step = "payment"
    page.wait_for_url(re.compile(r"/portal/alpha/payment-method/$"))
    expect(page.get_by_text("Thank you: you signed")).to_be_visible()
    assert record.agreements.get().state == AgreementState.SIGNED
    _fits(page)
    taps.click(page.locator("#add-method"))
    expect(page.frame_locator("iframe[name=stripe-standin-payment]").locator("#card-number")).to_be_visible()


def _job_waited(record: Any, timeout: float = 20) -> Job:
    """The job, once Stripe's webhook (sent by the fake on its own thread) has been applied."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.filter(client=record).first()
        if job is not None:
            return job
        time.sleep(0.05)
    raise AssertionError("no job was created")


def _report(kind: str, taps: Taps, seconds: float) -> None:
    figures = {
        "journey": kind,
        "taps": taps.total,
        "max_taps": MAX_TAPS,
        "taps_by_step": dict(taps.by_step),
        "seconds": round(seconds, 2),
        "viewport": "390x844 touch",
    }
    print(f"phone journey ({kind}): {json.dumps(figures)}")
    directory = os.environ.get("BENCH_RESULTS_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        (Path(directory) / f"phone_journey_{kind}.json").write_text(json.dumps(figures, indent=2) + "\n")


def _watch_portico(page: Page, base: str) -> list[str]:
    sent: list[str] = []

    def watch(request: Any) -> None:
        if request.url.startswith(base):
            sent.append(request.url + " " + (request.post_data or ""))

    page.on("request", watch)
    return sent


def _navigator_told(alpha: Any, job: Job) -> None:
    assert Notification.objects.filter(recipient=alpha.admin, kind="job_created").exists()
    assert Journey.objects.get(client=job.client).current_step == COMPLETE


def test_invitation_to_job_with_a_card_on_a_phone(page: Page, live_server, fake_stripe):
    alpha, record, link = _set_up(live_server, fake_stripe)
    sent = _watch_portico(page, live_server.url)
    taps = Taps()
    started = time.monotonic()
    _journey_to_payment(page, taps, link, record, "phone-card")

    fields = page.frame_locator("iframe[name=stripe-standin-payment]")
    fields.locator("#card-number").fill("4242 4242 4242 4242")
    fields.locator("#card-expiry").fill("12/34")
    fields.locator("#card-cvc").fill("123")
    _fits(page)
    screenshot(page, "phone-card-5-card")
    taps.click(page.locator("#save-method"))
    job = _job_waited(record)
    seconds = time.monotonic() - started

    page.wait_for_url(re.compile(r"/portal/alpha/payment-method/\?client="))
    expect(page.locator("#payment-method")).to_contain_text("Visa •••• 4242")
    expect(page.get_by_text("Your payment method is saved.")).to_be_visible()
    _fits(page)
    screenshot(page, "phone-card-6-saved")
    # Continue: nothing left to do, the portal home says so once.
    page.locator("#continue").click()
    page.wait_for_url(re.compile(r"/portal/alpha/$"))
    expect(page.get_by_text("You're all set")).to_be_visible()
    _fits(page)
    screenshot(page, "phone-card-7-all-set")

    assert PaymentMethod.objects.get(client=record).state == PaymentMethodState.ACTIVE
    _navigator_told(alpha, job)
    assert sent and not [s for s in sent if CARD_NUMBER in s or "4242 4242" in s or "cvc" in s.lower()]
    _report("card", taps, seconds)
    assert taps.total <= MAX_TAPS, dict(taps.by_step)


def test_invitation_to_job_with_a_bank_account_verified_later(page: Page, live_server, fake_stripe):
    alpha, record, link = _set_up(live_server, fake_stripe)
    sent = _watch_portico(page, live_server.url)
    taps = Taps()
    started = time.monotonic()
    _journey_to_payment(page, taps, link, record, "phone-ach")

    fields = page.frame_locator("iframe[name=stripe-standin-payment]")
    taps.check(fields.locator("#kind-bank"))
    fields.locator("#bank-name").fill("Vera Client")
    fields.locator("#bank-routing").fill("110000000")
    fields.locator("#bank-account").fill(ACCOUNT_NUMBER)
    _fits(page)
    screenshot(page, "phone-ach-5-bank")
    taps.click(page.locator("#save-method"))
    page.wait_for_url(re.compile(r"/portal/alpha/payment-method/\?client="))
    expect(page.locator("#awaiting-verification")).to_be_visible()

    # Pending: no job; "continue" goes home, where the checklist says it waits for verification
    # (the test looks by address: the client has nothing left to tap, so no tap is counted).
    pm = PaymentMethod.objects.get(client=record, payment_method_id__startswith="pm_")
    assert pm.state == PaymentMethodState.PENDING
    assert not Job.objects.filter(client=record).exists()
    page.goto(live_server.url + page.locator("#continue").get_attribute("href"))
    page.wait_for_url(re.compile(r"/portal/alpha/$"))
    expect(page.locator("#onboarding-checklist li[aria-current=step]")).to_contain_text("Waiting for verification")
    _fits(page)
    screenshot(page, "phone-ach-6-waiting")

    # Days later, Stripe's webhook: the microdeposits are verified.
    assert fake_stripe.ach_verify(pm.setup_intent_id) == 200
    job = _job_waited(record)
    seconds = time.monotonic() - started
    _navigator_told(alpha, job)
    page.reload()
    expect(page.locator("#payment-waiting")).to_have_count(0)
    assert sent and not [s for s in sent if ACCOUNT_NUMBER in s]
    _report("ach", taps, seconds)
    assert taps.total <= MAX_TAPS, dict(taps.by_step)
