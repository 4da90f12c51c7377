"""Invitation events notify the client's assigned navigators only: accepted, bounced, and the
portal account created on acceptance."""

from __future__ import annotations

import pytest
from django.utils import timezone

from portico.clients.actions import client_assign_navigator
from portico.core.actors import Actor
from portico.core.tokens import token_digest
from portico.invitations import actions
from portico.invitations.models import InvitationLink
from portico.notifications.models import EventKind, Notification
from portico.orgs.actions import membership_add
from testing.world import PASSWORD, client_make, portal_set_up, user_create

pytestmark = pytest.mark.django_db


def test_acceptance_and_bounce_notify_only_assigned_navigators(org_a):
    portal_set_up(org_a)
    nina = user_create("nina@alpha.test")
    membership_add(org=org_a.org, user=nina, role=org_a.roles["Navigator"], actor=Actor.system())
    record = client_make(org_a)
    client_assign_navigator(client=record, actor=Actor.system(), navigator=nina)
    invitation = actions.invitation_send(client=record, actor=Actor.system())
    actions.invitation_delivery_record(message=invitation.last_message, kind="bounced", at=timezone.now())
    InvitationLink.objects.filter(invitation=invitation).update(token_digest=token_digest("tok"))
    actions.invitation_accept(raw_token="tok", actor=Actor.system(), password=PASSWORD)
    kinds = set(Notification.objects.filter(recipient=nina).values_list("kind", flat=True))
    # The journey (account only) completes on acceptance too, which "accepted" already says.
    assert kinds == {EventKind.INVITATION_BOUNCED, EventKind.INVITATION_ACCEPTED, EventKind.PORTAL_ACCOUNT_CREATED}
    assert not Notification.objects.exclude(recipient=nina).exists()  # the admin is not assigned
