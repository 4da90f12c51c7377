"""The journey's cases for audit/tests/test_every_action_is_audited.py (action -> case(world, settings))."""

from __future__ import annotations

from collections.abc import Callable

from portico.audit.models import AuditAction
from portico.journey.actions import journey_remind, journey_settings_save
from portico.journey.tests.helpers import invite, journey, staff

AUDIT_CASES: dict[str, Callable[..., object]] = {
    AuditAction.JOURNEY_SETTINGS_CHANGED: lambda w, s: journey_settings_save(
        org=w.org, actor=staff(w), stalled_after_days=9
    ),
    # Sending the invitation starts the journey: its first step is recorded.
    AuditAction.JOURNEY_STEP_CHANGED: lambda w, s: invite(w),
    AuditAction.JOURNEY_REMINDER_SENT: lambda w, s: journey_remind(journey=journey(invite(w)), actor=staff(w)),
}
