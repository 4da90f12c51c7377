"""Property: whatever happens to a client, in whatever order (invitations sent, revoked, accepted;
estimates sent, declined, revised, approved), the stored journey equals a recomputation from the
facts after every event."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portico.core.errors import PorticoError
from portico.invitations.actions import invitation_revoke
from portico.invitations.models import Invitation
from portico.journey.models import Journey
from portico.journey.tests.helpers import accept, estimate_make, estimate_move, invite, staff, stored_equals_facts
from testing.world import client_make, portal_set_up

pytestmark = pytest.mark.django_db

EVENTS = ["invite", "revoke", "accept", "estimate_send", "estimate_decline", "estimate_approve", "estimate_new"]
_names = itertools.count(1)


def _apply(world, client, event: str) -> None:
    estimates = client.estimates.order_by("-pk")
    try:
        if event == "invite":
            invite(world, client)
        elif event == "revoke":
            pending = Invitation.objects.filter(client=client, status="pending").first()
            if pending is not None:
                invitation_revoke(invitation=pending, actor=staff(world))
        elif event == "accept":
            if Invitation.objects.filter(client=client, status="pending").exists():
                accept(client)
        elif event == "estimate_new":
            estimate_make(world, client)
        elif estimates.exists():
            move = {"estimate_send": "send", "estimate_decline": "decline", "estimate_approve": "approve"}[event]
            estimate_move(estimates.first(), move)
    except PorticoError:
        pass  # a refused move changes nothing


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.booleans(), st.lists(st.sampled_from(EVENTS), min_size=1, max_size=6))
def test_the_stored_journey_always_equals_the_facts(org_a, estimate_first, events):
    portal_set_up(org_a)
    n = next(_names)
    client = client_make(org_a, f"Prop{n} Client", email=f"prop{n}@example.test")
    if estimate_first:
        estimate_make(org_a, client)
    for event in events:
        client.refresh_from_db()
        _apply(org_a, client, event)
        if Journey.objects.filter(client=client).exists():
            assert stored_equals_facts(client), (events, event)
