"""Every action writes its audit row. The table must name every AuditAction, so a new action
without a case here fails the last test."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable

import pytest
from django.conf import settings as settings_module

from portico.accounts.actions import user_profile_update
from portico.audit.models import AuditAction, AuditEvent
from portico.clients import actions as client_actions
from portico.core.actors import Actor
from portico.invitations import actions as invitation_actions
from portico.orgs import actions as org_actions
from portico.outbox.actions import outbox_enqueue, outbox_retry
from portico.outbox.models import OutboxMessage, OutboxState
from testing.world import World, run_tasks, user_create
from testing.world import portal_set_up as _portal_set_up


def _png_upload():
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(buffer, format="PNG")
    return SimpleUploadedFile("face.png", buffer.getvalue(), content_type="image/png")


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


def _client_invitation(w: World, raw: str = "raw-token"):
    """A sent portal invitation whose newest link is ``raw``."""
    from portico.core.tokens import token_digest
    from portico.invitations.actions import invitation_send
    from portico.invitations.models import InvitationLink
    from testing.world import client_make, portal_set_up

    portal_set_up(w)
    invitation = invitation_send(client=client_make(w), actor=_staff(w))
    InvitationLink.objects.filter(invitation=invitation).update(token_digest=token_digest(raw))
    return invitation


def _client_accepted(w: World) -> None:
    from portico.invitations.actions import invitation_accept

    _client_invitation(w)
    invitation_accept(raw_token="raw-token", actor=Actor.system(), password="a-long-pass-phrase")


def _client_invitation_expired(w: World) -> None:
    from django.utils import timezone

    from portico.invitations.actions import invitations_expire_due
    from portico.invitations.models import Invitation

    invitation = _client_invitation(w)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    invitations_expire_due()


def _client_new_link(w: World) -> None:
    from portico.invitations.actions import invitation_request_new_link, invitation_resend

    invitation_resend(invitation=_client_invitation(w), actor=_staff(w))
    invitation_request_new_link(raw_token="raw-token", actor=Actor.system())


def _client_invitation_bounced(w: World) -> None:
    from django.utils import timezone

    from portico.invitations.actions import invitation_delivery_record

    invitation = _client_invitation(w)
    invitation_delivery_record(message=invitation.last_message, kind="bounced", at=timezone.now(), detail="550")


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
    from portico.outbox.delivery import outbox_deliver

    outbox_deliver(message_id=message.pk)


def _signed_in(w: World, settings) -> None:
    from django.test import Client
    from django.urls import reverse

    from testing.world import PASSWORD

    Client().post(reverse("account_login"), {"login": w.admin.email, "password": PASSWORD})


def _client(w: World, **kwargs: object):
    from portico.clients.actions import client_create

    return client_create(org=w.org, actor=_staff(w), name="Audit Client", **kwargs)


def _group(w: World):
    from portico.clients.actions import group_create

    return group_create(org=w.org, actor=_staff(w), name="Audit Group")


def _restored(w: World) -> None:
    from portico.clients.actions import client_delete, client_restore

    client = client_delete(client=_client(w), actor=_staff(w))
    client_restore(client=client, actor=Actor(kind="support", user=user_create("ops@x.test", operator=True)))


def _bulk(w: World) -> None:
    from portico.clients.bulk import group_bulk_start

    group_bulk_start(group=_group(w), actor=_staff(w), client_ids=[_client(w).pk], operation="add")


def _bulk_invitations(w: World) -> None:
    from portico.invitations.bulk import bulk_invitation_start

    _portal_set_up(w)
    client = _client(w, email="bulk@x.test")
    bulk_invitation_start(org=w.org, actor=_staff(w), channel="email", client_ids=[client.pk])


def _api_key(w: World):
    return org_actions.api_key_create(org=w.org, actor=_staff(w), name="Intake form", role=w.roles["Sales"])[0]


def _signed_in_client(w: World):
    from django.test import Client
    from django.urls import reverse

    from testing.world import PASSWORD

    client = Client()
    client.post(reverse("account_login"), {"login": w.admin.email, "password": PASSWORD})
    return client


def _signed_out(w: World) -> None:
    from django.urls import reverse

    _signed_in_client(w).post(reverse("account_logout"))


def _password_changed(w: World) -> None:
    from django.urls import reverse

    from testing.world import PASSWORD

    new = "another-long-passphrase-42"
    response = _signed_in_client(w).post(
        reverse("account_change_password"), {"oldpassword": PASSWORD, "password1": new, "password2": new}
    )
    assert response.status_code == 302


def _password_reset(w: World) -> None:
    import re

    from django.core import mail
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.post(reverse("account_reset_password"), {"email": w.admin.email})
    from portico.outbox.actions import outbox_sweep

    outbox_sweep()
    run_tasks()
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", mail.outbox[-1].body).group(0)
    response = client.get(link, follow=True)
    new = "a-brand-new-passphrase-7"
    client.post(response.redirect_chain[-1][0], {"password1": new, "password2": new})


def _mfa_client(w: World):
    from portico.accounts.tests.test_sign_in import activate_totp

    client = _signed_in_client(w)
    activate_totp(client)
    return client


def _mfa_removed(w: World) -> None:
    from django.urls import reverse

    client = _mfa_client(w)
    client.post(reverse("mfa_deactivate_totp"))


def _recovery_codes_reset(w: World) -> None:
    from django.urls import reverse

    client = _mfa_client(w)
    client.post(reverse("mfa_generate_recovery_codes"))


def _notification_preferences(w: World) -> None:
    from portico.notifications.actions import notification_preferences_save

    notification_preferences_save(
        org=w.org, user=w.admin, actor=_staff(w), prefs={"request_opened": ["in_app", "push"]}
    )


def _request(w: World):
    from testing.requests import request_make

    return request_make(w)


def _reply(w: World, s, *, internal: bool):
    from portico.requests.actions import request_reply

    return request_reply(
        client_request=_request(w), actor=_staff(w), body="On it.", from_client=False, internal=internal
    )


def _take(w: World):
    from portico.requests.actions import request_take

    return request_take(client_request=_request(w), actor=_staff(w))


def _kind(w: World):
    from portico.requests.actions import request_kind_create

    return request_kind_create(org=w.org, actor=_staff(w), name="Housing")


def _request_answered(w: World):
    from portico.requests.actions import request_mark_answered

    return request_mark_answered(client_request=_request(w), actor=_staff(w))


CASES: dict[str, Callable[..., object]] = {
    AuditAction.REQUEST_KIND_CREATED: lambda w, s: _kind(w),
    AuditAction.REQUEST_OPENED: lambda w, s: _request(w),
    AuditAction.REQUEST_REPLIED: lambda w, s: _reply(w, s, internal=False),
    AuditAction.REQUEST_NOTE_ADDED: lambda w, s: _reply(w, s, internal=True),
    AuditAction.REQUEST_STATUS_CHANGED: lambda w, s: _request_answered(w),
    AuditAction.REQUEST_TAKEN: lambda w, s: _take(w),
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
    AuditAction.USER_CREATED: lambda w, s: _accept(w),
    AuditAction.USER_SIGNED_IN: _signed_in,
    AuditAction.USER_PROFILE_CHANGED: lambda w, s: user_profile_update(
        user=w.admin, actor=_staff(w), full_name="New Name", language="es"
    ),
    AuditAction.CLIENT_CREATED: lambda w, s: _client(w),
    AuditAction.CLIENT_CHANGED: lambda w, s: client_actions.client_update(
        client=_client(w), actor=_staff(w), email="n@x.test"
    ),
    AuditAction.CLIENT_STATUS_CHANGED: lambda w, s: client_actions.client_status_change(
        action="archive", client=_client(w), actor=_staff(w)
    ),
    AuditAction.CLIENT_CASE_NUMBER_CHANGED: lambda w, s: client_actions.client_change_case_number(
        client=_client(w), actor=_staff(w), case_number="X-1"
    ),
    AuditAction.CLIENT_IMAGE_CHANGED: lambda w, s: client_actions.client_set_image(
        client=_client(w), actor=_staff(w), upload=_png_upload()
    ),
    AuditAction.CLIENT_PROFILE_LINKED: lambda w, s: client_actions.client_profile_create(
        client=_client(w), actor=_staff(w)
    ),
    AuditAction.CLIENT_GROUPS_CHANGED: lambda w, s: client_actions.client_set_groups(
        client=_client(w), actor=_staff(w), groups=[_group(w)]
    ),
    AuditAction.CLIENT_NAVIGATOR_ASSIGNED: lambda w, s: client_actions.client_assign_navigator(
        client=_client(w), actor=_staff(w), navigator=w.readonly
    ),
    AuditAction.CLIENT_NAVIGATOR_UNASSIGNED: lambda w, s: client_actions.client_unassign_navigator(
        client=client_actions.client_assign_navigator(client=_client(w), actor=_staff(w), navigator=w.readonly),
        actor=_staff(w),
        navigator=w.readonly,
    ),
    AuditAction.CLIENT_DELETED: lambda w, s: client_actions.client_delete(client=_client(w), actor=_staff(w)),
    AuditAction.CLIENT_RESTORED: lambda w, s: _restored(w),
    AuditAction.GROUP_CREATED: lambda w, s: _group(w),
    AuditAction.GROUP_DELETED: lambda w, s: client_actions.group_delete(group=_group(w), actor=_staff(w)),
    AuditAction.GROUP_BULK_CHANGED: lambda w, s: _bulk(w),
    AuditAction.CLIENT_TYPE_CREATED: lambda w, s: client_actions.client_type_create(
        org=w.org, actor=_staff(w), name="New type"
    ),
    AuditAction.WARNING_CREATED: lambda w, s: client_actions.warning_create(
        org=w.org, actor=_staff(w), label="Allergy", colour="#aa0000", icon="heart"
    ),
    AuditAction.API_KEY_CREATED: lambda w, s: _api_key(w),
    AuditAction.API_KEY_REVOKED: lambda w, s: org_actions.api_key_revoke(api_key=_api_key(w), actor=_staff(w)),
    AuditAction.USER_SIGNED_OUT: lambda w, s: _signed_out(w),
    AuditAction.USER_PASSWORD_CHANGED: lambda w, s: _password_changed(w),
    AuditAction.USER_PASSWORD_RESET: lambda w, s: _password_reset(w),
    AuditAction.USER_MFA_ADDED: lambda w, s: _mfa_client(w),
    AuditAction.USER_MFA_REMOVED: lambda w, s: _mfa_removed(w),
    AuditAction.USER_RECOVERY_CODES_RESET: lambda w, s: _recovery_codes_reset(w),
    AuditAction.MESSAGE_FAILED: _message_failed,
    AuditAction.PORTAL_SETTINGS_CHANGED: lambda w, s: _portal_set_up(w),
    AuditAction.PORTAL_ACCOUNT_CREATED: lambda w, s: _client_accepted(w),
    AuditAction.PORTAL_ACCOUNT_STATUS_CHANGED: lambda w, s: _client_accepted(w),  # enrollment completes
    AuditAction.INVITATION_SENT: lambda w, s: _client_invitation(w),
    AuditAction.INVITATION_RESENT: lambda w, s: invitation_actions.invitation_resend(
        invitation=_client_invitation(w), actor=_staff(w)
    ),
    AuditAction.INVITATION_REVOKED: lambda w, s: invitation_actions.invitation_revoke(
        invitation=_client_invitation(w), actor=_staff(w)
    ),
    AuditAction.INVITATION_EXPIRED: lambda w, s: _client_invitation_expired(w),
    AuditAction.INVITATION_ACCEPTED: lambda w, s: _client_accepted(w),
    AuditAction.INVITATION_NEW_LINK_REQUESTED: lambda w, s: _client_new_link(w),
    AuditAction.INVITATION_BOUNCED: lambda w, s: _client_invitation_bounced(w),
    AuditAction.INVITATIONS_BULK_SENT: lambda w, s: _bulk_invitations(w),
    AuditAction.NOTIFICATION_PREFERENCES_CHANGED: lambda w, s: _notification_preferences(w),
    AuditAction.MESSAGE_RETRIED: lambda w, s: outbox_retry(message=_failed_message(w), actor=_staff(w)),
}
# Apps may keep their cases beside their own tests: ``portico/<app>/tests/audit_cases.py`` with
# ``AUDIT_CASES`` (the same shape: action -> case(world, settings)).
for _app in settings_module.INSTALLED_APPS:
    if _app.startswith("portico.") and importlib.util.find_spec(f"{_app}.tests.audit_cases") is not None:
        CASES.update(importlib.import_module(f"{_app}.tests.audit_cases").AUDIT_CASES)


@pytest.mark.parametrize("action", list(CASES), ids=str)
def test_the_action_writes_its_audit_row(org_a, settings, action, django_capture_on_commit_callbacks):
    before = AuditEvent.objects.filter(action=action).count()
    with django_capture_on_commit_callbacks(execute=True):
        CASES[action](org_a, settings)
    run_tasks()
    events = AuditEvent.objects.filter(action=action).order_by("-id")
    # Turning TOTP on also creates recovery codes, and turning it off removes them: two rows.
    two_rows = {AuditAction.USER_MFA_ADDED, AuditAction.USER_MFA_REMOVED}
    assert events.count() == before + (2 if action in two_rows else 1)
    event = events.first()
    assert event.org in (org_a.org, None) or action == AuditAction.ORG_CREATED
    assert event.actor_kind and event.actor_label and event.target_type and event.target_id


def test_every_audit_action_has_a_case():
    assert set(CASES) == set(AuditAction.values)
