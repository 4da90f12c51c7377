"""The SAT 69-B screening cases for audit/tests/test_every_action_is_audited.py (action -> case(world, settings)):
the import (sat69b) and the customers' screening rows it and the policy page write."""

from __future__ import annotations

from collections.abc import Callable

from portico.audit.models import AuditAction
from portico.core.actors import Actor
from portico.customers.models import ScreeningAction
from portico.customers.screening_actions import customer_screening_policy_set
from portico.customers.tests.screening_factories import screened_customer_make
from portico.sat69b.models import Situation
from portico.sat69b.tests.factories import sample_import
from testing.world import World


def _rescreened(w: World) -> None:
    screened_customer_make(w, rfc="AAA190524M17")  # Definitivo in the sample list
    sample_import()


def _policy(w: World) -> None:
    policy = {situation: ScreeningAction.BLOCK for situation in Situation.values}
    customer_screening_policy_set(org=w.org, actor=Actor(kind="staff", user=w.admin), policy=policy)


AUDIT_CASES: dict[str, Callable[..., object]] = {
    AuditAction.SAT69B_IMPORTED: lambda w, s: sample_import(),
    AuditAction.CUSTOMER_SCREENING_CHANGED: lambda w, s: _rescreened(w),
    AuditAction.CUSTOMER_SCREENING_POLICY_CHANGED: lambda w, s: _policy(w),
}
