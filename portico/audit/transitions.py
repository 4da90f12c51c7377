"""State machines as data, and the one way a status moves.

Each status has a TextChoices and, beside it, a table ``{from_state: {action: to_state}}``.
``StateMachine.apply`` is the only code that moves a status: it checks the table (an
``InvalidTransition`` names the refused move), writes with a conditional UPDATE on the state the
caller saw (0 rows: someone else moved it first, a ``Stale`` refusal), and writes the audit row
in the same transaction. ``apply_many`` is the set-based form for bulk work. docs/state-machines.md
is rendered from the same tables (``manage.py render_state_machines``) and a test compares it.

It lives in the audit app because every move is audited; a machine whose history is kept
elsewhere (outbox attempts, the invitation delivery trail, a job's summary row) says where.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import F, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from portico.audit.actions import audit_record, audit_record_select
from portico.core.actors import Actor
from portico.core.errors import InvalidTransition, PorticoError


class Stale(PorticoError):
    """The row moved since the caller read it (a conditional UPDATE changed nothing)."""

    status_code = 409


@dataclass(frozen=True)
class StateMachine:
    name: str
    states: type[models.TextChoices]
    table: dict[str, dict[str, str]]
    description: str = ""
    # What the user reads in a refusal: the thing ("staff membership") and each action's verb.
    noun: str | Promise = ""
    verbs: dict[str, str | Promise] = dataclasses.field(default_factory=dict)
    field: str = "status"
    # The audit action each move writes: one for every move, or one per table action (moves left
    # out are not audited). None: the machine's history is kept elsewhere, named in ``history``.
    audit: str | Mapping[str, str] | None = None
    history: str = ""
    # For templates: {% badge "<key>" state %} shows the state's label in its tone (ok, warn, bad).
    key: str = ""
    tones: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        valid = set(self.states.values)
        for source, moves in self.table.items():
            if source not in valid:
                raise ValueError(f"{self.name}: unknown state {source!r}")
            for action, target in moves.items():
                if target not in valid:
                    raise ValueError(f"{self.name}: {source} --{action}--> unknown state {target!r}")
        if self.audit is None and not self.history:
            raise ValueError(f"{self.name}: say which audit action records its moves, or where its history is kept")
        unknown_tones = set(self.tones) - valid
        if unknown_tones or set(self.tones.values()) - {"ok", "warn", "bad", ""}:
            raise ValueError(f"{self.name}: tones must map its states to ok, warn or bad")
        REGISTRY[self.name] = self
        if self.key:
            BY_KEY[self.key] = self

    # --- the table ---

    def label(self, state: str) -> str:
        return str(self.states(state).label)

    def allowed_actions(self, current: str) -> list[str]:
        return list(self.table.get(current, {}))

    def sources(self, action: str) -> list[str]:
        """The states from which ``action`` is allowed (for conditional UPDATEs)."""
        return [source for source, moves in self.table.items() if action in moves]

    def tone(self, state: str) -> str:
        return self.tones.get(state, "")

    def verb(self, action: str) -> str:
        return str(self.verbs.get(action, action.replace("_", " ")))

    def target(self, current: str, action: str) -> str:
        try:
            return self.table[current][action]
        except KeyError:
            raise InvalidTransition(
                _("Cannot %(action)s: the %(thing)s is %(state)s.")
                % {"action": self.verb(action), "thing": self._noun(), "state": self.label(current).lower()},
                code="invalid_transition",
                extra={"from": current, "action": action},
            ) from None

    def audit_action(self, action: str) -> str | None:
        if self.audit is None or isinstance(self.audit, str):
            return self.audit
        return self.audit.get(action)

    def _noun(self) -> str:
        return str(self.noun or self.name.lower())

    # --- moving ---

    def apply(
        self,
        obj: models.Model,
        action: str,
        *,
        actor: Actor | None,
        current: str | None = None,
        where: Q | None = None,
        updates: dict[str, Any] | None = None,
        audit_target: models.Model | None = None,
        target_label: str = "",
        detail: dict[str, Any] | None = None,
    ) -> str:
        """Move ``obj`` by ``action``: check the table, UPDATE on condition that the stored state
        (and ``where``) still hold, write ``updates`` in the same statement, audit, and set the new
        state on ``obj``. ``current``: the state people see when it differs from the stored one
        (a pending invitation past its expiry is expired). A move to the same state with nothing
        to update changes nothing and is not recorded. Returns the new state."""
        stored = getattr(obj, self.field)
        current = stored if current is None else current
        new = self.target(current, action)
        if new == stored and not updates:
            return new
        rows = type(obj)._default_manager.filter(pk=obj.pk, **{self.field: stored})
        if where is not None:
            rows = rows.filter(where)
        if not rows.update(**{self.field: new}, **(updates or {})):
            raise Stale(
                _("Someone else changed this %(thing)s just now. Reload and try again.") % {"thing": self._noun()},
                code="stale",
            )
        audit_action = self.audit_action(action)
        if audit_action is not None:
            if actor is None:
                raise ValueError(f"{self.name}: an audited move needs an actor")
            audit_record(
                org=getattr(obj, "org_id", None),
                actor=actor,
                action=audit_action,
                target=audit_target or obj,
                target_label=target_label,
                from_state=current,
                to_state=new,
                detail={"action": action, **(detail or {})},
            )
        setattr(obj, self.field, new)
        return new

    def apply_many(
        self,
        rows: QuerySet[Any],
        action: str,
        *,
        actor: Actor | None = None,
        org: Any = None,
        updates: dict[str, Any] | None = None,
        audit_rows: dict[str, Any] | None = None,
    ) -> int:
        """The set-based ``apply``: every row of ``rows`` in a state ``action`` is allowed from
        moves, in one UPDATE (rows in other states are left alone). When the move is audited, one
        audit row per moved row is written first (``audit_record_select``; ``audit_rows`` gives its
        target and label expressions). Returns the number of rows moved."""
        sources = self.sources(action)
        targets = {self.table[source][action] for source in sources}
        if len(targets) != 1:
            raise ValueError(f"{self.name}: {action} leads to {sorted(targets)}; apply_many needs one target")
        new = targets.pop()
        moving = rows.filter(**{f"{self.field}__in": sources})
        audit_action = self.audit_action(action)
        if audit_action is not None:
            if actor is None:
                raise ValueError(f"{self.name}: an audited move needs an actor")
            extra = dict(audit_rows or {})
            detail = {"action": action, **extra.pop("detail", {})}
            audit_record_select(
                org=org,
                actor=actor,
                action=audit_action,
                targets=moving,
                from_state=sources[0] if len(sources) == 1 else F(self.field),
                to_state=new,
                detail=detail,
                **extra,
            )
        return moving.update(**{self.field: new}, **(updates or {}))

    def mermaid(self) -> str:
        lines = ["stateDiagram-v2"]
        for source, moves in self.table.items():
            for action, target in moves.items():
                # A blank state (a machine that starts with "nothing yet") is the diagram's start.
                lines.append(f"    {source or '[*]'} --> {target}: {action}")
        return "\n".join(lines)


REGISTRY: dict[str, StateMachine] = {}
BY_KEY: dict[str, StateMachine] = {}


def render_markdown() -> str:
    """docs/state-machines.md, generated from every registered table."""
    out = [
        "# State machines",
        "",
        "Generated from the transition tables by `python manage.py render_state_machines`;",
        "`portico/web/tests/test_docs.py` fails when this file and the tables disagree.",
        "Every move goes through `StateMachine.apply` (or `apply_many` for bulk work), which checks the",
        "table, writes with a conditional UPDATE and records the move.",
        "",
    ]
    for name in sorted(REGISTRY):
        machine = REGISTRY[name]
        out += [f"## {name}", ""]
        if machine.description:
            out += [machine.description, ""]
        states = ", ".join(f"`{value}` ({label})" for value, label in machine.states.choices)
        out += [f"States: {states}.", ""]
        if isinstance(machine.audit, str):
            out += [f"Each move is audited as `{machine.audit}`.", ""]
        elif machine.audit:
            audited = ", ".join(f"{action} → `{name}`" for action, name in machine.audit.items())
            out += [f"Audited moves: {audited}." + (f" {machine.history}" if machine.history else ""), ""]
        else:
            out += [f"History: {machine.history}", ""]
        out += ["```mermaid", machine.mermaid(), "```", ""]
    return "\n".join(out)
