"""The client record page (seed 004) costs at most 8 queries in every section, whatever the
record holds: session, user and memberships; the client with its warnings, groups and
navigators; the timeline; on Status the newest invitation (with its trail) and the portal
account; on Onboarding the journey (with the organization's settings), the referral link with the
leads it brought (leads.manage) and the client's estimates (estimates.manage). The reference lists
(client types, warnings, groups, staff) come from a cache that follows the organization's
reference version."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portico.clients import actions
from portico.core.actors import Actor
from portico.core.tokens import token_digest
from portico.invitations.actions import invitation_accept, invitation_send
from portico.invitations.models import InvitationLink
from testing.world import client_make, portal_set_up

pytestmark = pytest.mark.django_db
SECTIONS = ("status", "groups", "navigators", "options", "onboarding")


def _queries(client, url, section):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"section": section})
    assert response.status_code == 200
    return len(queries)


def _full_record(world):
    """A record with everything the page shows: warnings, groups, navigators, an accepted
    invitation with its trail, a portal account."""
    portal_set_up(world)
    record = client_make(world, "Full Record")
    staff = Actor(kind="staff", user=world.admin)
    for i in range(3):
        group = actions.group_create(org=world.org, actor=staff, name=f"Group {i}")
        actions.client_change_groups(client=record, actor=staff, add=[group], remove=[])
        warning = actions.warning_create(org=world.org, actor=staff, label=f"W{i}", colour="#b3261e", icon="alert")
        actions.client_set_warnings(client=record, actor=staff, warnings=[*record.warnings.all(), warning])
    actions.client_assign_navigator(client=record, actor=staff, navigator=world.admin)
    actions.client_assign_navigator(client=record, actor=staff, navigator=world.readonly)
    invitation = invitation_send(client=record, actor=staff)
    InvitationLink.objects.filter(invitation=invitation).update(token_digest=token_digest("raw"))
    invitation_accept(raw_token="raw", actor=Actor.system(), password="a-long-pass-phrase")
    return record


def test_every_section_costs_a_fixed_small_number_of_queries(client, org_a):
    record = _full_record(org_a)
    client.force_login(org_a.admin)
    url = reverse("client_detail", args=["alpha", record.pk])
    client.get(url)  # the first page after changes reloads the organization's reference lists
    counts = {section: _queries(client, url, section) for section in SECTIONS}
    assert counts["status"] == 7, counts  # + the invitation and the portal account
    # + the journey (with its job), the referral link, the estimates, the agreements, the payment method
    assert counts["onboarding"] == 10, counts
    assert all(n <= 10 for n in counts.values()), counts
    page = client.get(url).content.decode()
    assert "Full Record" in page and "W2" in page and "Client Portal Invitation Accepted" in page
    onboarding = client.get(url, {"section": "onboarding"}).content.decode()
    assert "Onboarding journey" in onboarding and "Estimates" in onboarding and "Create a referral link" in onboarding
    assert "Agreements" in onboarding and "Payment method" in onboarding


def test_the_count_does_not_grow_with_what_the_record_holds(client, org_a):
    portal_set_up(org_a)
    small = client_make(org_a, "Small Record", email="small@example.test")
    full = _full_record(org_a)
    client.force_login(org_a.admin)
    for section in SECTIONS:
        small_url = reverse("client_detail", args=["alpha", small.pk])
        full_url = reverse("client_detail", args=["alpha", full.pk])
        client.get(small_url)
        # Status: the small record has no portal account, so one query fewer.
        assert _queries(client, full_url, section) - _queries(client, small_url, section) in (
            0,
            1 if section == "status" else 0,
        )


def test_another_organizations_record_is_404(client, org_a, org_b):
    theirs = client_make(org_b, "Beta Record")
    client.force_login(org_a.admin)
    assert client.get(reverse("client_detail", args=["alpha", theirs.pk])).status_code == 404
