"""Regression: "Send me a new link" tells the client's navigators through the one notification
path (it used to email them directly): only active navigators, the organization's mute for closed
and inactive records, each person's channels, and the bell."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from portico.clients.actions import client_assign_navigator, client_profile_create, client_status_change
from portico.core.actors import Actor
from portico.invitations import actions
from portico.invitations.tests.test_invitation_link import invite, link_to
from portico.notifications.actions import notification_preferences_save
from portico.notifications.models import EventKind, Notification
from portico.orgs.actions import membership_add, membership_deactivate, org_settings_update
from portico.orgs.models import Membership
from testing.world import client_make, portal_set_up, user_create

pytestmark = pytest.mark.django_db


def _navigator(world, email):
    user = user_create(email)
    membership_add(org=world.org, user=user, role=world.roles["Navigator"], actor=Actor.system())
    return user


def _ask_for_a_new_link(client, link, deliver):
    mail.outbox.clear()
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)), deliver():
        response = client.post(link + "new-link/")
    assert "on its way" in response.content.decode()


def _told(user):
    return Notification.objects.filter(recipient=user, kind=EventKind.INVITATION_NEW_LINK_REQUESTED)


def test_only_active_navigators_hear_and_each_by_their_channels(client, org_a, deliver):
    record, link = invite(org_a, deliver)
    nina, omar, gone = (_navigator(org_a, f"{n}@alpha.test") for n in ("nina", "omar", "gone"))
    for person in (nina, omar, gone):
        client_assign_navigator(client=record, actor=Actor.system(), navigator=person)
    membership_deactivate(membership=Membership.objects.get(user=gone), actor=Actor.system())
    notification_preferences_save(
        org=org_a.org, user=omar, actor=Actor.system(), prefs={EventKind.INVITATION_NEW_LINK_REQUESTED: ["in_app"]}
    )
    _ask_for_a_new_link(client, link, deliver)

    assert _told(nina).count() == _told(omar).count() == 1  # the bell, for both
    assert not _told(gone).exists()  # deactivated: nothing at all
    emailed = {address for message in mail.outbox for address in message.to}
    assert "nina@alpha.test" in emailed  # by email too (the default channels)
    assert "omar@alpha.test" not in emailed  # in the app only, as he chose
    assert "gone@alpha.test" not in emailed
    assert org_a.admin.email not in emailed  # not a navigator of this client


def test_the_organizations_mute_for_inactive_records_holds(client, org_a, deliver):
    portal_set_up(org_a)
    record = client_make(org_a)
    nina = _navigator(org_a, "nina@alpha.test")
    client_assign_navigator(client=record, actor=Actor.system(), navigator=nina)
    client_profile_create(client=record, actor=Actor.system())  # active: a profile nobody organizes yet
    client_status_change(action="deactivate", client=record, actor=Actor.system())
    org_settings_update(org=org_a.org, actor=Actor.system(), mute_closed_clients=True)
    with deliver():  # still invitable: the profile has no portal account
        actions.invitation_send(client=record, actor=Actor.system())
    _ask_for_a_new_link(client, link_to(record.email), deliver)
    assert not _told(nina).exists()
    assert "nina@alpha.test" not in {a for m in mail.outbox for a in m.to}
