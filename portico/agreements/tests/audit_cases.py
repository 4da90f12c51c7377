"""The agreements app's cases for audit/tests/test_every_action_is_audited.py (action -> case(world, settings)).
AGREEMENT_VIEWED, AGREEMENT_SEALED and CONSENT_* are the signing side's (signing.py)."""

from __future__ import annotations

from collections.abc import Callable

from portico.agreements.actions import agreement_template_archive, agreement_update
from portico.agreements.tests.factories import agreement_draft_make, agreement_sent_make, template_make
from portico.audit.models import AuditAction
from portico.estimates.tests.factories import staff
from testing.world import World


def _changed(w: World) -> None:
    agreement_update(agreement=agreement_draft_make(w), actor=staff(w), title="Changed", body="<p>Changed</p>")


AUDIT_CASES: dict[str, Callable[..., object]] = {
    AuditAction.AGREEMENT_TEMPLATE_SAVED: lambda w, s: template_make(w, default=True),
    AuditAction.AGREEMENT_TEMPLATE_ARCHIVED: lambda w, s: agreement_template_archive(
        template=template_make(w), actor=staff(w)
    ),
    AuditAction.AGREEMENT_CREATED: lambda w, s: agreement_draft_make(w),
    AuditAction.AGREEMENT_CHANGED: lambda w, s: _changed(w),
    # A send (every move of AGREEMENT_MACHINE writes this row: see test_agreement_void).
    AuditAction.AGREEMENT_STATE_CHANGED: lambda w, s: agreement_sent_make(w),
}
