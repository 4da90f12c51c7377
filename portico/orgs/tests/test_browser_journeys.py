"""End-to-end journeys in headless Chromium: a role and a staff invitation from sign-in to the new
member's second sign-in, other organizations' pages (404), and a missing permission (403)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from testing.browser import screenshot, sign_in
from testing.world import run_tasks, world_create

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
NEWBIE = "newbie@alpha.test"
NEWBIE_PASSWORD = "a-fresh-and-long-passphrase-42"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=["phone", "desktop"])
def size(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def new_page(browser: Browser, browser_context_args: dict, size: str) -> Iterator[Callable[[], Page]]:
    """Pages in fresh browser contexts (separate cookies: separate people) at the chosen size."""
    args = dict(browser_context_args)
    if size == "desktop":
        args.update(viewport=DESKTOP, is_mobile=False, has_touch=False)
    contexts: list[BrowserContext] = []

    def make() -> Page:
        context = browser.new_context(**args)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def site_url(live_server, settings) -> str:
    # Links in mail are built from SITE_URL; point them at the live server so they can be opened.
    settings.SITE_URL = live_server.url
    # Development mail set-up: the Sent messages page shows the delivered copy, link included.
    settings.EMAIL_BACKEND = "portico.outbox.mailbox.MailboxBackend"
    return live_server.url


def sign_out(page: Page) -> None:
    """The POST button inside the account menu of the navigation bar."""
    page.get_by_label("Your account").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


def test_admin_creates_role_and_invites_staff_member_who_joins(
    new_page: Callable[[], Page], site_url: str, size: str
) -> None:
    alpha = world_create("alpha")
    admin = new_page()

    # The admin signs in through the real login form and lands on the organization's dashboard.
    sign_in(admin, site_url, alpha.admin.email)
    admin.wait_for_url(f"{site_url}/o/alpha/")
    expect(admin.get_by_role("heading", name="Hello, Alpha Admin")).to_be_visible()

    # Roles, from the sub-navigation: a new role with two permissions.
    subnav = admin.get_by_role("navigation", name="Organization")
    subnav.get_by_role("link", name="Roles").click()
    admin.wait_for_url(f"{site_url}/o/alpha/roles/")
    admin.get_by_role("link", name="New role").click()
    admin.wait_for_url(f"{site_url}/o/alpha/roles/new/")
    admin.get_by_label("Name:", exact=True).fill("Intake")
    admin.get_by_label("Description:", exact=True).fill("First contact with new clients")
    admin.locator("input[name=permissions][value='clients.view']").check()
    admin.locator("input[name=permissions][value='clients.create']").check()
    admin.get_by_role("button", name="Save role").click()
    admin.wait_for_url(f"{site_url}/o/alpha/roles/")
    expect(admin.get_by_role("status")).to_have_text("Role “Intake” created.")
    intake_row = admin.locator("table.list tbody tr", has_text="Intake")
    expect(intake_row).to_have_count(1)
    expect(intake_row.locator("td").nth(1)).to_contain_text("2")

    # Staff → Invite, with the new role.
    subnav.get_by_role("link", name="Staff").click()
    admin.wait_for_url(f"{site_url}/o/alpha/staff/")
    admin.get_by_role("link", name="Invite", exact=True).click()
    admin.wait_for_url(f"{site_url}/o/alpha/staff/invite/")
    admin.get_by_label("Email address:", exact=True).fill(NEWBIE)
    admin.get_by_label("Role:", exact=True).select_option(label="Intake")
    admin.get_by_role("button", name="Send invitation").click()
    admin.wait_for_url(f"{site_url}/o/alpha/staff/")
    expect(admin.get_by_role("status")).to_have_text(f"Invitation sent to {NEWBIE}.")
    expect(admin.locator("table.list tr", has_text=NEWBIE)).to_contain_text("Intake")

    # The worker delivers the queued mail.
    assert run_tasks() >= 1

    # Sent messages: the invitation was sent, and its page shows the body with the link.
    subnav.get_by_role("link", name="Sent messages").click()
    admin.wait_for_url(f"{site_url}/o/alpha/messages/")
    row = admin.locator("table.list tbody tr", has_text=NEWBIE)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Sent")
    row.get_by_role("link", name="You are invited to join Alpha Org on Portico").click()
    admin.wait_for_url(re.compile(r"/o/alpha/messages/\d+/$"))
    expect(admin.get_by_role("heading", name="You are invited to join Alpha Org on Portico")).to_be_visible()
    expect(admin.locator("pre.body").first).to_contain_text("[one-time link, hidden]")
    body = admin.locator("pre.body.delivered")
    expect(body).to_contain_text("You have been invited to join Alpha Org on Portico as Intake.")
    found = re.findall(r"https?://\S+/join/\S+/", body.inner_text())
    assert len(found) == 1, body.inner_text()
    link = found[0]
    assert link.startswith(f"{site_url}/join/")
    if size == "phone":
        screenshot(admin, "journey1-message-phone")

    sign_out(admin)
    expect(admin.get_by_role("heading", name="Sign In")).to_be_visible()

    # The new staff member, in a browser of their own, opens the link: GET only shows what it is for.
    newbie = new_page()
    newbie.goto(link)
    expect(newbie.get_by_role("heading", name="Join Alpha Org")).to_be_visible()
    expect(newbie.get_by_text(f"This invitation is for {NEWBIE}, as Intake.")).to_be_visible()
    newbie.reload()  # looking at it again still works: GET does not consume the link
    expect(newbie.get_by_role("heading", name="Join Alpha Org")).to_be_visible()
    newbie.get_by_label("Your name:", exact=True).fill("Nora Newbie")
    newbie.get_by_label("Password:", exact=True).fill(NEWBIE_PASSWORD)
    newbie.get_by_label("Password (again):", exact=True).fill(NEWBIE_PASSWORD)
    newbie.get_by_role("button", name="Create my account and join").click()
    newbie.wait_for_url(f"{site_url}/o/alpha/")
    expect(newbie.get_by_role("status")).to_have_text("Welcome to Alpha Org.")
    expect(newbie.get_by_role("heading", name="Hello, Nora Newbie")).to_be_visible()
    expect(newbie.get_by_text("You work here as Intake.")).to_be_visible()
    # The Intake role manages nothing: no administration links in the sub-navigation (the onboarding
    # board and their own bookings are for anyone who sees clients).
    expect(newbie.get_by_role("navigation", name="Organization").get_by_role("link")).to_have_text(
        ["Home", "Clients", "My clients", "Groups", "Reports", "Onboarding", "Bookings"]
    )

    # Signed out and in again with the password chosen on the invitation page.
    sign_out(newbie)
    sign_in(newbie, site_url, NEWBIE, NEWBIE_PASSWORD)
    newbie.wait_for_url(f"{site_url}/o/alpha/")
    expect(newbie.get_by_role("heading", name="Hello, Nora Newbie")).to_be_visible()

    # The link worked once.
    newbie.goto(link)
    expect(newbie.get_by_role("heading", name="This invitation link does not work")).to_be_visible()
    stranger = new_page()
    stranger.goto(link)
    expect(stranger.get_by_role("heading", name="This invitation link does not work")).to_be_visible()


def test_staff_of_another_org_gets_404_for_its_pages(page: Page, live_server) -> None:
    alpha = world_create("alpha")
    beta = world_create("beta")
    alpha_role = alpha.roles["Read-only"]
    base = live_server.url

    sign_in(page, base, beta.admin.email)
    page.wait_for_url(f"{base}/o/beta/")
    expect(page.get_by_role("heading", name="Hello, Beta Admin")).to_be_visible()

    for path in ("/o/alpha/", f"/o/alpha/roles/{alpha_role.pk}/", f"/o/beta/roles/{alpha_role.pk}/"):
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 404, path
        expect(page.get_by_role("heading", name="This page does not exist")).to_be_visible()
        expect(page.get_by_text(alpha_role.name)).to_have_count(0)
        expect(page.get_by_text("Alpha Org")).to_have_count(0)
    screenshot(page, "journey2-404-phone")

    # Beta's own role page still opens: the 404s are about the organization, not a broken page.
    beta_role = beta.roles["Read-only"]
    page.goto(f"{base}/o/beta/roles/{beta_role.pk}/")
    expect(page.get_by_role("heading", name=f"Role: {beta_role.name}")).to_be_visible()


def test_readonly_member_gets_403_naming_the_missing_permission(page: Page, live_server) -> None:
    alpha = world_create("alpha")
    base = live_server.url

    sign_in(page, base, alpha.readonly.email)
    page.wait_for_url(f"{base}/o/alpha/")
    expect(page.get_by_text("You work here as Read-only.")).to_be_visible()
    expect(page.get_by_role("navigation", name="Organization").get_by_role("link", name="Roles")).to_have_count(0)

    response = page.goto(f"{base}/o/alpha/roles/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="You don't have permission to do this")).to_be_visible()
    expect(page.locator(".error-page")).to_contain_text("Your role lacks the permission Manage roles (roles.manage).")
    expect(page.locator(".error-page code")).to_have_text("roles.manage")
    screenshot(page, "journey3-403-phone")


def test_pages_are_styled(page: Page, live_server) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    for asset in ("portico/portico.css", "portico/htmx-2.0.11.min.js"):
        response = page.request.get(f"{live_server.url}/static/{asset}")
        assert response.status == 200, asset
    expect(page.locator("nav.nav")).to_have_css("background-color", "rgb(31, 95, 174)")
