"""Seed 001 steps 7–9 in headless Chromium at 390×844: the client makes a request from the
portal; the assigned navigator's bell shows it; the navigator replies from a phone; the client
sees the reply and was told by email."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from portico.clients.actions import client_assign_navigator
from portico.core.actors import Actor
from portico.core.tokens import token_digest
from portico.invitations import actions as invitations
from portico.invitations.models import InvitationLink
from portico.orgs.actions import membership_add
from testing.browser import screenshot, sign_in
from testing.world import PASSWORD, client_make, portal_set_up, run_tasks, user_create, world_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_client_request_reaches_only_the_navigator_who_replies_from_a_phone(
    page: Page, other_page: Page, live_server
) -> None:
    alpha = world_create("alpha")
    portal_set_up(alpha, services="Bookkeeping")
    nina = user_create("nina@alpha.test", name="Nina Navigator")
    membership_add(org=alpha.org, user=nina, role=alpha.roles["Navigator"], actor=Actor.system())
    record = client_make(alpha, "Mark Client")
    client_assign_navigator(client=record, actor=Actor.system(), navigator=nina)
    invitation = invitations.invitation_send(client=record, actor=Actor.system())
    InvitationLink.objects.filter(invitation=invitation).update(token_digest=token_digest("tok"))
    invitations.invitation_accept(raw_token="tok", actor=Actor.system(), password=PASSWORD)
    run_tasks()
    base = live_server.url

    # The client, on their phone: Make a request.
    sign_in(other_page, base, "mark@example.test")
    other_page.wait_for_url(f"{base}/portal/alpha/")
    other_page.get_by_role("link", name="Make a request").first.click()
    other_page.wait_for_url(re.compile(r"/portal/alpha/requests/new/"))
    other_page.get_by_label("Subject").fill("Receipt for March")
    other_page.get_by_label("Message").fill("Could you send me the receipt for March?")
    other_page.get_by_role("button", name="Send request").click()
    other_page.wait_for_url(re.compile(r"/portal/alpha/requests/\d+/"))
    expect(other_page.get_by_text("Could you send me the receipt for March?")).to_be_visible()
    screenshot(other_page, "request-client-thread")
    run_tasks()

    # The assigned navigator, on a phone too: the bell shows the acceptance, the new portal
    # account and the request.
    sign_in(page, base, nina.email)
    bell = page.locator("a.bell")
    expect(bell).to_have_attribute("aria-label", re.compile("3 unread"))
    bell.click()
    page.wait_for_url(re.compile(r"/o/alpha/notifications/"))
    page.get_by_role("link", name=re.compile("Receipt for March")).first.click()
    page.wait_for_url(re.compile(r"/o/alpha/requests/\d+/"))
    page.get_by_label("Message").fill("Sent it to your email just now.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text("Sent it to your email just now.")).to_be_visible()
    screenshot(page, "request-staff-thread")
    run_tasks()

    # The client sees the reply and got an email about it.
    other_page.reload()
    expect(other_page.get_by_text("Sent it to your email just now.")).to_be_visible()
    told = [m for m in mail.outbox if "mark@example.test" in m.to and "Receipt for March" in m.subject]
    assert told, [m.subject for m in mail.outbox]
    # The admin is not assigned: not notified.
    assert not [m for m in mail.outbox if alpha.admin.email in m.to and "Receipt" in m.subject]
