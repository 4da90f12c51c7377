"""The agreements app's cases for audit/tests/test_every_action_is_audited.py (action -> case(world, settings))."""

from __future__ import annotations

from collections.abc import Callable

from portico.agreements.tests.audit_cases_signing import AUDIT_CASES_SIGNING

AUDIT_CASES: dict[str, Callable[..., object]] = {}
# --- signing (consent, view, seal): kept in audit_cases_signing.py ---
AUDIT_CASES.update(AUDIT_CASES_SIGNING)
