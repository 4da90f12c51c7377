"""The estimates app's cases for audit/tests/test_every_action_is_audited.py (action -> case(world, settings))."""

from __future__ import annotations

from collections.abc import Callable

from portico.audit.models import AuditAction
from portico.estimates.actions import estimate_ask, estimate_revise, estimate_update
from portico.estimates.tests.factories import client_actor, estimate_make, joined, lines, staff
from testing.world import World


def _changed(w: World) -> None:
    estimate_update(
        estimate=estimate_make(w),
        actor=staff(w),
        scope="Changed",
        notes="",
        valid_until=None,
        discount_kind="",
        discount_value=0,
        lines=lines(1),
    )


def _asked(w: World) -> None:
    record, person = joined(w)
    estimate_ask(estimate=estimate_make(w, client=record, sent=True), actor=client_actor(person), body="How long?")


AUDIT_CASES: dict[str, Callable[..., object]] = {
    AuditAction.ESTIMATE_CREATED: lambda w, s: estimate_make(w),
    AuditAction.ESTIMATE_CHANGED: lambda w, s: _changed(w),
    # A send (every move of ESTIMATE_MACHINE writes this row: see test_expiry_sweep, test_estimate_approve).
    AuditAction.ESTIMATE_STATE_CHANGED: lambda w, s: estimate_make(w, sent=True),
    AuditAction.ESTIMATE_REVISED: lambda w, s: estimate_revise(estimate=estimate_make(w, sent=True), actor=staff(w)),
    AuditAction.ESTIMATE_QUESTION_ASKED: lambda w, s: _asked(w),
}
