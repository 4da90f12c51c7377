"""Estimates in headless Chromium at 390×844: staff write a draft on a phone (rows added and
removed), send it; the client reads it in the portal, asks a question, reads the answer and
approves with one tap. No page scrolls sideways."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from portico.core.actors import Actor
from portico.core.tokens import token_digest
from portico.estimates.models import Estimate, EstimateState
from portico.invitations import actions as invitations
from portico.invitations.models import InvitationLink
from testing.browser import screenshot, sign_in
from testing.world import PASSWORD, client_make, portal_set_up, run_tasks, world_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def test_staff_write_and_send_the_client_asks_and_approves_on_a_phone(page: Page, other_page: Page, live_server):
    alpha = world_create("alpha")
    portal_set_up(alpha)
    record = client_make(alpha, "Mark Client")
    invitation = invitations.invitation_send(client=record, actor=Actor.system())
    InvitationLink.objects.filter(invitation=invitation).update(token_digest=token_digest("tok"))
    invitations.invitation_accept(raw_token="tok", actor=Actor.system(), password=PASSWORD)
    run_tasks()
    base = live_server.url

    # Staff, on a phone: from the client record, a new estimate.
    sign_in(page, base, alpha.admin.email)
    page.goto(f"{base}/o/alpha/clients/{record.pk}/?section=onboarding")
    page.locator("#client-estimates").get_by_role("link", name="New estimate").click()
    page.wait_for_url(re.compile(r"/o/alpha/estimates/new/"))
    page.get_by_label("Scope of work").fill("Paint the kitchen")
    rows = page.locator("#lines fieldset")
    rows.nth(0).get_by_label("Description").fill("Primer")
    rows.nth(0).get_by_label("Quantity").fill("2")
    rows.nth(0).get_by_label("Unit price").fill("12.40")
    rows.nth(0).get_by_label("Tax %").fill("16")
    page.get_by_role("button", name="Add line").click()
    page.get_by_role("button", name="Add line").click()
    expect(rows).to_have_count(3)
    rows.nth(1).get_by_label("Description").fill("Paint")
    rows.nth(1).get_by_label("Unit price").fill("30")
    rows.nth(2).get_by_label("Description").fill("Not wanted")
    rows.nth(2).get_by_label("Unit price").fill("99")
    rows.nth(2).get_by_role("button", name="Remove this line").click()
    expect(rows).to_have_count(2)
    _fits(page)
    screenshot(page, "estimate-edit-390")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r"/o/alpha/estimates/\d+/$"))
    estimate = Estimate.objects.get(client=record)
    assert [line.description for line in estimate.lines.all()] == ["Primer", "Paint"]
    # 24.80 taxed 16 % (3.97) + 30.00 untaxed
    expect(page.locator("#estimate-total")).to_have_text(re.compile(r"58\.77"))
    _fits(page)
    page.get_by_role("button", name="Send to the client").click()
    expect(page.get_by_text("sent to Mark Client")).to_be_visible()
    run_tasks()

    # The client, on their phone: reads it, asks, and (after the answer) approves in one tap.
    sign_in(other_page, base, "mark@example.test")
    other_page.goto(f"{base}/portal/alpha/estimates/")
    other_page.get_by_role("link", name=re.compile("Estimate #")).click()
    expect(other_page.get_by_text("Paint the kitchen")).to_be_visible()
    expect(other_page.locator("#estimate-total")).to_have_text(re.compile(r"58\.77"))
    _fits(other_page)
    other_page.get_by_label("Your question").fill("Is the ceiling included?")
    other_page.get_by_role("button", name="Send question").click()
    expect(other_page.get_by_text("Is the ceiling included?")).to_be_visible()
    estimate.refresh_from_db()
    page.goto(f"{base}/o/alpha/requests/{estimate.question_id}/")
    page.get_by_label("Message").fill("Yes, the ceiling too.")
    page.get_by_role("button", name=re.compile("Send")).first.click()
    other_page.reload()
    expect(other_page.get_by_text("Yes, the ceiling too.")).to_be_visible()
    other_page.locator("#approve").click()
    expect(other_page.locator("#confirm-total")).to_have_text(re.compile(r"58\.77"))
    _fits(other_page)
    screenshot(other_page, "estimate-approve-390")
    other_page.get_by_role("button", name="Yes, approve").click()
    # On to the client's next step (here none: the portal home), with the thanks; the estimate shows it.
    expect(other_page.get_by_text("Thank you: you approved estimate")).to_be_visible()
    other_page.goto(f"{base}/portal/alpha/estimates/{estimate.pk}/")
    expect(other_page.locator("#estimate-approved")).to_be_visible()
    screenshot(other_page, "estimate-approved-390")
    estimate.refresh_from_db()
    assert estimate.state == EstimateState.APPROVED
