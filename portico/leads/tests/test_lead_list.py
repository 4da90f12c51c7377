"""The leads page: newest first, filtered by source, state and age, keyset pages, a fixed number
of queries whatever it shows; only the organization's own leads; matches flagged."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from portico.core.actors import Actor
from portico.leads.actions import lead_contact, referral_link_get_or_create
from portico.leads.models import Lead
from testing.world import client_make

from .conftest import lead_make

pytestmark = pytest.mark.django_db
URL = reverse("lead_list", args=["alpha"])


def _names(response) -> list[str]:
    return [lead.name for lead in response.context["page"].rows]


def test_newest_first_with_who_referred_each_and_only_this_organizations(client, org_a, org_b):
    mark = client_make(org_a)
    lead_make(org_a, "Old Lead")
    lead_make(org_a, "Friend Lead", source="referral", referrer_client=mark)
    lead_make(org_b, "Beta Lead")
    client.force_login(org_a.admin)
    response = client.get(URL)
    assert _names(response) == ["Friend Lead", "Old Lead"]
    text = response.content.decode()
    assert "Beta Lead" not in text and "Referral · Mark Client" in text


def test_filters_by_source_state_and_age(client, org_a):
    now = timezone.now()
    with time_machine.travel(now - dt.timedelta(days=10)):
        lead_make(org_a, "Ten Days")
    with time_machine.travel(now - dt.timedelta(days=3)):
        lead_make(org_a, "Three Days", source="api")
    contacted = lead_make(org_a, "Today Lead")
    lead_contact(lead=contacted, actor=Actor.system())
    client.force_login(org_a.admin)
    assert _names(client.get(URL, {"source": "api"})) == ["Three Days"]
    assert _names(client.get(URL, {"state": "contacted"})) == ["Today Lead"]
    assert _names(client.get(URL, {"state": "new"})) == ["Three Days", "Ten Days"]
    assert _names(client.get(URL, {"age": "today"})) == ["Today Lead"]
    assert _names(client.get(URL, {"age": "week"})) == ["Today Lead", "Three Days"]
    assert _names(client.get(URL, {"age": "older"})) == ["Ten Days"]
    assert _names(client.get(URL, {"age": "older", "source": "api"})) == []
    assert "No lead matches these filters" in client.get(URL, {"age": "older", "source": "api"}).content.decode()
    assert _names(client.get(URL, {"state": "bogus"})) == ["Today Lead", "Three Days", "Ten Days"]  # ignored


def test_keyset_pages_cost_the_same_whatever_they_show(client, org_a, django_assert_num_queries):
    mark = client_make(org_a, "Mark Client", email="dup0@lead.test")
    referral_link_get_or_create(org=org_a.org, actor=Actor.system(), user=org_a.admin)
    lead_make(org_a, "Dup0 Lead", email="dup0@lead.test")
    client.force_login(org_a.admin)
    client.get(URL)
    # session, user + memberships (org_view), the page (referrers, client and matches in the same query),
    # the staff member's referral link
    with django_assert_num_queries(5):
        small = client.get(URL)
    assert _names(small) == ["Dup0 Lead"]
    for i in range(30):
        lead_make(org_a, f"Lead{i:02d} Many", source="referral", referrer_client=mark)
    with django_assert_num_queries(5):
        first = client.get(URL)
    assert len(first.context["page"].rows) == 25 and first.context["page"].next_cursor
    with django_assert_num_queries(5):
        second = client.get(URL, {"cursor": first.context["page"].next_cursor})
    assert _names(second) == ["Lead04 Many", "Lead03 Many", "Lead02 Many", "Lead01 Many", "Lead00 Many", "Dup0 Lead"]
    assert second.context["page"].next_cursor is None
    assert "Matches a client" in second.content.decode()
    assert "Matches a client" not in first.content.decode()


def test_a_lead_matching_a_deleted_or_other_organizations_client_is_not_flagged(client, org_a, org_b):
    from portico.clients.actions import client_delete

    client_delete(client=client_make(org_a, "Gone Client", email="same@lead.test"), actor=Actor.system())
    client_make(org_b, "Beta Client", email="same@lead.test")
    lead_make(org_a, "Same Lead", email="same@lead.test")
    client.force_login(org_a.admin)
    response = client.get(URL)
    assert [lead.has_match for lead in response.context["page"].rows] == [False]


def test_staff_without_leads_manage_are_refused(client, org_a):
    client.force_login(org_a.readonly)
    response = client.get(URL)
    assert response.status_code == 403 and b"leads.manage" in response.content
    assert Lead.objects.count() == 0
