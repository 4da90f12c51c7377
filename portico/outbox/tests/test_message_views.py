"""Sent messages: the organization's outgoing messages with their delivery state."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portico.outbox.actions import outbox_enqueue
from portico.outbox.models import OutboxMessage, OutboxState
from testing.world import run_tasks


def _message(org, key, state=OutboxState.SENT):
    message = outbox_enqueue(
        org=org,
        channel="email",
        to=f"{key}@x.test",
        idempotency_key=key,
        subject=f"Subject {key}",
        body_text="Hi there",
    )
    OutboxMessage.objects.filter(pk=message.pk).update(state=state)
    return message


def test_it_lists_only_this_organizations_messages(client, org_a, org_b):
    _message(org_a.org, "a1")
    _message(org_b.org, "b1")
    client.force_login(org_a.admin)
    response = client.get(reverse("message_list", args=["alpha"]))
    assert b"Subject a1" in response.content and b"Subject b1" not in response.content


def test_it_filters_by_state_and_shows_an_empty_state(client, org_a):
    _message(org_a.org, "sent1")
    _message(org_a.org, "failed1", OutboxState.FAILED)
    client.force_login(org_a.admin)
    response = client.get(reverse("message_list", args=["alpha"]), {"state": "failed"})
    assert b"Subject failed1" in response.content and b"Subject sent1" not in response.content
    response = client.get(reverse("message_list", args=["alpha"]), {"state": "pending"})
    assert b"Nothing sent yet." in response.content


def test_it_pages_with_older_links(client, org_a):
    for i in range(55):
        _message(org_a.org, f"m{i:02}")
    client.force_login(org_a.admin)
    first = client.get(reverse("message_list", args=["alpha"]))
    assert len(first.context["rows"]) == 50 and first.context["next_cursor"]
    second = client.get(reverse("message_list", args=["alpha"]), {"cursor": first.context["next_cursor"]})
    assert len(second.context["rows"]) == 5 and second.context["next_cursor"] is None


def test_list_query_count_is_fixed(client, org_a):
    client.force_login(org_a.admin)
    url = reverse("message_list", args=["alpha"])
    for i in range(2):
        _message(org_a.org, f"few{i}")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(20):
        _message(org_a.org, f"many{i}")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    # session, user, membership (+org, role), user session touch, messages page
    assert len(few) == len(many)


def test_detail_shows_the_body_and_attempts(client, org_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox_enqueue(
            org=org_a.org, channel="email", to="z@x.test", idempotency_key="z", subject="S", body_text="Line one"
        )
    run_tasks()
    client.force_login(org_a.admin)
    response = client.get(reverse("message_detail", args=["alpha", message.pk]))
    assert b"Line one" in response.content and b"#1" in response.content


def test_retry_refuses_a_message_that_has_not_failed(client, org_a):
    message = _message(org_a.org, "ok")
    client.force_login(org_a.admin)
    response = client.post(reverse("message_retry", args=["alpha", message.pk]), follow=True)
    assert b"Cannot retry: the message is sent." in response.content
    message.refresh_from_db()
    assert message.state == OutboxState.SENT


def test_retry_of_a_failed_message(client, org_a):
    message = _message(org_a.org, "bad", OutboxState.FAILED)
    client.force_login(org_a.admin)
    client.post(reverse("message_retry", args=["alpha", message.pk]))
    message.refresh_from_db()
    assert message.state == OutboxState.PENDING
