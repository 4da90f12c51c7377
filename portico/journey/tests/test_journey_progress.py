"""A client's progress is derived from facts, never typed in: the invitation starts the journey,
the account and the approved estimate move it on, completion activates the portal account by
itself and tells the navigators; the stored row always equals a recomputation from the facts."""

from __future__ import annotations

import pytest
from django.utils import timezone

from portico.audit.models import AuditAction, AuditEvent
from portico.clients.actions import client_assign_navigator, client_status_change
from portico.core.actors import Actor
from portico.invitations.actions import invitation_revoke
from portico.invitations.bulk import bulk_invitation_start
from portico.invitations.models import Invitation
from portico.journey.actions import journey_refresh, journey_settings_save
from portico.journey.models import COMPLETE, Journey
from portico.journey.tests.helpers import (
    accept,
    estimate_make,
    estimate_move,
    invite,
    journey,
    staff,
    stored_equals_facts,
)
from portico.leads.models import Lead, LeadSource
from portico.notifications.models import EventKind, Notification
from portico.portal.models import PortalAccount, PortalAccountStatus
from testing.world import client_make, portal_set_up

pytestmark = pytest.mark.django_db


def test_no_invitation_no_journey(org_a):
    client = client_make(org_a)
    assert journey_refresh(client=client, actor=staff(org_a)) is None
    assert not Journey.objects.exists()


def test_account_only_journey_completes_on_account_creation_and_activates_the_account(org_a):
    client = invite(org_a)
    client_assign_navigator(client=client, actor=Actor.system(), navigator=org_a.readonly)
    started = journey(client)
    assert (started.steps, started.current_step) == (["invite", "account"], "account")
    assert started.step_entered_at == started.started_at == Invitation.objects.get(client=client).created_at
    assert stored_equals_facts(client)

    acceptance = accept(client)
    done = journey(client)
    assert done.current_step == COMPLETE and done.completed_at is not None
    assert set(done.reached) == {"invite", "account"}
    assert stored_equals_facts(client)
    assert PortalAccount.objects.get(user=acceptance.user).status == PortalAccountStatus.ACTIVE
    # Completing with the account is the acceptance the navigators were just told of: no second notification.
    assert not Notification.objects.filter(kind=EventKind.ONBOARDING_COMPLETED, client=client).exists()
    moves = list(
        AuditEvent.objects.filter(action=AuditAction.JOURNEY_STEP_CHANGED, target_id=str(client.pk))
        .order_by("pk")
        .values_list("from_state", "to_state")
    )
    assert moves == [("", "account"), ("account", COMPLETE)]


def test_an_estimate_attached_before_the_invitation_adds_the_estimate_step(org_a):
    portal_set_up(org_a)
    client = client_make(org_a)
    client_assign_navigator(client=client, actor=Actor.system(), navigator=org_a.readonly)
    estimate = estimate_make(org_a, client)
    estimate_move(estimate, "send")
    invite(org_a, client)
    assert journey(client).steps == ["invite", "account", "estimate"]

    acceptance = accept(client)
    at_estimate = journey(client)
    assert at_estimate.current_step == "estimate"
    assert at_estimate.step_entered_at.isoformat() == at_estimate.reached["account"]
    # Enrollment waits for the journey: the account stays pending.
    account = PortalAccount.objects.get(user=acceptance.user)
    assert account.status == PortalAccountStatus.ENROLLMENT_PENDING
    assert stored_equals_facts(client)

    estimate_move(estimate, "approve", actor=Actor(kind="client", user=acceptance.user))
    done = journey(client)
    assert done.current_step == COMPLETE
    assert done.reached["estimate"] == estimate.decided_at.isoformat()
    assert stored_equals_facts(client)
    account.refresh_from_db()
    assert account.status == PortalAccountStatus.ACTIVE
    # The navigators hear that the client finished, once: the job's notification says it (the
    # organization creates jobs by default; without, see test_journey_job.py).
    told = Notification.objects.filter(recipient=org_a.readonly, client=client)
    finished = [EventKind.JOB_CREATED, EventKind.ONBOARDING_COMPLETED]
    assert [n.kind for n in told if n.kind in finished] == [EventKind.JOB_CREATED]
    assert "completed onboarding" in told.get(kind=EventKind.JOB_CREATED).title


