"""``@action``: how every action is declared.

An action is a keyword-only function in an app's ``actions.py`` (or ``bulk.py``, and the jobs
runner and outbox delivery modules) that changes important state. The decorator:

- refuses positional arguments (``client_create(org, actor)`` is a TypeError at import time
  for a signature that allows them);
- runs the function in ``transaction.atomic`` (``tx="durable"``: and it must be the outermost
  transaction; ``tx="own"``: the function commits in steps of its own, so it must not run inside a
  transaction at all, e.g. sending mail or walking a bulk job chunk by chunk; ``tx="caller"``: it is
  part of its caller's change and runs in the caller's transaction, which must exist, e.g. putting
  a message in the outbox: no savepoint per call, which bulk work would pay for every row);
- with ``settings.PORTICO_ACTION_CHECKS`` (tests and ``DEBUG``), watches the SQL it runs: an
  action that writes rows but records no audit row fails loudly (``UnauditedWrite``) before it
  commits. An action whose history lives elsewhere says so: ``@action(audited=False, why=...)``;
- marks it (``fn.action_info``) and lists it in ``ACTIONS``, so a test checks that every public
  function of every actions module is declared this way.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, cast

from django.conf import settings
from django.db import connection, transaction

F = TypeVar("F", bound=Callable[..., Any])
Tx = Literal["atomic", "durable", "own", "caller"]

# Tables whose writes are bookkeeping, not state: the audit rows themselves (counted through
# audit_record), task queue rows, sessions and the cache.
IGNORED_TABLES = frozenset(
    {"audit_auditevent", "django_tasks_database_dbtaskresult", "django_session", "portico_cache"}
)
_TABLE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|COPY)\s+"?([\w.]+)"?', re.IGNORECASE)


@dataclass(frozen=True)
class ActionInfo:
    name: str  # module.function
    tx: Tx
    audited: bool
    why: str


ACTIONS: dict[str, ActionInfo] = {}


class UnauditedWrite(AssertionError):
    """An action wrote rows without an audit row: a programming error, caught by the tests."""


@dataclass
class _Frame:
    info: ActionInfo
    writes: set[str] = field(default_factory=set)
    audits: int = 0


_frames: ContextVar[tuple[_Frame, ...]] = ContextVar("portico_action_frames", default=())


def audit_written(count: int = 1) -> None:
    """audit_record and audit_record_select report here: every running action sees the rows."""
    for frame in _frames.get():
        frame.audits += count


def _watch(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    result = execute(sql, params, many, context)
    match = _TABLE.match(sql)
    if match is not None and match.group(1) not in IGNORED_TABLES:
        rowcount = getattr(context.get("cursor"), "rowcount", 1)
        if rowcount != 0:  # a conditional UPDATE or ON CONFLICT DO NOTHING that touched nothing wrote nothing
            for frame in _frames.get():
                frame.writes.add(match.group(1))
    return result


def _check(frame: _Frame) -> None:
    if frame.info.audited and frame.writes and not frame.audits:
        raise UnauditedWrite(
            f"{frame.info.name} wrote {sorted(frame.writes)} without an audit row. Record it with audit_record "
            "(or StateMachine.apply), or declare @action(audited=False, why=...) if its history is kept elsewhere."
        )


def _inside() -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("This action is part of its caller's change: call it inside the caller's transaction.")


def _outermost() -> None:
    """Refuse to run inside a transaction (test cases' own transactions excepted, as Django's
    ``atomic(durable=True)`` does)."""
    if any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks):
        raise RuntimeError("This action commits in steps of its own: call it outside any transaction.")


def action(
    fn: F | None = None, *, tx: Tx = "atomic", audited: bool = True, why: str = ""
) -> Any:  # F, or a decorator of F
    """Declare an action (see the module docstring)."""

    def decorate(func: F) -> F:
        name = f"{func.__module__}.{func.__qualname__}"
        params = inspect.signature(func).parameters.values()
        positional = [p.name for p in params if p.kind not in (p.KEYWORD_ONLY, p.VAR_KEYWORD)]
        if positional:
            raise TypeError(f"{name}: actions take keyword arguments only (make {positional} keyword-only)")
        if not audited and not why:
            raise TypeError(f"{name}: say why it writes no audit row (why=...)")
        info = ActionInfo(name=name, tx=tx, audited=audited, why=why)
        ACTIONS[name] = info

        @functools.wraps(func)
        def wrapper(**kwargs: Any) -> Any:
            if tx == "own":
                _outermost()
            elif tx == "caller":
                _inside()
            if not getattr(settings, "PORTICO_ACTION_CHECKS", False):
                if tx in ("own", "caller"):
                    return func(**kwargs)
                with transaction.atomic(durable=tx == "durable"):
                    return func(**kwargs)
            frame = _Frame(info)
            outer = _frames.get()
            token = _frames.set((*outer, frame))
            try:
                if tx in ("own", "caller"):
                    with _watching(outer):
                        result = func(**kwargs)
                    _check(frame)
                    return result
                with _watching(outer), transaction.atomic(durable=tx == "durable"):
                    result = func(**kwargs)
                    _check(frame)  # inside the block: a failure rolls the writes back
                    return result
            finally:
                _frames.reset(token)

        wrapper.action_info = info  # type: ignore[attr-defined]
        return cast(F, wrapper)

    return decorate(fn) if fn is not None else decorate


class _watching:
    """Install the SQL watcher once, for the outermost action."""

    def __init__(self, outer: tuple[_Frame, ...]):
        self.manager = connection.execute_wrapper(_watch) if not outer else None

    def __enter__(self) -> None:
        if self.manager is not None:
            self.manager.__enter__()

    def __exit__(self, *exc: Any) -> None:
        if self.manager is not None:
            self.manager.__exit__(*exc)
