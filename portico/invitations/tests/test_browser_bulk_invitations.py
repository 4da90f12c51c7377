"""Bulk portal invitations in headless Chromium at phone size (390×844): tick clients in the
list, confirm, watch the job run in the background and read the result table."""

from __future__ import annotations

import dataclasses

import pytest
from playwright.sync_api import Page, expect

from portico.clients import actions as client_actions
from portico.core.actors import Actor
from portico.invitations import bulk
from portico.invitations.tests.test_bulk_invitations import _mixed
from portico.jobs.kinds import KINDS
from testing.browser import screenshot, sign_in
from testing.world import client_make, portal_set_up, run_tasks, world_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "sideways scroll at 390 px"


def test_invite_ticked_clients_then_all_matching_in_the_background(page: Page, live_server, monkeypatch) -> None:
    alpha = world_create("alpha")
    people = _mixed(alpha)
    base = live_server.url
    sign_in(page, base, alpha.admin.email)

    page.goto(f"{base}/o/alpha/clients/")
    _fits(page)
    screenshot(page, "bulk-invite-1-list")
    page.get_by_label(f"Select {people['ok'].name}").check()
    page.get_by_label(f"Select {people['archived'].name}").check()
    page.get_by_role("button", name="Invite to portal").click()
    expect(page.get_by_text("Invite 2 clients to the client portal by email?")).to_be_visible()
    _fits(page)
    screenshot(page, "bulk-invite-2-confirm")
    page.get_by_role("button", name="Send 2 invitations").click()
    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text=people["ok"].name)).to_contain_text("Sent")
    expect(rows.filter(has_text=people["archived"].name)).to_contain_text("Skipped: archived or closed")
    _fits(page)
    screenshot(page, "bulk-invite-3-results")

    # Everyone still not invited, in the background: the page follows the job and then shows the table.
    monkeypatch.setitem(KINDS, bulk.KIND, dataclasses.replace(bulk.KIND_INVITATIONS, inline_limit=1))
    for i in range(3):
        client_make(alpha, f"Nuevo{i} Cliente", email=f"nuevo{i}@example.test")
    client_actions.client_status_change(
        action="archive", client=client_make(alpha, "Zoe Archived"), actor=Actor.system()
    )
    page.goto(f"{base}/o/alpha/clients/?status=not_invited")
    page.get_by_text("All 5 clients matching this filter").click()
    page.get_by_role("button", name="Invite to portal").click()
    page.get_by_role("button", name="Send 5 invitations").click()
    expect(page.locator("#job-progress")).to_contain_text("Queued")
    screenshot(page, "bulk-invite-4-progress")
    run_tasks()
    expect(page.get_by_role("heading", name="Results")).to_be_visible(timeout=5000)
    expect(page.locator("#job-results")).to_contain_text("Sent: 4")
    page.get_by_role("link", name="Skipped: no address for this channel (1)").click()
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    expect(page.locator("table.list")).to_contain_text(people["no_address"].name)
    _fits(page)
    screenshot(page, "bulk-invite-5-filtered")


def test_no_button_until_the_portal_is_set_up(page: Page, live_server) -> None:
    alpha = world_create("alpha")
    client_make(alpha)
    sign_in(page, live_server.url, alpha.admin.email)
    page.goto(f"{live_server.url}/o/alpha/clients/")
    expect(page.get_by_role("button", name="Invite to portal")).to_have_count(0)
    portal_set_up(alpha)
    page.reload()
    expect(page.get_by_role("button", name="Invite to portal")).to_be_visible()