def test_an_estimate_made_after_the_invitation_does_not_add_the_step(org_a):
    client = invite(org_a)
    estimate_move(estimate_make(org_a, client), "send")
    assert journey(client).steps == ["invite", "account"]
    accept(client)
    assert journey(client).current_step == COMPLETE


def test_a_declined_estimate_keeps_the_client_at_the_step(org_a):
    portal_set_up(org_a)
    client = client_make(org_a)
    estimate = estimate_make(org_a, client)
    estimate_move(estimate, "send")
    invite(org_a, client)
    accept(client)
    estimate_move(estimate, "decline")
    assert journey(client).current_step == "estimate"
    assert stored_equals_facts(client)


def test_an_organization_without_the_estimate_step_ends_at_the_account(org_a):
    journey_settings_save(org=org_a.org, actor=staff(org_a), optional_steps=[])
    portal_set_up(org_a)
    client = client_make(org_a)
    estimate_make(org_a, client)
    invite(org_a, client)
    assert journey(client).steps == ["invite", "account"]


def test_steps_are_frozen_when_the_journey_starts(org_a):
    portal_set_up(org_a)
    client = client_make(org_a)
    estimate_make(org_a, client)
    invite(org_a, client)
    journey_settings_save(org=org_a.org, actor=staff(org_a), optional_steps=[])
    accept(client)
    assert journey(client).steps == ["invite", "account", "estimate"]
    assert journey(client).current_step == "estimate"


def test_a_revoked_invitation_sends_the_client_back_to_be_invited(org_a):
    client = invite(org_a)
    invitation_revoke(invitation=Invitation.objects.get(client=client), actor=staff(org_a))
    assert journey(client).current_step == "invite"  # invitation_revoked: no refresh needed
    assert stored_equals_facts(client)
    invite(org_a, client)
    assert journey(client).current_step == "account"
    assert stored_equals_facts(client)


def test_the_source_is_the_leads(org_a):
    portal_set_up(org_a)
    client = client_make(org_a)
    Lead.objects.create(org=org_a.org, name="Mark", source=LeadSource.REFERRAL, client=client)
    invite(org_a, client)
    assert journey(client).source == "referral"
    assert journey(invite(org_a, name="Dora Direct")).source == "direct"


def test_closing_the_record_stops_the_journey(org_a):
    client = invite(org_a)
    accept(client)  # active (account only: complete), then closed
    client.refresh_from_db()
    client_status_change(action="close", client=client, actor=staff(org_a))
    assert journey(client).stopped_at is not None


def test_bulk_invitations_start_journeys_set_based(org_a):
    portal_set_up(org_a)
    clients = [client_make(org_a, f"Bulk {i} Client", email=f"bulk{i}@example.test") for i in range(6)]
    estimate_make(org_a, clients[0])
    bulk_invitation_start(org=org_a.org, actor=staff(org_a), channel="email", client_ids=[c.pk for c in clients])
    journeys = {j.client_id: j for j in Journey.objects.all()}
    assert len(journeys) == 6
    assert journeys[clients[0].pk].steps == ["invite", "account", "estimate"]
    assert journeys[clients[1].pk].steps == ["invite", "account"]
    for client in clients:
        assert stored_equals_facts(client)
    moves = AuditEvent.objects.filter(action=AuditAction.JOURNEY_STEP_CHANGED)
    assert moves.count() == 6
    assert set(moves.values_list("from_state", "to_state", "target_id")) == {
        ("", "account", str(c.pk)) for c in clients
    }


def test_stored_progress_always_equals_the_facts_along_a_whole_journey(org_a):
    portal_set_up(org_a)
    client = client_make(org_a)
    estimate = estimate_make(org_a, client)
    estimate_move(estimate, "send")
    seen = []
    for step in (
        lambda: invite(org_a, client),
        lambda: accept(client),
        lambda: estimate_move(estimate, "decline"),
        lambda: estimate_move(estimate_make(org_a, client, supersedes=estimate), "send"),
    ):
        step()
        assert stored_equals_facts(client)
        seen.append(journey(client).current_step)
    newest = client.estimates.get(state="sent")
    estimate_move(newest, "approve")
    assert stored_equals_facts(client)
    assert seen == ["account", "estimate", "estimate", "estimate"]
    assert journey(client).current_step == COMPLETE
    assert journey(client).completed_at <= timezone.now()
