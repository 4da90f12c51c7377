"""Sending, resending, revoking and accepting client portal invitations (actions)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db.models import F
from django.utils import timezone

from portico.audit.models import AuditAction, AuditEvent
from portico.clients.actions import client_profile_create, client_update
from portico.clients.models import ClientStatus, Profile
from portico.core.actors import Actor, ActorKind
from portico.core.errors import InvalidTransition, PorticoError
from portico.core.tokens import token_digest
from portico.invitations import actions
from portico.invitations.messages import invitation_message_key, invitation_message_key_sql
from portico.invitations.models import Invitation, InvitationLink, InvitationStatus
from portico.invitations.refusals import invitation_expiry, portal_settings_of
from portico.portal.models import PortalAccount, PortalAccountStatus
from testing.world import PASSWORD, client_make, portal_set_up, user_create

pytestmark = pytest.mark.django_db


def staff(world):
    return Actor(kind=ActorKind.STAFF, user=world.admin)


def link_of(to: str) -> str:
    for message in reversed(mail.outbox):
        if to in message.to:
            return str(message.body).split("/invite/")[1].split("/")[0]
    raise AssertionError(f"no invitation to {to}")


def test_portal_must_be_set_up(org_a):
    client = client_make(org_a)
    with pytest.raises(PorticoError) as exc:
        actions.invitation_send(client=client, actor=staff(org_a))
    assert exc.value.code == "portal_not_set_up"
    assert not Invitation.objects.exists()


def test_send_stores_only_the_digest_and_moves_the_client(org_a, deliver):
    portal_set_up(org_a)
    client = client_make(org_a)
    with deliver():
        invitation = actions.invitation_send(client=client, actor=staff(org_a))
    raw = link_of("mark@example.test")
    assert len(raw) >= 43  # 256 bits, url-safe base64
    link = InvitationLink.objects.get(invitation=invitation)
    assert link.token_digest == token_digest(raw)
    assert raw not in str(Invitation.objects.filter(pk=invitation.pk).values().first())
    client.refresh_from_db()
    assert client.status == ClientStatus.INVITE_SENT
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_SENT, target_id=str(client.pk)).count() == 1
    invitation.refresh_from_db()
    assert invitation.delivery == "sent"
    sent = mail.outbox[-1]
    assert "Alpha Org" in sent.from_email
    assert sent.alternatives and "Create my account" in str(sent.alternatives[0][0])


def test_refusals(org_a):
    portal_set_up(org_a)
    no_email = client_make(org_a, "Nobody", email="")
    with pytest.raises(PorticoError) as exc:
        actions.invitation_send(client=no_email, actor=staff(org_a))
    assert exc.value.code == "no_address"
    with pytest.raises(PorticoError) as exc:
        actions.invitation_send(client=no_email, actor=staff(org_a), channel="sms")
    assert exc.value.code == "no_address"
    client = client_make(org_a)
    actions.invitation_send(client=client, actor=staff(org_a))
    with pytest.raises(PorticoError) as exc:
        actions.invitation_send(client=client, actor=staff(org_a))
    assert exc.value.code == "already_invited"
    assert Invitation.objects.count() == 1


def test_resend_kills_the_old_link_and_goes_to_the_original_address(org_a, deliver):
    portal_set_up(org_a)
    client = client_make(org_a)
    with deliver():
        invitation = actions.invitation_send(client=client, actor=staff(org_a))
    first = link_of("mark@example.test")
    with deliver():
        actions.invitation_resend(invitation=invitation, actor=staff(org_a))
    second = link_of("mark@example.test")
    assert first != second
    assert actions.invitation_link_state(raw_token=first).reason == "replaced"
    assert actions.invitation_link_state(raw_token=second).usable
    with pytest.raises(PorticoError):
        actions.invitation_accept(raw_token=first, actor=Actor.system(), password=PASSWORD)
    acceptance = actions.invitation_accept(raw_token=second, actor=Actor.system(), password=PASSWORD)
    assert acceptance.user.email == "mark@example.test"


def test_revoke_makes_the_link_dead_and_the_client_not_invited(org_a, deliver):
    portal_set_up(org_a)
    client = client_make(org_a)
    with deliver():
        invitation = actions.invitation_send(client=client, actor=staff(org_a))
    raw = link_of("mark@example.test")
    actions.invitation_revoke(invitation=invitation, actor=staff(org_a))
    client.refresh_from_db()
    assert client.status == ClientStatus.NOT_INVITED
    assert actions.invitation_link_state(raw_token=raw).reason == "revoked"
    with pytest.raises(InvalidTransition):
        actions.invitation_revoke(invitation=invitation, actor=staff(org_a))


def test_email_change_cancels_pending_invitations(org_a):
    portal_set_up(org_a)
    client = client_make(org_a)
    invitation = actions.invitation_send(client=client, actor=staff(org_a))
    client.refresh_from_db()
    client_update(client=client, actor=staff(org_a), email="new@example.test")
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    assert invitation.ended_reason == "email_changed"
    client.refresh_from_db()
    assert client.status == ClientStatus.NOT_INVITED


def test_expired_link_refused(org_a, deliver):
    portal_set_up(org_a, invitation_lifetime_days=3)
    client = client_make(org_a)
    with deliver():
        actions.invitation_send(client=client, actor=staff(org_a))
    raw = link_of("mark@example.test")
    with time_machine.travel(timezone.now() + dt.timedelta(days=3, minutes=1)):
        assert actions.invitation_link_state(raw_token=raw).reason == "expired"
        with pytest.raises(PorticoError):
            actions.invitation_accept(raw_token=raw, actor=Actor.system(), password=PASSWORD)
        assert actions.invitations_expire_due() == 1
    assert Invitation.objects.get().status == InvitationStatus.EXPIRED


def test_accept_creates_account_profile_and_activates(org_a, deliver):
    portal_set_up(org_a)
    client = client_make(org_a)
    with deliver():
        actions.invitation_send(client=client, actor=staff(org_a))
    raw = link_of("mark@example.test")
    acceptance = actions.invitation_accept(raw_token=raw, actor=Actor.system(), full_name="Mark C.", password=PASSWORD)
    client.refresh_from_db()
    assert client.status == ClientStatus.ACTIVE
    assert client.profile.organizer == acceptance.user
    account = PortalAccount.objects.get(org=org_a.org, user=acceptance.user)
    assert account.status == PortalAccountStatus.ACTIVE  # no enrollment steps configured
    accepted = AuditEvent.objects.get(action=AuditAction.INVITATION_ACCEPTED)
    assert accepted.actor_kind == ActorKind.CLIENT and accepted.actor_user == acceptance.user
    assert acceptance.user.check_password(PASSWORD)


def test_weak_password_refused_and_link_kept(org_a, deliver):
    portal_set_up(org_a)
    client = client_make(org_a)
    with deliver():
        actions.invitation_send(client=client, actor=staff(org_a))
    raw = link_of("mark@example.test")
    with pytest.raises(PorticoError) as exc:
        actions.invitation_accept(raw_token=raw, actor=Actor.system(), password="123")
    assert exc.value.code == "weak_password"
    assert actions.invitation_link_state(raw_token=raw).usable


def test_profile_created_before_acceptance_is_linked_on_acceptance(org_a, deliver):
    portal_set_up(org_a)
    client = client_make(org_a)
    client_profile_create(client=client, actor=staff(org_a))
    client.refresh_from_db()
    assert client.status == ClientStatus.ACTIVE
    with deliver():
        actions.invitation_send(client=client, actor=staff(org_a))
    client.refresh_from_db()
    assert client.status == ClientStatus.ACTIVE  # has a profile: status unchanged by the invitation
    acceptance = actions.invitation_accept(
        raw_token=link_of("mark@example.test"), actor=Actor.system(), password=PASSWORD
    )
    client.refresh_from_db()
    assert client.profile.organizer == acceptance.user
    assert client.status == ClientStatus.ACTIVE


def test_existing_account_chooses_an_existing_profile(org_a, org_b, deliver):
    portal_set_up(org_a)
    portal_set_up(org_b)
    person = user_create("mark@example.test", name="Mark")
    mine = Profile.objects.create(full_name="Mark", email="mark@example.test", organizer=person)
    client = client_make(org_b)
    with deliver():
        actions.invitation_send(client=client, actor=staff(org_b))
    raw = link_of("mark@example.test")
    with pytest.raises(PorticoError) as exc:
        actions.invitation_accept(raw_token=raw, actor=Actor.system(), password=PASSWORD)
    assert exc.value.code == "sign_in_first"
    # The refusal rolled back: the link still works.
    acceptance = actions.invitation_accept(raw_token=raw, actor=Actor.system(), user=person, profile=mine)
    client.refresh_from_db()
    assert client.profile == mine and client.status == ClientStatus.ACTIVE
    assert acceptance.new_account is False


def test_someone_elses_profile_refused(org_a, deliver):
    portal_set_up(org_a)
    person = user_create("mark@example.test", name="Mark")
    other = Profile.objects.create(full_name="Other", organizer=user_create("x@example.test"))
    client = client_make(org_a)
    with deliver():
        actions.invitation_send(client=client, actor=staff(org_a))
    with pytest.raises(PorticoError) as exc:
        actions.invitation_accept(
            raw_token=link_of("mark@example.test"), actor=Actor.system(), user=person, profile=other
        )
    assert exc.value.code == "not_your_profile"


def test_contact_who_is_not_the_organizer_leaves_the_client_inactive(org_a, deliver):
    portal_set_up(org_a)
    parent = user_create("parent@example.test")
    client = client_make(org_a, "Kid Client", email="kid@example.test")
    client_profile_create(client=client, actor=staff(org_a))
    Profile.objects.filter(pk=client.profile_id).update(organizer=parent)
    client.refresh_from_db()
    # The parent organizes the profile, so the record counts as having portal access: the
    # invitation went out before the parent took the profile over.
    Profile.objects.filter(pk=client.profile_id).update(organizer=None)
    with deliver():
        actions.invitation_send(client=client, actor=staff(org_a))
    Profile.objects.filter(pk=client.profile_id).update(organizer=parent)
    actions.invitation_accept(raw_token=link_of("kid@example.test"), actor=Actor.system(), password=PASSWORD)
    client.refresh_from_db()
    assert client.status == ClientStatus.INACTIVE


def test_request_new_link_is_rate_limited_and_tells_navigators(org_a, deliver):
    from portico.clients.actions import client_assign_navigator

    portal_set_up(org_a)
    client = client_make(org_a)
    client_assign_navigator(client=client, actor=staff(org_a), navigator=org_a.admin)
    with deliver():
        invitation = actions.invitation_send(client=client, actor=staff(org_a))
    old = link_of("mark@example.test")
    actions.invitation_resend(invitation=invitation, actor=staff(org_a))
    with deliver():
        fresh = actions.invitation_request_new_link(raw_token=old, actor=Actor.system())
    assert fresh.sent_count == 3
    with pytest.raises(PorticoError) as exc:
        actions.invitation_request_new_link(raw_token=old, actor=Actor.system())
    assert exc.value.code == "rate_limited"
    assert any("asked for a new portal invitation link" in m.subject for m in mail.outbox if org_a.admin.email in m.to)


def test_deleting_or_closing_the_record_ends_its_invitation(org_a, deliver):
    from portico.clients.actions import client_close, client_delete

    portal_set_up(org_a)
    gone = client_make(org_a)
    with deliver():
        actions.invitation_send(client=gone, actor=staff(org_a))
    raw = link_of("mark@example.test")
    client_delete(client=gone, actor=staff(org_a))
    assert actions.invitation_link_state(raw_token=raw).reason == "revoked"
    gone.refresh_from_db()
    assert gone.status == ClientStatus.NOT_INVITED  # a restore finds it consistent
    with pytest.raises(PorticoError):
        actions.invitation_accept(raw_token=raw, actor=Actor.system(), password=PASSWORD)

    closing = client_make(org_a, "Rita Closing", email="rita@example.test")
    client_profile_create(client=closing, actor=staff(org_a))
    closing.refresh_from_db()
    invitation = actions.invitation_send(client=closing, actor=staff(org_a))
    client_close(client=closing, actor=staff(org_a))
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED and invitation.ended_reason == "closed"


def test_resending_an_old_invitation_while_another_is_pending_is_refused(org_a):
    portal_set_up(org_a)
    client = client_make(org_a)
    client_profile_create(client=client, actor=staff(org_a))  # active: a second send is allowed
    client.refresh_from_db()
    old = actions.invitation_send(client=client, actor=staff(org_a))
    Invitation.objects.filter(pk=old.pk).update(status=InvitationStatus.EXPIRED)
    actions.invitation_send(client=client, actor=staff(org_a))
    old.refresh_from_db()
    with pytest.raises(PorticoError) as exc:
        actions.invitation_resend(invitation=old, actor=staff(org_a))
    assert exc.value.code == "already_invited"


def test_a_second_bounce_report_is_not_audited_twice(org_a):
    portal_set_up(org_a)
    invitation = actions.invitation_send(client=client_make(org_a), actor=staff(org_a))
    now = timezone.now()
    actions.invitation_delivery_record(message=invitation.last_message, kind="bounced", at=now)
    actions.invitation_delivery_record(message=invitation.last_message, kind="failed", at=now)
    actions.invitation_delivery_record(message=invitation.last_message, kind="delivered", at=now)
    invitation.refresh_from_db()
    assert invitation.delivery == "bounced"
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_BOUNCED).count() == 1


def test_the_sweep_records_each_expiry_on_the_clients_timeline(org_a, org_b):
    portal_set_up(org_a, invitation_lifetime_days=3)
    portal_set_up(org_b, invitation_lifetime_days=3)
    mark = client_make(org_a)
    sms = client_make(org_a, "Sara Sms", phone="+525512345678")
    beta = client_make(org_b, "Beta Client")
    invitations = [
        actions.invitation_send(client=mark, actor=staff(org_a)),
        actions.invitation_send(client=sms, actor=staff(org_a), channel="sms"),
        actions.invitation_send(client=beta, actor=staff(org_b)),
    ]
    fresh = actions.invitation_send(client=client_make(org_a, "Fay Fresh"), actor=staff(org_a))
    Invitation.objects.filter(pk=fresh.pk).update(expires_at=timezone.now() + dt.timedelta(days=30))
    with time_machine.travel(timezone.now() + dt.timedelta(days=3, minutes=1)):
        assert actions.invitations_expire_due() == 3
        assert actions.invitations_expire_due() == 0  # recorded once
    rows = AuditEvent.objects.filter(action=AuditAction.INVITATION_EXPIRED).order_by("id")
    assert sorted(
        (e.org_id, e.actor_kind, e.actor_user_id, e.target_type, e.target_id, e.target_label, e.from_state, e.to_state)
        for e in rows
    ) == sorted(
        (i.org_id, ActorKind.SYSTEM, None, "clients.client", str(i.client_id), i.client.name, "pending", "expired")
        for i in invitations
    )
    assert sorted((e.detail for e in rows), key=lambda d: d["invitation"]) == [
        {"action": "expire", "invitation": i.pk, "channel": i.channel, "to": i.address} for i in invitations
    ]
    assert set(Invitation.objects.values_list("pk", "status")) == {
        *((i.pk, InvitationStatus.EXPIRED) for i in invitations),
        (fresh.pk, InvitationStatus.PENDING),
    }


def test_the_sweep_records_at_most_its_limit_oldest_first(org_a):
    portal_set_up(org_a, invitation_lifetime_days=3)
    sent = [actions.invitation_send(client=client_make(org_a, f"Client{n} Due"), actor=staff(org_a)) for n in range(3)]
    for days, invitation in zip((3, 1, 2), sent, strict=True):
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(days=days))
    assert actions.invitations_expire_due(limit=2) == 2
    assert set(Invitation.objects.filter(status=InvitationStatus.EXPIRED).values_list("pk", flat=True)) == {
        sent[0].pk,
        sent[2].pk,
    }
    assert actions.invitations_expire_due(limit=2) == 1


def test_an_open_can_be_recorded_inside_a_larger_change(org_a, deliver):
    from django.db import transaction

    portal_set_up(org_a)
    with deliver():
        invitation = actions.invitation_send(client=client_make(org_a), actor=staff(org_a))
    with transaction.atomic():
        actions.invitation_mark_opened(raw_token=link_of("mark@example.test"))
    invitation.refresh_from_db()
    assert invitation.delivery == "opened" and invitation.opened_at is not None


def test_revoking_uses_the_client_its_caller_loaded(org_a, django_assert_num_queries):
    portal_set_up(org_a)
    client = client_make(org_a)
    actions.invitation_send(client=client, actor=staff(org_a))
    invitation = Invitation.objects.select_related("client").get()
    with django_assert_num_queries(99, exact=False) as queries:
        actions.invitation_revoke(invitation=invitation, actor=staff(org_a))
    statements = [q["sql"].split()[0] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    # The invitation's move, the client's move and their audit rows: nothing is read again (what
    # follows is the receivers of ``invitation_revoked``: the journey re-derives itself).
    assert statements[:4] == ["UPDATE", "INSERT", "UPDATE", "INSERT"]
    client.refresh_from_db()
    assert client.status == ClientStatus.NOT_INVITED


def test_a_send_points_the_invitation_at_its_message_in_the_delivery_move(org_a, django_assert_num_queries):
    portal_set_up(org_a)
    client = client_make(org_a)
    with django_assert_num_queries(99, exact=False) as queries:
        invitation = actions.invitation_send(client=client, actor=staff(org_a))
    updates = [q for q in queries.captured_queries if q["sql"].startswith('UPDATE "invitations_invitation"')]
    assert len(updates) == 1  # queued, with the message, in one statement
    invitation.refresh_from_db()
    assert invitation.last_message is not None and invitation.last_message.idempotency_key.endswith(":1")
    assert invitation.delivery == "queued"


def test_the_sql_key_of_a_send_finds_the_message_that_send_wrote(org_a):
    portal_set_up(org_a)
    invitation = actions.invitation_send(client=client_make(org_a), actor=staff(org_a))
    actions.invitation_resend(invitation=invitation, actor=staff(org_a))
    keyed = Invitation.objects.annotate(key=invitation_message_key_sql(F("pk"), F("sent_count")))
    assert keyed.values_list("key", flat=True).get() == invitation_message_key(invitation.pk, 2)
    assert keyed.filter(last_message__idempotency_key=F("key")).get() == invitation


def test_sends_and_resends_expire_after_the_organizations_lifetime(org_a):
    portal_set_up(org_a, invitation_lifetime_days=3)
    portal = portal_settings_of(org_a.org)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        invitation = actions.invitation_send(client=client_make(org_a), actor=staff(org_a))
        assert invitation.expires_at == invitation_expiry(portal) == start + dt.timedelta(days=3)
    later = start + dt.timedelta(days=1)
    with time_machine.travel(later, tick=False):
        actions.invitation_resend(invitation=invitation, actor=staff(org_a))
    invitation.refresh_from_db()
    assert invitation.expires_at == invitation_expiry(portal, later) == later + dt.timedelta(days=3)
