"""StateMachine: the one way a status moves (check the table, conditional UPDATE, stale refusal,
audit row), and its set-based form for bulk work."""

import pytest
from django.db import models
from django.db.models import F

from portico.audit.models import AuditAction, AuditEvent
from portico.audit.transitions import BY_KEY, REGISTRY, Stale, StateMachine
from portico.clients.actions import client_create
from portico.clients.models import CLIENT_MACHINE, Client, ClientStatus
from portico.core.actors import Actor
from portico.core.errors import InvalidTransition


class Light(models.TextChoices):
    RED = "red", "Red"
    GREEN = "green", "Green"


@pytest.fixture
def light():
    machine = StateMachine("Test light", Light, {Light.RED: {"go": Light.GREEN}}, history="nowhere (a test)")
    yield machine
    REGISTRY.pop("Test light")


def _staff(world):
    return Actor(kind="staff", user=world.admin)


def test_it_returns_the_target_of_an_allowed_move(light):
    assert light.target(Light.RED, "go") == Light.GREEN


def test_it_refuses_a_move_the_table_lacks_with_a_clear_message(light):
    with pytest.raises(InvalidTransition) as exc:
        light.target(Light.GREEN, "go")
    assert str(exc.value) == "Cannot go: the test light is green."
    assert exc.value.extra == {"from": "green", "action": "go"}


def test_it_rejects_a_table_with_unknown_states():
    with pytest.raises(ValueError, match="unknown state"):
        StateMachine("Broken", Light, {Light.RED: {"go": "blue"}}, history="x")


def test_a_machine_says_how_its_moves_are_recorded():
    with pytest.raises(ValueError, match="audit action"):
        StateMachine("Silent", Light, {Light.RED: {"go": Light.GREEN}})


def test_apply_moves_conditionally_and_writes_the_audit_row(org_a):
    client = client_create(org=org_a.org, actor=_staff(org_a), name="Ana")
    assert CLIENT_MACHINE.apply(client, "archive", actor=_staff(org_a), detail={"why": "test"}) == ClientStatus.ARCHIVED
    assert client.status == Client.objects.get(pk=client.pk).status == ClientStatus.ARCHIVED
    event = AuditEvent.objects.get(action=AuditAction.CLIENT_STATUS_CHANGED, target_id=str(client.pk))
    assert (event.from_state, event.to_state, event.detail) == (
        "not_invited",
        "archived",
        {"action": "archive", "why": "test"},
    )


def test_apply_refuses_a_row_someone_else_moved_and_changes_nothing(org_a):
    client = client_create(org=org_a.org, actor=_staff(org_a), name="Ana")
    stale = Client.objects.get(pk=client.pk)
    CLIENT_MACHINE.apply(client, "archive", actor=_staff(org_a))
    with pytest.raises(Stale) as exc:
        CLIENT_MACHINE.apply(stale, "send_invitation", actor=_staff(org_a))
    assert exc.value.code == "stale" and "Someone else changed this client" in str(exc.value)
    assert Client.objects.get(pk=client.pk).status == ClientStatus.ARCHIVED
    assert AuditEvent.objects.filter(action=AuditAction.CLIENT_STATUS_CHANGED).count() == 1


def test_apply_many_moves_only_rows_in_a_source_state_with_one_audit_row_each(org_a):
    people = [client_create(org=org_a.org, actor=_staff(org_a), name=f"P{i}") for i in range(3)]
    CLIENT_MACHINE.apply(people[0], "archive", actor=_staff(org_a))
    moved = CLIENT_MACHINE.apply_many(
        Client.objects.filter(org=org_a.org),
        "send_invitation",
        actor=_staff(org_a),
        org=org_a.org.pk,
        audit_rows={"target_label": F("name")},
    )
    assert moved == 2
    assert list(Client.objects.order_by("id").values_list("status", flat=True)) == [
        "archived",
        "invite_sent",
        "invite_sent",
    ]
    rows = AuditEvent.objects.filter(action=AuditAction.CLIENT_STATUS_CHANGED, to_state="invite_sent")
    assert sorted(rows.values_list("target_label", flat=True)) == ["P1", "P2"]
    assert {r.detail["action"] for r in rows} == {"send_invitation"}


def test_every_machine_has_a_key_and_tones_for_the_badges():
    for machine in REGISTRY.values():
        assert machine.key and BY_KEY[machine.key] is machine, machine.name


def test_every_registered_machine_is_rendered_as_mermaid():
    assert {"Staff membership", "Staff invitation", "Outbox message", "Background job"} <= set(REGISTRY)
    assert "active --> deactivated: deactivate" in REGISTRY["Staff membership"].mermaid()
