"""The funnel report: conversion from first contact to each step and the median time per step,
by source and period, as a chart and a table, and as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import time_machine
from django.urls import reverse

from portico.journey.tests.helpers import accept, invite
from portico.leads.models import Lead, LeadSource
from testing.world import client_make, portal_set_up

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def _lead(
    world,
    name: str,
    source: str,
    *,
    hours_to_client: float | None = None,
    hours_to_invite: float | None = None,
    hours_to_account: float | None = None,
):
    with time_machine.travel(T0, tick=False):
        lead = Lead.objects.create(org=world.org, name=name, source=source)
    if hours_to_client is None:
        return lead
    portal_set_up(world)
    with time_machine.travel(T0 + dt.timedelta(hours=hours_to_client), tick=False):
        client = client_make(world, name, email=f"{name.split()[0].lower()}@example.test")
        Lead.objects.filter(pk=lead.pk).update(
            client=client, state="converted", converted_at=T0 + dt.timedelta(hours=hours_to_client)
        )
    if hours_to_invite is not None:
        with time_machine.travel(T0 + dt.timedelta(hours=hours_to_invite), tick=False):
            invite(world, client)
    if hours_to_account is not None:
        with time_machine.travel(T0 + dt.timedelta(hours=hours_to_account), tick=False):
            accept(client)
    return lead


@pytest.fixture
def funnel(org_a, org_b):
    _lead(org_a, "Ann Form", LeadSource.CONTACT_FORM, hours_to_client=1, hours_to_invite=2, hours_to_account=12)
    _lead(org_a, "Ben Form", LeadSource.CONTACT_FORM, hours_to_client=3, hours_to_invite=6)
    _lead(org_a, "Cid Form", LeadSource.CONTACT_FORM)
    _lead(org_a, "Dee Referral", LeadSource.REFERRAL, hours_to_client=2, hours_to_invite=3, hours_to_account=5)
    with time_machine.travel(T0, tick=False):
        invite(org_a, name="Eli Direct", email="eli@example.test")
    _lead(org_b, "Zed Other", LeadSource.CONTACT_FORM, hours_to_client=1, hours_to_invite=2)  # another organization
    return org_a


def _rows(client, world, **params):
    response = client.get(
        reverse("funnel_report", args=[world.org.slug]),
        {"start": "2026-03-01", "end": "2026-03-31", **params, "format": "csv"},
    )
    assert response["Content-Type"].startswith("text/csv")
    return {row["stage"]: row for row in csv.DictReader(io.StringIO(response.content.decode()))}


def test_conversion_and_median_time_per_stage(client, funnel):
    client.force_login(funnel.admin)
    rows = _rows(client, funnel)
    counts = {stage: int(row["count"]) for stage, row in rows.items()}
    # First contact: 4 leads and a client invited directly.
    assert counts == {"lead": 5, "client": 4, "invite": 4, "account": 2, "complete": 2}
    assert rows["client"]["percent_of_first"] == "80.0"
    assert rows["account"]["percent_of_previous"] == "50.0"
    # Medians, from the stage before: lead→client 1, 3, 2 h; client→invited 1, 3, 1 h;
    # invited→account 10 h (Ann) and 2 h (Dee); account→complete 0.
    assert rows["client"]["median_hours"] == "2.0"
    assert rows["invite"]["median_hours"] == "1.0"
    assert rows["account"]["median_hours"] == "6.0"
    assert rows["complete"]["median_hours"] == "0.0"
    assert rows["lead"]["median_hours"] == ""


def test_by_source(client, funnel):
    client.force_login(funnel.admin)
    counts = {stage: int(row["count"]) for stage, row in _rows(client, funnel, source="form").items()}
    assert counts == {"lead": 3, "client": 2, "invite": 2, "account": 1, "complete": 1}
    direct = {stage: int(row["count"]) for stage, row in _rows(client, funnel, source="direct").items()}
    assert direct == {"lead": 1, "client": 1, "invite": 1, "account": 0, "complete": 0}


def test_by_period(client, funnel):
    client.force_login(funnel.admin)
    counts = {
        stage: int(row["count"]) for stage, row in _rows(client, funnel, start="2026-04-01", end="2026-04-30").items()
    }
    assert set(counts.values()) == {0}


def test_the_page_shows_a_chart_and_a_table(client, funnel, django_assert_max_num_queries):
    client.force_login(funnel.admin)
    client.get(reverse("journey_board", args=[funnel.org.slug]))  # the organization is now the session's
    with django_assert_max_num_queries(5):  # session, user, memberships, leads, journeys
        response = client.get(
            reverse("funnel_report", args=[funnel.org.slug]), {"start": "2026-03-01", "end": "2026-03-31"}
        )
    html = response.content.decode()
    assert html.count('class="bar"') == 5
    assert re.search(r'<tr data-stage="account"><td>Portal account</td><td[^>]*>2</td>', html)
    assert 'id="funnel-sources"' in html and "Direct (no lead)" in html
    assert "format=csv" in html


def test_staff_without_clients_view_are_refused(client, org_a):
    from portico.core.actors import Actor
    from portico.orgs.actions import membership_add, role_create
    from testing.world import user_create

    role = role_create(org=org_a.org, actor=Actor.system(), name="Nothing", permissions=[])
    nobody = user_create("nobody@alpha.test")
    membership_add(org=org_a.org, user=nobody, role=role, actor=Actor.system())
    client.force_login(nobody)
    assert client.get(reverse("funnel_report", args=[org_a.org.slug])).status_code == 403
