"""Client records in headless Chromium at phone size (390×844, conftest's default): a record's
whole life (create, inline case number, groups, navigator, archive/unarchive, delete, restore by
support) and the navigation bar's as-you-type search with its "/" shortcut."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from portico.clients import actions
from portico.core.actors import Actor
from testing.browser import screenshot, sign_in
from testing.world import user_create, world_create

NAME = "José Martínez Núñez"
NEW_CASE_NUMBER = "JMN-0042"
GROUPS = ("Housing help", "Legal aid")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def flash(page: Page):
    return page.locator("ul.messages li[role=status]")


def test_client_record_from_creation_to_deletion_and_restore_by_support(
    page: Page, other_page: Page, live_server
) -> None:
    alpha = world_create("alpha")
    operator = user_create("ops@portico.test", name="Olga Operator", operator=True)
    # Someone else's record, so that the list is not empty once José's is deleted.
    actions.client_create(org=alpha.org, actor=Actor.system(), name="Beatriz Otra", email="bea@example.test")
    base = live_server.url

    sign_in(page, base, alpha.admin.email)
    page.wait_for_url(f"{base}/o/alpha/")
    subnav = page.get_by_role("navigation", name="Organization")

    # Two groups, made on the Groups page.
    subnav.get_by_role("link", name="Groups", exact=True).click()
    page.wait_for_url(f"{base}/o/alpha/groups/")
    for group in GROUPS:
        page.get_by_label("Group name:", exact=True).fill(group)
        page.get_by_role("button", name="Create group").click()
        expect(flash(page)).to_have_text(f"Group “{group}” created.")
    expect(page.locator("table.list tbody tr")).to_have_count(2)

    # Clients → New client.
    subnav.get_by_role("link", name="Clients", exact=True).click()
    page.wait_for_url(f"{base}/o/alpha/clients/")
    expect(page.get_by_role("heading", name="Clients")).to_be_visible()
    page.get_by_role("link", name="New client").click()
    page.wait_for_url(f"{base}/o/alpha/clients/new/")
    page.get_by_label("Name:", exact=True).fill(NAME)
    page.get_by_label("Email:", exact=True).fill("jose.martinez@example.test")
    page.get_by_label("Phone:", exact=True).fill("55 1234 5678")
    page.get_by_role("button", name="Create client").click()

    # The record page: the generated case number, not invited yet.
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/o/alpha/clients/\d+/$"))
    record_url = page.url
    expect(page.get_by_role("heading", name=NAME, level=1)).to_be_visible()
    case_number = page.locator("#case-number")
    generated = case_number.inner_text().strip()
    assert generated, "no case number shown"
    expect(flash(page)).to_have_text(f"{NAME} was created with case number {generated}.")
    status = page.locator("dl.facts dd .badge")
    expect(status).to_have_text("Not invited")
    expect(page.locator("#section")).to_contain_text("Record status: Not invited")

    # The case number, changed in place: a click swaps in an input; Escape gives up the edit…
    case_number.get_by_role("link", name=generated).click()
    field = page.locator("#case-number-input")
    expect(field).to_be_focused()
    field.fill("NOT-SAVED")
    field.press("Escape")
    expect(case_number.get_by_role("link", name=generated)).to_be_visible()
    expect(page.get_by_role("navigation", name="Organization")).to_be_visible()

    # … and leaving the input (blur) saves, without reloading the page.
    page.evaluate("window.__samePage = true")
    case_number.get_by_role("link", name=generated).click()
    expect(field).to_be_focused()
    expect(field).to_have_value(generated)
    field.fill(NEW_CASE_NUMBER)
    page.get_by_role("heading", name=NAME, level=1).click()  # focus moves away: blur saves
    expect(case_number.get_by_role("link", name=NEW_CASE_NUMBER)).to_be_visible()
    expect(field).to_have_count(0)
    assert page.evaluate("window.__samePage === true"), "the case number change reloaded the page"
    page.reload()
    expect(page.locator("#case-number")).to_have_text(NEW_CASE_NUMBER)
    # At 390 px the record box's facts keep each value on one line (no "JMN-" / "0042" split).
    for value in (page.locator("#case-number"), status):
        height = (value.bounding_box() or {}).get("height", 0)
        assert 0 < height < 32, f"{value.inner_text()!r} wraps: {height}px"

    sections = page.get_by_role("navigation", name="Record sections")

    # Groups: "Manage Groups" opens the sheet; tick both, save and close.
    sections.get_by_role("link", name="Groups").click()
    expect(page.get_by_role("heading", name="Groups", level=2)).to_be_visible()
    page.wait_for_url(f"{record_url}?section=groups")  # swapped in by htmx, address updated
    expect(page.locator("#section")).to_contain_text("Not in any group.")
    expect(sections.locator("a[aria-current=page]")).to_have_text("Groups")
    page.get_by_text("Manage Groups").click()
    for group in GROUPS:
        page.get_by_role("checkbox", name=group).check()
    screenshot(page, "clients-groups-sheet-phone")
    page.get_by_role("button", name="Save and close").click()
    page.wait_for_url(f"{record_url}?section=groups")
    expect(flash(page)).to_have_text("Groups saved.")
    expect(page.locator("#section ul.chips li")).to_have_text([re.compile(rf"^{re.escape(g)}") for g in GROUPS])
    expect(page.get_by_role("button", name="Save and close")).to_be_hidden()

    # Navigators: assign the read-only member.
    sections.get_by_role("link", name="Navigators").click()
    expect(page.get_by_role("heading", name="Navigators", level=2)).to_be_visible()
    expect(page.locator("#section")).to_contain_text("No navigator assigned.")
    page.get_by_label("Assign client to:", exact=True).select_option(label="Alpha Reader")
    page.get_by_role("button", name="Assign", exact=True).click()
    page.wait_for_url(f"{record_url}?section=navigators")
    expect(flash(page)).to_have_text("Alpha Reader is now assigned.")
    assigned = page.locator("#section ul.timeline li")
    expect(assigned).to_have_count(1)
    expect(assigned).to_contain_text("Alpha Reader")
    expect(page.get_by_role("button", name="Unassign Alpha Reader")).to_be_visible()

    # Status: archive, then unarchive.
    sections.get_by_role("link", name="Status").click()
    expect(page.get_by_role("heading", name="Status", level=2)).to_be_visible()
    screenshot(page, "clients-record-phone")
    page.get_by_role("button", name="Archive", exact=True).click()
    page.wait_for_url(f"{record_url}?section=status")
    expect(flash(page)).to_have_text("Status is now Archived.")
    expect(status).to_have_text("Archived")
    page.get_by_role("button", name="Unarchive", exact=True).click()
    expect(flash(page)).to_have_text("Status is now Not invited.")
    expect(status).to_have_text("Not invited")
    expect(page.get_by_role("button", name="Archive", exact=True)).to_be_visible()

    # Options → Delete record → confirmation → Delete.
    sections.get_by_role("link", name="Options").click()
    page.get_by_role("link", name="Delete record").click()
    page.wait_for_url(f"{record_url}delete/")
    expect(page.get_by_role("heading", name=f"Delete the record of {NAME}?")).to_be_visible()
    page.get_by_role("button", name="Delete", exact=True).click()
    page.wait_for_url(f"{base}/o/alpha/clients/")
    expect(flash(page)).to_have_text(f"{NAME} was deleted. Support can restore the record if needed.")
    expect(page.get_by_role("link", name="Beatriz Otra")).to_be_visible()
    expect(page.get_by_role("link", name=NAME)).to_have_count(0)
    expect(page.locator("table.list")).not_to_contain_text(NEW_CASE_NUMBER)
    assert page.goto(record_url).status == 404  # type: ignore[union-attr]

    # Support, in a browser of its own, restores the record.
    sign_in(other_page, base, operator.email)
    other_page.goto(f"{base}/o/alpha/clients/deleted/")
    expect(other_page.get_by_role("heading", name="Deleted client records (support)")).to_be_visible()
    row = other_page.locator("table.list tbody tr", has_text=NAME)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(NEW_CASE_NUMBER)
    expect(row).to_contain_text("Alpha Admin")
    row.get_by_role("button", name="Restore").click()
    other_page.wait_for_url(record_url)
    expect(flash(other_page)).to_have_text(f"{NAME} was restored.")
    expect(other_page.get_by_role("heading", name=NAME, level=1)).to_be_visible()
    expect(other_page.locator("#case-number")).to_have_text(NEW_CASE_NUMBER)

    # The admin sees it again, groups and navigator kept.
    page.goto(f"{record_url}?section=groups")
    expect(page.get_by_role("heading", name=NAME, level=1)).to_be_visible()
    expect(page.locator("#section ul.chips li")).to_have_text([re.compile(rf"^{re.escape(g)}") for g in GROUPS])


def test_nav_search_finds_client_by_partial_name_without_accents(page: Page, live_server) -> None:
    alpha = world_create("alpha")
    client = actions.client_create(
        org=alpha.org, actor=Actor.system(), name=NAME, email="jose.martinez@example.test", phone="+525512345678"
    )
    actions.client_create(org=alpha.org, actor=Actor.system(), name="Beatriz Otra", email="bea@example.test")
    base = live_server.url

    sign_in(page, base, alpha.admin.email)
    page.wait_for_url(f"{base}/o/alpha/")
    page.get_by_role("navigation", name="Organization").get_by_role("link", name="Clients", exact=True).click()
    page.wait_for_url(f"{base}/o/alpha/clients/")

    box = page.locator("#global-search")
    expect(box).to_be_visible()
    expect(box).not_to_be_focused()

    # "/" outside a text field focuses the search box (and is not typed into it).
    page.locator("main h1").click()
    page.keyboard.press("/")
    expect(box).to_be_focused()
    expect(box).to_have_value("")

    # As you type: lower case, no accents, a partial name.
    box.press_sequentially("jose mart", delay=30)
    results = page.locator("#global-search-results")
    expect(results).to_be_visible()
    hit = results.get_by_role("link", name=re.compile(NAME))
    expect(hit).to_have_count(1)
    expect(hit).to_contain_text(client.case_number)
    expect(hit).to_contain_text("Not invited")
    expect(results).not_to_contain_text("Beatriz Otra")
    assert page.url == f"{base}/o/alpha/clients/"  # results in place, no navigation
    panel = results.bounding_box()  # the dropdown fits the phone's width
    assert panel and panel["x"] >= 0 and panel["x"] + panel["width"] <= 390, panel
    screenshot(page, "clients-search-phone")

    # Escape closes the dropdown (Chromium also clears a search box on Escape).
    page.keyboard.press("Escape")
    expect(results).to_be_hidden()
    expect(box).to_be_focused()
    box.press_sequentially("jose martz", delay=30)  # nothing matches
    expect(results).to_contain_text("No client matches “jose martz”.")
    box.press("Backspace")
    expect(hit).to_be_visible()

    # The result opens the record.
    hit.click()
    page.wait_for_url(f"{base}/o/alpha/clients/{client.pk}/")
    expect(page.get_by_role("heading", name=NAME, level=1)).to_be_visible()

    # While typing in a field, "/" is just a character.
    page.get_by_role("link", name="Edit details").click()
    name = page.get_by_label("Name:", exact=True)
    name.click()
    page.keyboard.press("End")
    page.keyboard.press("/")
    expect(name).to_be_focused()
    expect(name).to_have_value(f"{NAME}/")
    expect(page.locator("#global-search")).to_have_value("")
