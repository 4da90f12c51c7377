"""The leads app's cases for audit/tests/test_every_action_is_audited.py (action -> case(world, settings))."""

from __future__ import annotations

from collections.abc import Callable

from portico.audit.models import AuditAction
from portico.core.actors import Actor
from portico.leads.actions import lead_submit
from portico.leads.models import LeadSource

AUDIT_CASES: dict[str, Callable[..., object]] = {
    AuditAction.LEAD_RECEIVED: lambda w, s: lead_submit(
        org=w.org, actor=Actor.system(), source=LeadSource.CONTACT_FORM, name="Ada Lead", email="ada@x.test"
    ),
}
