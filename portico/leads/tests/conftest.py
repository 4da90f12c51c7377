"""Shared pieces of the leads tests: a public form shown long enough ago to pass as a person's,
a lead navigator, and leads made through the one action."""

from __future__ import annotations

import re
import time

import pytest
import time_machine

from portico.core.actors import Actor
from portico.leads.actions import lead_settings_save, lead_submit
from portico.leads.models import LeadSource
from portico.orgs.actions import membership_add
from testing.world import user_create

TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def form_token_from(client, url: str, seconds_ago: float = 30) -> str:
    """GET the public form as a visitor ``seconds_ago`` (the signed token is in the page)."""
    with time_machine.travel(time.time() - seconds_ago, tick=False):
        page = client.get(url)
    assert page.status_code == 200
    found = TOKEN.search(page.content.decode())
    assert found, "no form token in the page"
    return found.group(1)


def visitor_post(client, url: str, data: dict, seconds_ago: float = 30, **extra):
    """A person's submission: the form shown, filled in, sent ``seconds_ago`` later."""
    token = form_token_from(client, url, seconds_ago)
    return client.post(url, {"form_token": token, "website": "", **data}, **extra)


def lead_make(world, name: str = "Lena Lead", source: str = LeadSource.CONTACT_FORM, **fields):
    fields.setdefault("email", f"{name.split()[0].lower()}@lead.test")
    return lead_submit(org=world.org, actor=Actor.system(), source=source, name=name, **fields)


@pytest.fixture
def lead_navigator(org_a):
    """A Sales staff member chosen to hear of new leads."""
    user = user_create("sam@alpha.test", name="Sam Sales")
    membership_add(org=org_a.org, user=user, role=org_a.roles["Sales"], actor=Actor.system())
    lead_settings_save(org=org_a.org, actor=Actor.system(), navigators=[user], public_forms=True, thank_you="")
    return user
