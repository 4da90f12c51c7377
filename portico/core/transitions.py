"""State machines as data.

Each status has a TextChoices and, beside it, a table ``{from_state: {action: to_state}}``.
Actions ask ``machine.target(current, action)`` before writing; docs/state-machines.md is
rendered from the same tables (``manage.py render_state_machines``) and a test compares it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from portico.core.errors import InvalidTransition


@dataclass(frozen=True)
class StateMachine:
    name: str
    states: type[models.TextChoices]
    table: dict[str, dict[str, str]]
    description: str = ""
    # What the user reads in a refusal: the thing ("staff membership") and each action's verb.
    noun: str | Promise = ""
    verbs: dict[str, str | Promise] = field(default_factory=dict)

    def __post_init__(self) -> None:
        valid = set(self.states.values)
        for source, moves in self.table.items():
            if source not in valid:
                raise ValueError(f"{self.name}: unknown state {source!r}")
            for action, target in moves.items():
                if target not in valid:
                    raise ValueError(f"{self.name}: {source} --{action}--> unknown state {target!r}")
        REGISTRY[self.name] = self

    def label(self, state: str) -> str:
        return str(self.states(state).label)

    def allowed_actions(self, current: str) -> list[str]:
        return list(self.table.get(current, {}))

    def sources(self, action: str) -> list[str]:
        """The states from which ``action`` is allowed (for conditional UPDATEs)."""
        return [source for source, moves in self.table.items() if action in moves]

    def target(self, current: str, action: str) -> str:
        try:
            return self.table[current][action]
        except KeyError:
            raise InvalidTransition(
                _("Cannot %(action)s: the %(thing)s is %(state)s.")
                % {
                    "action": self.verbs.get(action, action.replace("_", " ")),
                    "thing": self.noun or self.name.lower(),
                    "state": self.label(current).lower(),
                },
                code="invalid_transition",
                extra={"from": current, "action": action},
            ) from None

    def mermaid(self) -> str:
        lines = ["stateDiagram-v2"]
        for source, moves in self.table.items():
            for action, target in moves.items():
                lines.append(f"    {source} --> {target}: {action}")
        return "\n".join(lines)


REGISTRY: dict[str, StateMachine] = {}


def render_markdown() -> str:
    """docs/state-machines.md, generated from every registered table."""
    out = [
        "# State machines",
        "",
        "Generated from the transition tables by `python manage.py render_state_machines`;",
        "`portico/core/tests/test_docs.py` fails when this file and the tables disagree.",
        "",
    ]
    for name in sorted(REGISTRY):
        machine = REGISTRY[name]
        out += [f"## {name}", ""]
        if machine.description:
            out += [machine.description, ""]
        states = ", ".join(f"`{value}` ({label})" for value, label in machine.states.choices)
        out += [f"States: {states}.", "", "```mermaid", machine.mermaid(), "```", ""]
    return "\n".join(out)
