"""Every action writes its audit row. The table must name every AuditAction, so a new action
without a case here fails the last test."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from portico.accounts.actions import user_profile_update
from portico.audit.models import AuditAction, AuditEvent
from portico.core.actors import Actor
from portico.core.testing import World, run_tasks, user_create
from portico.orgs import actions as org_actions
from portico.outbox.actions import outbox_enqueue, outbox_retry
from portico.outbox.models import OutboxMessage, OutboxState


def _staff(w: World) -> Actor:
    return Actor(kind="staff", user=w.admin, ip="192.0.2.1", user_agent="pytest")


def _invite(w: World):
    return org_actions.staff_invitation_send(org=w.org, actor=_staff(w), email="n@x.test", role=w.roles["Sales"])


def _accept(w: World) -> None:
    from portico.core.tokens import token_new
    from portico.orgs.models import StaffInvitation

    invitation = _invite(w)
    raw, digest = token_new()
    StaffInvitation.objects.filter(pk=invitation.pk).update(token_digest=digest)
    org_actions.staff_invitation_accept(
        raw_token=raw, actor=Actor.system(), full_name="N", password="a-long-pass-phrase"
    )


def _failed_message(w: World) -> OutboxMessage:
    message = outbox_enqueue(org=w.org, channel="email", to="z@x.test", idempotency_key="z", subject="s")
    OutboxMessage.objects.filter(pk=message.pk).update(state=OutboxState.FAILED)
    message.refresh_from_db()
    return message


def _message_failed(w: World, settings) -> None:
    settings.EMAIL_BACKEND = "portico.outbox.tests.test_delivery.FlakyBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 1
    from portico.outbox.tests.test_delivery import FlakyBackend

    FlakyBackend.calls, FlakyBackend.failures = 0, 1
    message = outbox_enqueue(org=w.org, channel="email", to="z@x.test", idempotency_key="z", subject="s")
    from portico.outbox.actions import outbox_deliver

    outbox_deliver(message_id=message.pk)


def _signed_in(w: World, settings) -> None:
    from django.test import Client
    from django.urls import reverse

    from portico.core.testing import PASSWORD

    Client().post(reverse("account_login"), {"login": w.admin.email, "password": PASSWORD})


CASES: dict[str, Callable[..., object]] = {
    AuditAction.ORG_CREATED: lambda w, s: org_actions.org_create(name="New", slug="new-org", actor=_staff(w)),
    AuditAction.ORG_SETTINGS_CHANGED: lambda w, s: org_actions.org_settings_update(
        org=w.org, actor=_staff(w), name="Renamed"
    ),
    AuditAction.ROLE_CREATED: lambda w, s: org_actions.role_create(
        org=w.org, actor=_staff(w), name="R", permissions=[]
    ),
    AuditAction.ROLE_CHANGED: lambda w, s: org_actions.role_update(
        role=w.roles["Sales"], actor=_staff(w), name="Sales", permissions=["clients.view"]
    ),
    AuditAction.ROLE_DELETED: lambda w, s: org_actions.role_delete(role=w.roles["Sales"], actor=_staff(w)),
    AuditAction.STAFF_INVITED: lambda w, s: _invite(w),
    AuditAction.STAFF_INVITATION_RESENT: lambda w, s: org_actions.staff_invitation_resend(
        invitation=_invite(w), actor=_staff(w)
    ),
    AuditAction.STAFF_INVITATION_REVOKED: lambda w, s: org_actions.staff_invitation_revoke(
        invitation=_invite(w), actor=_staff(w)
    ),
    AuditAction.STAFF_INVITATION_ACCEPTED: lambda w, s: _accept(w),
    AuditAction.STAFF_ADDED: lambda w, s: org_actions.membership_add(
        org=w.org, user=user_create("added@x.test"), role=w.roles["Sales"], actor=_staff(w)
    ),
    AuditAction.STAFF_ROLE_CHANGED: lambda w, s: org_actions.membership_change_role(
        membership=w.membership(w.readonly), role=w.roles["Sales"], actor=_staff(w)
    ),
    AuditAction.STAFF_DEACTIVATED: lambda w, s: org_actions.membership_deactivate(
        membership=w.membership(w.readonly), actor=_staff(w)
    ),
    AuditAction.STAFF_REACTIVATED: lambda w, s: org_actions.membership_reactivate(
        membership=org_actions.membership_deactivate(membership=w.membership(w.readonly), actor=_staff(w)),
        actor=_staff(w),
    ),
    AuditAction.USER_SIGNED_IN: _signed_in,
    AuditAction.USER_PROFILE_CHANGED: lambda w, s: user_profile_update(
        user=w.admin, actor=_staff(w), full_name="New Name", language="es"
    ),
    AuditAction.MESSAGE_FAILED: _message_failed,
    AuditAction.MESSAGE_RETRIED: lambda w, s: outbox_retry(message=_failed_message(w), actor=_staff(w)),
}


@pytest.mark.parametrize("action", list(CASES), ids=str)
def test_the_action_writes_its_audit_row(org_a, settings, action):
    before = AuditEvent.objects.filter(action=action).count()
    CASES[action](org_a, settings)
    run_tasks()
    events = AuditEvent.objects.filter(action=action).order_by("-id")
    assert events.count() == before + 1
    event = events.first()
    assert event.org in (org_a.org, None) or action == AuditAction.ORG_CREATED
    assert event.actor_kind and event.actor_label and event.target_type and event.target_id


def test_every_audit_action_has_a_case():
    assert set(CASES) == set(AuditAction.values)
