"""The invitation journeys in headless Chromium at 390×844: staff send from the record's Share
button; the client opens the link from the message and creates an account (password; SMS with
an emailed sign-in code; an existing account from another organization choosing its profile)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from portico.clients.models import Client, ClientStatus, Profile
from portico.core.actors import Actor
from portico.invitations import actions
from testing.browser import screenshot, sign_in
from testing.world import client_make, portal_set_up, run_tasks, world_create

CLIENT_PASSWORD = "a-long-portal-pass-phrase"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def link_in_mail(to: str, base: str) -> str:
    for message in reversed(mail.outbox):
        if to in message.to:
            found = re.search(r"https?://\S+?(/invite/[\w-]+/)", str(message.body))
            if found:
                return base + found.group(1)
    raise AssertionError(f"no invitation mailed to {to}")


def staff_sends_by_share_button(page: Page, base: str, record: Client, channel_item: str) -> None:
    page.goto(f"{base}/o/alpha/clients/{record.pk}/")
    page.get_by_text("Share", exact=True).click()
    page.get_by_role("menuitem", name=channel_item, exact=True).click()
    page.wait_for_url(re.compile(r"/invite/"))
    expect(page.get_by_role("heading", name="Client Account Invitation")).to_be_visible()
    expect(page.get_by_text("will become their username")).to_be_visible()
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Confirm and send").click()
    page.wait_for_url(re.compile(rf"/clients/{record.pk}/\?section=status"))
    expect(page.get_by_text("Client Portal Invitation Sent")).to_be_visible()
    run_tasks()  # the worker delivers the outbox


def test_staff_share_invitation_and_client_creates_a_password(page: Page, other_page: Page, live_server) -> None:
    alpha = world_create("alpha")
    portal_set_up(alpha, services="Bookkeeping\nPayroll")
    record = client_make(alpha, "Mark Client")
    base = live_server.url

    sign_in(page, base, alpha.admin.email)
    staff_sends_by_share_button(page, base, record, "Client Account Invitation")
    screenshot(page, "invitation-sent-record")

    other_page.goto(link_in_mail("mark@example.test", base))
    expect(other_page.get_by_role("heading", name="Welcome, Mark Client")).to_be_visible()
    expect(other_page.get_by_label("Email address (your username)")).to_have_value("mark@example.test")
    other_page.get_by_label("Password:", exact=True).fill(CLIENT_PASSWORD)
    other_page.get_by_label("Password again").fill(CLIENT_PASSWORD)
    other_page.get_by_role("button", name="Create my account").click()
    other_page.wait_for_url(f"{base}/portal/alpha/")
    expect(other_page.get_by_role("heading", name="Hello, Mark Client")).to_be_visible()
    expect(other_page.get_by_role("link", name="Make a request")).to_be_visible()
    expect(other_page.get_by_text("Payroll")).to_be_visible()
    screenshot(other_page, "portal-home")
    record.refresh_from_db()
    assert record.status == ClientStatus.ACTIVE

    # Staff see the accepted invitation on the record.
    page.reload()
    expect(page.get_by_text("Client Portal Invitation Accepted")).to_be_visible()


def test_sms_invitation_and_sign_in_by_emailed_code(page: Page, other_page: Page, live_server, fake_twilio) -> None:
    alpha = world_create("alpha")
    portal_set_up(alpha, sms_sender="+15005550006")
    record = client_make(alpha, "Mark Client", phone="+525512345678")
    base = live_server.url

    sign_in(page, base, alpha.admin.email)
    staff_sends_by_share_button(page, base, record, "Client Account Invitation by SMS")
    # The SMS went through the real twilio client to the local fake Twilio.
    sms = fake_twilio.last_body("+525512345678")
    path = re.search(r"/invite/[\w-]+/", sms).group(0)

    other_page.goto(base + path)
    expect(other_page.get_by_label("Email address (your username)")).to_have_value("mark@example.test")
    other_page.get_by_role("button", name="Email me a sign-in code instead").click()
    other_page.wait_for_url(re.compile(r"/accounts/login/code/confirm/"))
    run_tasks()  # the code email leaves through the outbox
    message = [m for m in mail.outbox if "mark@example.test" in m.to][-1]
    code = re.search(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}\b", str(message.body)).group(0)
    other_page.get_by_label("Code").fill(code)
    other_page.get_by_role("button", name=re.compile("Sign In|Confirm", re.I)).click()
    other_page.wait_for_url(f"{base}/portal/alpha/")
    expect(other_page.get_by_role("heading", name="Hello, Mark Client")).to_be_visible()
    screenshot(other_page, "portal-home-sms")
    record.refresh_from_db()
    assert record.status == ClientStatus.ACTIVE


def test_existing_account_from_another_organization_chooses_its_profile(other_page: Page, live_server) -> None:
    alpha, beta = world_create("alpha"), world_create("beta")
    portal_set_up(alpha)
    portal_set_up(beta)
    # Beta already serves Mark: he has a login and a profile he organizes.
    first = client_make(beta, "Mark Client")
    actions.invitation_send(client=first, actor=Actor.system())
    run_tasks()
    base = live_server.url
    beta_link = link_in_mail("mark@example.test", base)
    actions.invitation_accept(raw_token=beta_link.split("/")[-2], actor=Actor.system(), password=CLIENT_PASSWORD)
    mine = Profile.objects.get(organizer__email="mark@example.test")

    record = client_make(alpha, "Mark Client")
    actions.invitation_send(client=record, actor=Actor.system())
    run_tasks()
    other_page.goto(link_in_mail("mark@example.test", base))
    other_page.get_by_role("link", name="Sign in to accept").click()
    other_page.wait_for_url(re.compile(r"/accounts/login/"))
    form = other_page.locator("form[action^='/accounts/login/']")
    form.locator("input[name=login]").fill("mark@example.test")
    form.locator("input[name=password]").fill(CLIENT_PASSWORD)
    form.get_by_role("button", name="Sign In").click()
    other_page.wait_for_url(re.compile(r"/invite/"))
    other_page.get_by_label(re.compile("Link my existing profile")).check()
    other_page.get_by_role("button", name="Accept the invitation").click()
    other_page.wait_for_url(f"{base}/portal/alpha/")
    expect(other_page.get_by_role("heading", name="Your other portals")).to_be_visible()
    other_page.get_by_role("link", name="Beta Org Portal").click()
    other_page.wait_for_url(f"{base}/portal/beta/")
    record.refresh_from_db()
    assert record.profile == mine and record.status == ClientStatus.ACTIVE
