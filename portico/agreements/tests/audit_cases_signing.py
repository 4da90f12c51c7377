"""The signing side's cases for audit/tests/test_every_action_is_audited.py (action -> case(world,
settings)), merged into the app's AUDIT_CASES by audit_cases.py."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from portico.agreements.seal import seal_certificate_make, seal_certificate_write_pem
from portico.agreements.signing import agreement_seal, agreement_view, consent_withdraw
from portico.agreements.tests.signing_helpers import consent, sent_for, sign
from portico.audit.models import AuditAction
from portico.estimates.tests.factories import client_actor
from testing.world import World


def _viewed(w: World) -> None:
    agreement, person = sent_for(w)
    agreement_view(agreement=agreement, actor=client_actor(person))


def _sealed(w: World, s: Any) -> None:
    directory = Path(tempfile.mkdtemp(prefix="portico-seal-"))
    key, cert = seal_certificate_make("Audit case seal")
    seal_certificate_write_pem(key, cert, cert_file=directory / "c.pem", key_file=directory / "k.pem")
    s.AGREEMENT_SEAL_PKCS12_FILE = ""
    s.AGREEMENT_SEAL_CERT_FILE, s.AGREEMENT_SEAL_KEY_FILE = directory / "c.pem", directory / "k.pem"
    agreement, person = sent_for(w)
    consent(w, person, agreement)
    sign(agreement, person)
    agreement_seal(agreement=agreement)


def _withdrawn(w: World) -> None:
    _agreement, person = sent_for(w)
    consent_withdraw(consent=consent(w, person), actor=client_actor(person))


AUDIT_CASES_SIGNING: dict[str, Callable[..., object]] = {
    AuditAction.AGREEMENT_VIEWED: lambda w, s: _viewed(w),
    AuditAction.AGREEMENT_SEALED: _sealed,
    AuditAction.CONSENT_GIVEN: lambda w, s: consent(w, sent_for(w)[1]),
    AuditAction.CONSENT_WITHDRAWN: lambda w, s: _withdrawn(w),
}
