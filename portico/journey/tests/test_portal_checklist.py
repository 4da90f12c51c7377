"""The portal home shows the client their onboarding checklist, the next step first."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from portico.journey.tests.helpers import accept, estimate_make, estimate_move, invite
from testing.world import client_make, portal_set_up

pytestmark = pytest.mark.django_db


def test_the_next_step_comes_first(client, org_a):
    portal_set_up(org_a)
    eve = client_make(org_a, "Eve Estimate")
    estimate = estimate_make(org_a, eve)
    estimate_move(estimate, "send")
    invite(org_a, eve)
    person = accept(eve).user
    client.force_login(person)
    html = client.get(reverse("portal_org_home", args=[org_a.org.slug])).content.decode()
    steps = re.findall(r'<li(?: aria-current="step")? data-step="(\w+)"', html)
    assert steps == ["estimate", "invite", "account"]
    assert '<li aria-current="step" data-step="estimate">' in html
    assert "Review and approve your estimate" in html

    estimate_move(estimate, "approve")
    html = client.get(reverse("portal_org_home", args=[org_a.org.slug])).content.decode()
    assert re.findall(r'data-step="(\w+)"', html) == ["invite", "account", "estimate"]
    assert 'aria-current="step"' not in html
    assert "Enrollment pending" not in html  # the journey is complete: the account is active


def test_no_journey_no_checklist(client, org_a):
    accepted = accept(invite(org_a))
    from portico.journey.models import Journey

    Journey.objects.all().delete()
    client.force_login(accepted.user)
    html = client.get(reverse("portal_org_home", args=[org_a.org.slug])).content.decode()
    assert "onboarding-checklist" not in html
