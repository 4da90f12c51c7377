import pytest
from django.db import models

from portico.audit.transitions import REGISTRY, StateMachine
from portico.core.errors import InvalidTransition


class Light(models.TextChoices):
    RED = "red", "Red"
    GREEN = "green", "Green"


def test_it_returns_the_target_of_an_allowed_move():
    machine = StateMachine("Test light", Light, {Light.RED: {"go": Light.GREEN}})
    assert machine.target(Light.RED, "go") == Light.GREEN
    REGISTRY.pop("Test light")


def test_it_refuses_a_move_the_table_lacks_with_a_clear_message():
    machine = StateMachine("Test light", Light, {Light.RED: {"go": Light.GREEN}})
    REGISTRY.pop("Test light")
    with pytest.raises(InvalidTransition) as exc:
        machine.target(Light.GREEN, "go")
    assert str(exc.value) == "Cannot go: the test light is green."
    assert exc.value.extra == {"from": "green", "action": "go"}


def test_it_rejects_a_table_with_unknown_states():
    with pytest.raises(ValueError, match="unknown state"):
        StateMachine("Broken", Light, {Light.RED: {"go": "blue"}})


def test_every_registered_machine_is_rendered_as_mermaid():
    assert {"Staff membership", "Staff invitation", "Outbox message"} <= set(REGISTRY)
    assert "active --> deactivated: deactivate" in REGISTRY["Staff membership"].mermaid()
