"""Voiding: a draft, a sent or a signed agreement can be voided, with a reason; a voided one is
final (void, send, edit refused with a clear message); VOIDED on the chain; signalled."""

from __future__ import annotations

import pytest

from portico.agreements.actions import agreement_send, agreement_update, agreement_void
from portico.agreements.chain import chain_verify
from portico.agreements.models import AgreementEvent, AgreementEventKind, AgreementState
from portico.agreements.signals import agreement_changed
from portico.agreements.tests.factories import agreement_draft_make, agreement_sent_make, agreement_signed_make
from portico.audit.models import AuditAction, AuditEvent
from portico.core.errors import InvalidTransition, PorticoError
from portico.estimates.tests.factories import staff

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("make", [agreement_draft_make, agreement_sent_make, agreement_signed_make])
def test_draft_sent_and_signed_agreements_can_be_voided(org_a, make):
    agreement = make(org_a)
    before = agreement.state
    seen = []
    agreement_changed.connect(receiver := lambda sender, agreement, actor, **kw: seen.append(agreement.state))
    try:
        agreement_void(agreement=agreement, actor=staff(org_a), reason="  Client  moved away ")
    finally:
        agreement_changed.disconnect(receiver)
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.VOIDED and agreement.void_reason == "Client moved away"
    assert seen == [AgreementState.VOIDED]
    event = AgreementEvent.objects.filter(agreement=agreement).latest("seq")
    assert event.kind == AgreementEventKind.VOIDED and event.data["reason"] == "Client moved away"
    audit = AuditEvent.objects.filter(action=AuditAction.AGREEMENT_STATE_CHANGED, to_state="voided").latest("id")
    assert audit.from_state == before
    if before != AgreementState.SIGNED:  # the rows-only signed factory writes no SIGNED event
        assert chain_verify(agreement).intact


def test_a_reason_is_required(org_a):
    agreement = agreement_sent_make(org_a)
    with pytest.raises(PorticoError, match="reason"):
        agreement_void(agreement=agreement, actor=staff(org_a), reason="   ")
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.SENT


def test_a_voided_agreement_stays_voided(org_a):
    agreement = agreement_draft_make(org_a)
    agreement_void(agreement=agreement, actor=staff(org_a), reason="Wrong client")
    with pytest.raises(InvalidTransition, match="Cannot void: the agreement is voided"):
        agreement_void(agreement=agreement, actor=staff(org_a), reason="Again")
    with pytest.raises(InvalidTransition, match="Cannot send: the agreement is voided"):
        agreement_send(agreement=agreement, actor=staff(org_a))
    with pytest.raises(PorticoError, match="Only a draft"):
        agreement_update(agreement=agreement, actor=staff(org_a), title="X", body="<p>X</p>")
    assert AgreementEvent.objects.filter(agreement=agreement, kind=AgreementEventKind.VOIDED).count() == 1


def test_a_signed_agreement_is_never_edited(org_a):
    agreement = agreement_signed_make(org_a)
    with pytest.raises(PorticoError, match="Only a draft"):
        agreement_update(agreement=agreement, actor=staff(org_a), title="X", body="<p>X</p>")
