"""Replies move the request and its last activity together, and a staff answer reaches the client
as they chose (request actions)."""

from __future__ import annotations

import pytest

from portico.accounts.models import NotifyBy
from portico.audit.models import AuditAction, AuditEvent
from portico.clients.actions import client_profile_assign
from portico.clients.models import Profile
from portico.core.actors import Actor
from portico.outbox.models import Channel, OutboxMessage
from portico.requests.actions import request_reply
from portico.requests.models import ClientRequest, RequestStatus
from testing.requests import client_actor, request_make
from testing.world import user_create

pytestmark = pytest.mark.django_db


def _request_updates(queries):
    return [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith(f'UPDATE "{ClientRequest._meta.db_table}"')
    ]


def _status_rows(client_request):
    return AuditEvent.objects.filter(
        action=AuditAction.REQUEST_STATUS_CHANGED, detail__request=client_request.pk
    ).values_list("from_state", "to_state")


def test_a_staff_reply_moves_the_status_and_the_activity_in_one_update(org_a, django_assert_num_queries):
    client_request = request_make(org_a)
    with django_assert_num_queries(99, exact=False) as queries:
        message = request_reply(
            client_request=client_request, actor=Actor(kind="staff", user=org_a.admin), body="Done.", from_client=False
        )
    assert len(_request_updates(queries)) == 1
    stored = ClientRequest.objects.get(pk=client_request.pk)
    assert stored.status == RequestStatus.WAITING_FOR_CLIENT
    assert stored.last_activity_at == message.created_at
    assert list(_status_rows(client_request)) == [("open", "waiting")]


def test_a_reply_that_keeps_the_status_only_touches_the_activity(org_a, django_assert_num_queries):
    client_request = request_make(org_a)
    with django_assert_num_queries(99, exact=False) as queries:
        message = request_reply(
            client_request=client_request, actor=client_actor(org_a), body="One more thing.", from_client=True
        )
    assert len(_request_updates(queries)) == 1
    stored = ClientRequest.objects.get(pk=client_request.pk)
    assert stored.status == RequestStatus.OPEN and stored.last_activity_at == message.created_at
    assert not _status_rows(client_request).exists()  # open → open is not a move


def test_an_internal_note_moves_no_status(org_a):
    client_request = request_make(org_a)
    note = request_reply(
        client_request=client_request,
        actor=Actor(kind="staff", user=org_a.admin),
        body="Called them.",
        from_client=False,
        internal=True,
    )
    stored = ClientRequest.objects.get(pk=client_request.pk)
    assert stored.status == RequestStatus.OPEN and stored.last_activity_at == note.created_at
    assert not _status_rows(client_request).exists()


@pytest.mark.parametrize(
    ("notify_by", "phone", "channel", "to"),
    [
        (NotifyBy.EMAIL, "+525512345678", Channel.EMAIL, "rita@example.test"),
        (NotifyBy.SMS, "+525512345678", Channel.SMS, "+525512345678"),
        (NotifyBy.SMS, "", Channel.EMAIL, "rita@example.test"),  # no number: email rather than nothing
    ],
)
def test_a_staff_answer_reaches_the_client_as_they_chose(org_a, notify_by, phone, channel, to):
    client_request = request_make(org_a)
    person = user_create("rita@example.test")
    person.notify_by, person.phone = notify_by, phone
    person.save()
    profile = Profile.objects.create(full_name="Rita", organizer=person)
    client_profile_assign(client=client_request.client, profile=profile, actor=Actor.system())
    client_request.client.refresh_from_db()
    message = request_reply(
        client_request=client_request, actor=Actor(kind="staff", user=org_a.admin), body="Done.", from_client=False
    )
    told = OutboxMessage.objects.get(idempotency_key=f"request-answered:{message.pk}:{channel}")
    assert (told.channel, told.to) == (channel, to)
    assert f"/requests/{client_request.pk}/" in told.body_text
    assert OutboxMessage.objects.filter(idempotency_key__startswith=f"request-answered:{message.pk}:").count() == 1
