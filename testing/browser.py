"""Helpers for the Playwright tests (headless Chromium, phone size by default)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

from testing.world import PASSWORD

SHOTS = Path("/tmp/portico-shots")  # noqa: S108 (pictures of test runs, nothing secret)


def screenshot(page: Page, name: str) -> None:
    """A full-page picture in /tmp/portico-shots, to look at the layout a test walked through."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, base: str, email: str, password: str = PASSWORD) -> None:
    """Sign in on allauth's form and wait until it has let the person through."""
    page.goto(f"{base}/accounts/login/")
    form = page.locator("form[action='/accounts/login/']")
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.get_by_role("button", name="Sign In").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
