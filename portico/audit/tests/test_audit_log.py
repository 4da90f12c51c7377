"""The audit log: append-only rows, filtered by actor, action and date, paged by keyset."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portico.audit.actions import audit_record
from portico.audit.models import AuditAction, AuditEvent
from portico.core.actors import Actor


def _event(world, user, action=AuditAction.ROLE_CHANGED, **kwargs):
    return audit_record(
        org=world.org, actor=Actor(kind="staff", user=user, ip="10.0.0.9", user_agent="UA"), action=action, **kwargs
    )


def test_rows_cannot_be_changed_or_deleted(org_a):
    event = _event(org_a, org_a.admin)
    event.detail = {"x": 1}
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_postgresql_itself_refuses_updates_and_deletes(org_a):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    from django.db import DatabaseError, transaction

    event = _event(org_a, org_a.admin)
    for sql in ("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", "DELETE FROM audit_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])


def test_secrets_in_detail_are_masked(org_a):
    event = _event(org_a, org_a.admin, detail={"password": "p", "api_token": "t", "role": "Sales"})
    assert event.detail == {"password": "***", "api_token": "***", "role": "Sales"}


def test_it_records_ip_user_agent_and_actor(org_a):
    event = _event(org_a, org_a.admin, target=org_a.roles["Sales"], from_state="a", to_state="b")
    assert (event.ip, event.user_agent, event.actor_label, event.target_type, event.target_label) == (
        "10.0.0.9",
        "UA",
        "Alpha Admin",
        "orgs.role",
        "Sales",
    )


def test_admins_filter_by_actor_action_and_date(client, org_a, org_b):
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)):
        _event(org_a, org_a.readonly, AuditAction.ROLE_CREATED, target_label="March")
    with time_machine.travel(dt.datetime(2026, 4, 1, 12, tzinfo=dt.UTC)):
        _event(org_a, org_a.admin, AuditAction.ROLE_DELETED, target_label="April")
    _event(org_b, org_b.admin, AuditAction.ROLE_DELETED, target_label="Beta's")
    client.force_login(org_a.admin)
    url = reverse("audit_log", args=["alpha"])

    def labels(**params):
        return [
            e.target_label
            for e in client.get(url, params).context["events"]
            if e.target_label in {"March", "April", "Beta's"}
        ]

    assert labels() == ["April", "March"]
    assert labels(actor=org_a.readonly.pk) == ["March"]
    assert labels(action="role.deleted") == ["April"]
    assert labels(date_from="2026-03-15") == ["April"]
    assert labels(date_to="2026-03-15") == ["March"]
    response = client.get(url, {"action": "nonsense"})
    assert response.status_code == 200 and b"Select a valid choice" in response.content


def test_it_pages_with_a_fixed_number_of_queries(client, org_a):
    client.force_login(org_a.admin)
    url = reverse("audit_log", args=["alpha"])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(60):
        _event(org_a, org_a.admin, target_label=f"e{i}")
    with CaptureQueriesContext(connection) as many:
        first = client.get(url)
    assert len(few) == len(many)
    assert len(first.context["events"]) == 50 and first.context["next_cursor"]
    second = client.get(url, {"cursor": first.context["next_cursor"]})
    assert {e.pk for e in second.context["events"]}.isdisjoint({e.pk for e in first.context["events"]})


def test_htmx_filter_changes_swap_only_the_results(client, org_a):
    _event(org_a, org_a.admin, AuditAction.ROLE_DELETED, target_label="Only this")
    client.force_login(org_a.admin)
    response = client.get(reverse("audit_log", args=["alpha"]), {"action": "role.deleted"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.startswith('<div class="card" id="audit-results">') and "Only this" in body and "<nav" not in body
