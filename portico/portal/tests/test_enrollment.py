"""Enrollment steps are a real hook: the apps above the portal register what a client must finish;
the account stays "enrollment pending" until every step is done, then becomes active by itself."""

from __future__ import annotations

import pytest

from portico.audit.models import AuditAction, AuditEvent
from portico.core.actors import Actor
from portico.portal.actions import portal_account_enrollment_check, portal_account_open
from portico.portal.enrollment import enrollment_step_register, enrollment_step_unregister, enrollment_steps
from portico.portal.models import PortalAccount, PortalAccountStatus
from testing.world import user_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement_signed():
    """A step an app above would register (the onboarding journey's agreement, say)."""
    signed: set[int] = set()
    enrollment_step_register("agreement", lambda account: account.user_id in signed)
    yield signed
    enrollment_step_unregister("agreement")


def test_without_steps_holding_it_enrollment_completes_on_account_creation(org_a):
    # The apps above may register steps (the onboarding journey does); none holds back a person
    # with nothing to finish.
    assert "agreement" not in enrollment_steps()
    account = portal_account_open(org=org_a.org, user=user_create("ana@example.test"), actor=Actor.system())
    assert account.status == PortalAccountStatus.ACTIVE


def test_a_registered_step_keeps_the_account_pending_until_it_is_done(org_a, agreement_signed):
    person = user_create("ana@example.test")
    account = portal_account_open(org=org_a.org, user=person, actor=Actor.system())
    assert account.status == PortalAccountStatus.ENROLLMENT_PENDING
    portal_account_enrollment_check(account=account, actor=Actor.system())
    assert PortalAccount.objects.get(pk=account.pk).status == PortalAccountStatus.ENROLLMENT_PENDING

    agreement_signed.add(person.pk)  # the fact the step reads changes; its app asks again
    portal_account_enrollment_check(account=account, actor=Actor.system())
    assert PortalAccount.objects.get(pk=account.pk).status == PortalAccountStatus.ACTIVE
    move = AuditEvent.objects.get(action=AuditAction.PORTAL_ACCOUNT_STATUS_CHANGED)
    assert (move.from_state, move.to_state, move.detail["action"]) == (
        "enrollment_pending",
        "active",
        "complete_enrollment",
    )


def test_a_banned_account_is_not_activated_by_a_finished_step(org_a, agreement_signed):
    person = user_create("ana@example.test")
    account = portal_account_open(org=org_a.org, user=person, actor=Actor.system())
    PortalAccount.objects.filter(pk=account.pk).update(status=PortalAccountStatus.BANNED)
    account.refresh_from_db()
    agreement_signed.add(person.pk)
    portal_account_enrollment_check(account=account, actor=Actor.system())
    assert PortalAccount.objects.get(pk=account.pk).status == PortalAccountStatus.BANNED
