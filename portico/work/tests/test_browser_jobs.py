"""Jobs in headless Chromium at 390×844: the job made when a client finished onboarding is in the
Jobs list; staff open it, assign it, schedule it, start it and complete it on a phone. No page
scrolls sideways."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from portico.core.actors import Actor
from portico.notifications.models import EventKind, Notification
from portico.orgs.actions import membership_add
from portico.work.models import Job, JobState
from portico.work.tests.factories import agreement_sign, onboarding_client, payment_method_activate
from testing.browser import screenshot, sign_in
from testing.world import user_create, world_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def test_staff_assign_schedule_start_and_complete_a_job_on_a_phone(page: Page, live_server):
    alpha = world_create("alpha")
    nora = user_create("nora@alpha.test", name="Nora Navigator")
    membership_add(org=alpha.org, user=nora, role=alpha.roles["Navigator"], actor=Actor.system())
    record, _estimate, agreement, method = onboarding_client(alpha, name="Rosa Roof")
    agreement_sign(agreement)
    payment_method_activate(method)
    job = Job.objects.get(client=record)
    base = live_server.url

    sign_in(page, base, alpha.admin.email)
    page.goto(f"{base}/o/alpha/")
    page.locator("nav.subnav").get_by_role("link", name="Jobs").click()
    page.wait_for_url(re.compile(r"/o/alpha/work/$"))
    expect(page.locator(f"#job-{job.pk}")).to_contain_text("Rosa Roof")
    _fits(page)
    screenshot(page, "jobs-list-390")

    page.locator(f"#job-{job.pk}").get_by_role("link", name=job.label).click()
    page.wait_for_url(re.compile(rf"/o/alpha/work/{job.pk}/$"))
    expect(page.locator("#job-state")).to_contain_text("New")
    expect(page.locator("#job-links")).to_contain_text("4242")
    _fits(page)

    page.get_by_label("Assigned to").select_option(label="Nora Navigator")
    page.locator("#job-assign").click()
    expect(page.locator("#job-assignee")).to_contain_text("Nora Navigator")

    page.get_by_label("Date").fill("2030-06-03")
    page.get_by_label("Time").fill("08:15")
    page.locator("#job-schedule").click()
    expect(page.locator("#job-state")).to_contain_text("Scheduled")
    expect(page.locator("#job-scheduled")).to_contain_text("08:15")
    _fits(page)
    screenshot(page, "job-scheduled-390")

    page.locator("#job-start").click()
    expect(page.locator("#job-state")).to_contain_text("In progress")
    page.locator("#job-complete").click()
    expect(page.locator("#job-state")).to_contain_text("Completed")
    expect(page.locator("#job-moves")).to_have_count(0)
    _fits(page)
    screenshot(page, "job-completed-390")

    stored = Job.objects.get(pk=job.pk)
    assert (stored.state, stored.assignee) == (JobState.COMPLETED, nora)
    assert Notification.objects.filter(recipient=nora, kind=EventKind.JOB_ASSIGNED).exists()
