"""A person's records leave (closed, deleted) and come back (reopened, unarchived, restored): the
journey follows without waiting for another event, the portal checklist shows the open journey,
and a closed record's unfinished journey does not keep the person "enrollment pending"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from portico.clients.actions import client_delete, client_restore, client_status_change
from portico.clients.models import Client
from portico.core.actors import Actor
from portico.journey.models import Journey
from portico.journey.receivers import journey_enrollment_done
from portico.journey.selectors import BoardFilters, journey_board, portal_checklist
from portico.journey.tests.helpers import accept, estimate_make, estimate_move, invite, journey, staff
from portico.portal.models import PortalAccount
from testing.world import client_make, user_create

pytestmark = pytest.mark.django_db


def _on_board(world, client) -> bool:
    board = journey_board(org=world.org, filters=BoardFilters())
    return any(row.client_id == client.pk for column in board.columns for row in column.page.rows)


def _second_record(world, person_client, name: str = "Mark Second") -> Client:
    """Another record of the same person (same profile), with an unfinished journey."""
    other = client_make(world, name, email="mark.second@example.test")
    Client.objects.filter(pk=other.pk).update(profile=person_client.profile_id, status="active")
    other.refresh_from_db()
    now = timezone.now()
    Journey.objects.create(
        org=world.org,
        client=other,
        steps=["invite", "account"],
        started_at=now - dt.timedelta(days=2),
        current_step="account",
        step_entered_at=now - dt.timedelta(days=2),
        reached={"invite": now.isoformat()},
    )
    return other


def _waiting_for_estimate(world) -> Client:
    """An active client (account made) whose journey waits for the estimate's approval."""
    eve = client_make(world, "Eve Estimate")
    estimate_move(estimate_make(world, eve), "send")
    invite(world, eve)
    accept(eve)
    assert journey(eve).current_step == "estimate"
    return Client.objects.get(pk=eve.pk)


def test_a_reopened_record_is_back_on_the_board_at_once(org_a):
    eve = _waiting_for_estimate(org_a)
    client_status_change(client=eve, action="close", actor=staff(org_a))
    assert journey(eve).stopped_at is not None and not _on_board(org_a, eve)
    client_status_change(client=Client.objects.get(pk=eve.pk), action="reopen", actor=staff(org_a))
    assert journey(eve).stopped_at is None and journey(eve).current_step == "estimate"
    assert _on_board(org_a, eve)


def test_a_restored_record_is_back_on_the_board_at_once(org_a):
    mark = invite(org_a)
    client_delete(client=mark, actor=staff(org_a))
    assert journey(mark).stopped_at is not None
    operator = user_create("support@example.test", operator=True)
    client_restore(client=Client.objects.get(pk=mark.pk), actor=Actor(kind="staff", user=operator))
    assert journey(mark).stopped_at is None and _on_board(org_a, mark)


def test_the_checklist_shows_the_open_journey_not_the_completed_one(org_a):
    mark = invite(org_a)
    person = accept(mark).user
    assert journey(mark).completed_at is not None
    second = _second_record(org_a, Client.objects.get(pk=mark.pk))
    steps = portal_checklist(org=org_a.org, user=person)
    assert [s.key for s in steps if s.current] == ["account"]  # the second record's, still open
    client_status_change(client=second, action="close", actor=staff(org_a))
    steps = portal_checklist(org=org_a.org, user=person)  # a closed record's journey: not shown
    assert [s.current for s in steps] == [False, False] and all(s.done for s in steps)


def test_a_closed_records_unfinished_journey_does_not_keep_enrollment_pending(org_a):
    mark = invite(org_a)
    person = accept(mark).user
    second = _second_record(org_a, Client.objects.get(pk=mark.pk))
    account = PortalAccount.objects.get(org=org_a.org, user=person)
    assert not journey_enrollment_done(account)  # the second record's journey is unfinished
    client_status_change(client=second, action="close", actor=staff(org_a))
    assert journey(second).stopped_at is not None
    assert journey_enrollment_done(account)  # one closed record, one finished journey: active
