"""The journey board: a column per step with counts, the longest waiting first, stalled clients
highlighted, filters by navigator, source and date, a keyset "More" page per column, and a fixed
number of queries whatever the number of journeys."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from portico.clients.actions import client_assign_navigator
from portico.core.actors import Actor
from portico.journey.models import Journey
from portico.journey.tests.helpers import accept, estimate_make, invite, journey
from portico.leads.models import Lead, LeadSource
from testing.world import client_make, portal_set_up

pytestmark = pytest.mark.django_db


def _board(client, world, **params):
    return client.get(reverse("journey_board", args=[world.org.slug]), params)


def _count(html: str, step: str) -> int:
    found = re.search(rf'id="column-{step}".*?data-count="(\d+)"', html, re.S)
    assert found, f"no column {step}"
    return int(found.group(1))


def _names(html: str, step: str) -> list[str]:
    column = re.search(rf'<section class="card stack" id="column-{step}".*?</section>', html, re.S)
    assert column
    return re.findall(r'class="journey-row[^"]*" id="journey-\d+">\s*<a href="[^"]+">([^<]+)</a>', column.group(0))


def test_columns_count_clients_at_each_step_longest_waiting_first(client, org_a, org_b):
    with time_machine.travel(timezone.now() - dt.timedelta(days=3), tick=False):
        invite(org_a, name="Olga Oldest", email="olga@example.test")
    invite(org_a, name="Nina Newer", email="nina@example.test")
    portal_set_up(org_a)
    with_estimate = client_make(org_a, "Eve Estimate", email="eve@example.test")
    estimate_make(org_a, with_estimate)
    invite(org_a, with_estimate)
    accept(with_estimate)
    accept(invite(org_a, name="Carl Complete", email="carl@example.test"))
    invite(org_b, name="Bob Other", email="bob@example.test")  # another organization's

    client.force_login(org_a.admin)
    html = _board(client, org_a).content.decode()
    assert _count(html, "account") == 2
    assert _names(html, "account") == ["Olga Oldest", "Nina Newer"]
    assert _count(html, "estimate") == 1 and _names(html, "estimate") == ["Eve Estimate"]
    assert "Bob Other" not in html
    assert "Completed: 1." in html


def test_stalled_clients_are_highlighted(client, org_a):
    with time_machine.travel(timezone.now() - dt.timedelta(days=6), tick=False):
        stalled = invite(org_a, name="Sam Stalled", email="sam@example.test")
    fresh = invite(org_a, name="Fay Fresh", email="fay@example.test")
    client.force_login(org_a.admin)
    html = _board(client, org_a).content.decode()
    assert f'class="journey-row stalled" id="journey-{journey(stalled).pk}"' in html
    assert f'class="journey-row" id="journey-{journey(fresh).pk}"' in html
    assert 'data-stalled="1"' in html


def test_filters_by_navigator_source_and_date(client, org_a):
    mine = invite(org_a, name="Mia Mine", email="mia@example.test")
    client_assign_navigator(client=mine, actor=Actor.system(), navigator=org_a.readonly)
    portal_set_up(org_a)
    referred = client_make(org_a, "Ray Referred", email="ray@example.test")
    Lead.objects.create(org=org_a.org, name="Ray", source=LeadSource.REFERRAL, client=referred)
    invite(org_a, referred)
    with time_machine.travel(timezone.now() - dt.timedelta(days=40), tick=False):
        invite(org_a, name="Old Otto", email="otto@example.test")

    client.force_login(org_a.admin)
    assert _names(_board(client, org_a, navigator=org_a.readonly.pk).content.decode(), "account") == ["Mia Mine"]
    assert _names(_board(client, org_a, source="referral").content.decode(), "account") == ["Ray Referred"]
    since = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    recent = _names(_board(client, org_a, started_from=since).content.decode(), "account")
    assert sorted(recent) == ["Mia Mine", "Ray Referred"]
    until = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    assert _names(_board(client, org_a, started_to=until).content.decode(), "account") == ["Old Otto"]


def _many(world, n: int, start: int = 0) -> None:
    """n journeys at the account step (rows written directly: the board only reads them)."""
    portal_set_up(world)
    now = timezone.now()
    for i in range(start, start + n):
        c = client_make(world, f"Many {i} Client", email=f"many{i}@example.test")
        Journey.objects.create(
            org=world.org,
            client=c,
            steps=["invite", "account"],
            started_at=now - dt.timedelta(hours=i),
            current_step="account",
            step_entered_at=now - dt.timedelta(hours=i),
            reached={"invite": now.isoformat()},
        )


def test_the_board_costs_the_same_queries_whatever_its_size(client, org_a, django_assert_num_queries):
    client.force_login(org_a.admin)
    _many(org_a, 15)
    _board(client, org_a)  # warm the per-process reference lists
    # session, user, memberships; the settings; one query for every column's first rows and
    # (capped) counts and the completed count.
    expected = 4 + 1 + (1 if connection.vendor == "postgresql" else 0)  # the EXPLAIN of every count
    with django_assert_num_queries(expected):
        small = _board(client, org_a)
    _many(org_a, 40, start=15)
    with django_assert_num_queries(expected):
        big = _board(client, org_a)
    assert _count(small.content.decode(), "account") == 15
    assert _count(big.content.decode(), "account") == 55
    assert len(_names(big.content.decode(), "account")) == 10  # a bounded number per column


def test_more_pages_through_a_column_by_keyset(client, org_a, django_assert_num_queries):
    _many(org_a, 55)
    client.force_login(org_a.admin)
    html = _board(client, org_a).content.decode()
    more = re.search(r'href="([^"]*onboarding/column/\?step=account[^"]*)"', html)
    assert more
    url = reverse("journey_column", args=[org_a.org.slug])
    with django_assert_num_queries(5):  # session, user, memberships, the page, the settings
        first = client.get(url, {"step": "account"})
    names = re.findall(r'id="journey-\d+">\s*<a href="[^"]+">([^<]+)</a>', first.content.decode())
    assert len(names) == 50 and names[0] == "Many 54 Client"  # the longest waiting first
    cursor = re.search(r"cursor=([\w-]+)", first.content.decode())
    assert cursor
    rest = client.get(url, {"step": "account", "cursor": cursor.group(1)})
    names_rest = re.findall(r'id="journey-\d+">\s*<a href="[^"]+">([^<]+)</a>', rest.content.decode())
    assert len(names_rest) == 5 and names_rest[-1] == "Many 0 Client"
    assert not set(names) & set(names_rest)


def test_an_unknown_column_goes_back_to_the_board(client, org_a):
    client.force_login(org_a.admin)
    response = client.get(reverse("journey_column", args=[org_a.org.slug]), {"step": "nope"})
    assert response.status_code == 302 and response["Location"] == reverse("journey_board", args=[org_a.org.slug])


def test_the_remind_button_needs_the_invitation_permission(client, org_a):
    invite(org_a)
    client.force_login(org_a.readonly)
    html = _board(client, org_a).content.decode()
    assert "Remind</button>" not in html
    client.force_login(org_a.admin)
    assert "Remind</button>" in _board(client, org_a).content.decode()


def test_a_column_past_a_thousand_shows_about_how_many_in_the_same_queries(client, org_a, django_assert_num_queries):
    """Past EXACT_COUNT_LIMIT a column's count is the planner's estimate on PostgreSQL ("about N",
    as list totals are), still in the same queries; SQLite counts exactly (a query per such count)."""
    from portico.clients.models import Client

    _many(org_a, 1)
    now = timezone.now()
    first = Client.objects.get(org=org_a.org)
    clients = Client.objects.bulk_create(
        [
            Client(org=org_a.org, name=f"Bulk {i}", email=f"bulk{i}@example.test", case_number=f"BULK-{i}")
            for i in range(1_005)
        ]
    )
    Journey.objects.bulk_create(
        [
            Journey(
                org=org_a.org,
                client=c,
                steps=["invite", "account"],
                started_at=now,
                current_step="account",
                step_entered_at=now - dt.timedelta(days=10, minutes=i),
            )
            for i, c in enumerate(clients)
        ]
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE journey_journey")
    client.force_login(org_a.admin)
    _board(client, org_a)
    with django_assert_num_queries(4 + 1 + (1 if connection.vendor == "postgresql" else 2)):
        html = _board(client, org_a).content.decode()
    count = _count(html, "account")
    stalled = int(re.search(r'id="column-account".*?data-stalled="(\d+)"', html, re.S).group(1))
    if connection.vendor == "postgresql":
        assert 1_001 <= count <= 1_200 and 1_001 <= stalled <= 1_200  # the planner's figure, roughly right
        assert "about 1" in html
    else:
        assert (count, stalled) == (1_006, 1_005)
    assert _names(html, "account")[0] == "Bulk 1004"  # the longest waiting first
    assert first.name not in _names(html, "account")
