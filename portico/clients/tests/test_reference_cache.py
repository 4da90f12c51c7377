"""The organization's reference lists (client types, warnings, groups, staff) are cached per
process and reloaded when any of them changes, so no page shows a stale drop-down."""

from __future__ import annotations

import pytest

from portico.accounts.actions import user_profile_update
from portico.clients.actions import client_type_create, group_create, warning_create
from portico.clients.reference import client_reference
from portico.core.actors import Actor
from portico.orgs.actions import membership_deactivate
from portico.orgs.models import Membership

pytestmark = pytest.mark.django_db


def _ref(world):
    world.org.refresh_from_db()  # each page loads the organization row afresh
    return client_reference(org=world.org)


def test_a_second_read_costs_no_query(org_a, django_assert_num_queries):
    _ref(org_a)
    with django_assert_num_queries(0):
        client_reference(org=org_a.org)


def test_each_list_reloads_after_a_change(org_a):
    actor = Actor.system()
    before = _ref(org_a)
    client_type_create(org=org_a.org, actor=actor, name="Walk-in")
    group_create(org=org_a.org, actor=actor, name="Youth")
    warning_create(org=org_a.org, actor=actor, label="Allergy", colour="#9a5b00", icon="heart")
    after = _ref(org_a)
    assert after is not before
    assert "Walk-in" in dict(after.client_types).values() and "Youth" in dict(after.groups).values()
    assert [w.label for w in after.warnings] == ["Allergy"]


def test_a_staff_members_new_name_and_departure_show(org_a):
    reader = org_a.readonly
    _ref(org_a)
    user_profile_update(user=reader, actor=Actor.system(), full_name="Rita Renamed", language="en")
    assert "Rita Renamed" in dict(_ref(org_a).staff).values()
    membership = Membership.objects.get(org=org_a.org, user=reader)
    membership_deactivate(membership=membership, actor=Actor(kind="staff", user=org_a.admin))
    assert reader.pk not in dict(_ref(org_a).staff)


def test_another_organizations_changes_leave_this_cache_alone(org_a, org_b):
    kept = _ref(org_a)
    group_create(org=org_b.org, actor=Actor.system(), name="Theirs")
    assert _ref(org_a) is kept
