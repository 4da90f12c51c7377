"""agreement_sign: who, how, when, from where, which document; refusals change nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from portico.agreements.chain import chain_verify
from portico.agreements.models import (
    AgreementEvent,
    AgreementEventKind,
    AgreementSignature,
    AgreementState,
)
from portico.agreements.signing import INTENT_TEXT, agreement_seal, consent_withdraw
from portico.agreements.tests.factories import agreement_sent_make
from portico.agreements.tests.signing_helpers import DRAWING, consent, sent_for, sign
from portico.clients.actions import client_assign_navigator
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.estimates.tests.factories import joined
from portico.notifications.models import EventKind, Notification

pytestmark = pytest.mark.django_db


def _unchanged(agreement, head):
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.SENT and agreement.chain_head == head
    assert not AgreementSignature.objects.filter(agreement=agreement).exists()


def test_a_signature_records_everything_and_extends_the_chain(org_a):
    agreement, person = sent_for(org_a)
    client_assign_navigator(client=agreement.client, actor=Actor.system(), navigator=org_a.readonly)
    given = consent(org_a, person, agreement)
    signature = sign(agreement, person, method="drawn", drawing="M10,20 L30 40 Q50 60 70 80 C1 2 3 4 5 6")
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.SIGNED and agreement.signed_at == signature.signed_at
    assert signature.user == person and signature.portal_account.org == org_a.org
    assert signature.consent == given and signature.document_hash == agreement.document_hash
    assert signature.drawing == DRAWING and signature.method == "drawn"
    assert signature.intent == INTENT_TEXT and signature.ip == "198.51.100.7"
    assert signature.user_agent == "phone-browser/1.0" and len(signature.session_hash) == 64
    event = AgreementEvent.objects.filter(agreement=agreement).order_by("-seq").first()
    assert event.kind == AgreementEventKind.SIGNED
    assert event.data["document_sha256"] == agreement.document_hash
    assert event.data["name_typed"] == "Mark Client" and event.data["consent"] == given.pk
    kinds = list(AgreementEvent.objects.filter(agreement=agreement).order_by("seq").values_list("kind", flat=True))
    assert kinds == ["created", "sent", "consented", "signed"]
    assert chain_verify(agreement).intact
    assert Notification.objects.filter(recipient=org_a.readonly, kind=EventKind.AGREEMENT_SIGNED).count() == 1


def test_signing_without_consent_is_refused(org_a):
    agreement, person = sent_for(org_a)
    head = agreement.chain_head
    with pytest.raises(PorticoError) as refused:
        sign(agreement, person)
    assert refused.value.code == "no_consent"
    _unchanged(agreement, head)


def test_a_withdrawn_consent_blocks_signing_until_given_again(org_a):
    agreement, person = sent_for(org_a)
    given = consent(org_a, person)
    consent_withdraw(consent=given, actor=Actor(kind="client", user=person))
    head = agreement.chain_head
    with pytest.raises(PorticoError, match="Consent"):
        sign(agreement, person)
    _unchanged(agreement, head)
    again = consent(org_a, person)
    assert again.pk != given.pk
    sign(agreement, person)
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.SIGNED


def test_signing_a_voided_agreement_is_refused(org_a):
    agreement, person = sent_for(org_a)
    consent(org_a, person)
    type(agreement).objects.filter(pk=agreement.pk).update(state=AgreementState.VOIDED, voided_at=timezone.now())
    with pytest.raises(PorticoError) as refused:
        sign(agreement, person)
    assert refused.value.code == "voided"
    assert not AgreementSignature.objects.filter(agreement=agreement).exists()


def test_signing_a_superseded_agreement_is_refused(org_a):
    agreement, person = sent_for(org_a)
    consent(org_a, person)
    type(agreement).objects.filter(pk=agreement.pk).update(state=AgreementState.VOIDED, voided_at=timezone.now())
    newer = sent_for(org_a)[0]
    type(agreement).objects.filter(pk=agreement.pk).update(superseded_by=newer)
    with pytest.raises(PorticoError) as refused:
        sign(agreement, person)
    assert refused.value.code == "superseded"
    assert not AgreementSignature.objects.filter(agreement=agreement).exists()


def test_signing_twice_makes_one_signature_and_says_so(org_a):
    agreement, person = sent_for(org_a)
    consent(org_a, person)
    sign(agreement, person)
    agreement.refresh_from_db()
    head = agreement.chain_head
    with pytest.raises(PorticoError) as refused:
        sign(agreement, person, name_typed="Someone Else")
    assert refused.value.code == "already_signed"
    agreement.refresh_from_db()
    assert agreement.chain_head == head and AgreementSignature.objects.filter(agreement=agreement).count() == 1


def test_a_stale_agreement_object_gets_the_same_answer(org_a):
    """The second tap holds an agreement read before the first signed (state still "sent")."""
    agreement, person = sent_for(org_a)
    consent(org_a, person)
    stale = type(agreement).objects.get(pk=agreement.pk)
    sign(agreement, person)
    with pytest.raises(PorticoError) as refused:
        sign(stale, person)
    assert refused.value.code == "already_signed"


def test_another_document_than_the_stored_one_is_refused(org_a):
    agreement, person = sent_for(org_a)
    consent(org_a, person)
    head = agreement.chain_head
    with pytest.raises(PorticoError) as refused:
        sign(agreement, person, document_hash_seen="0" * 64)
    assert refused.value.code == "document_changed"
    _unchanged(agreement, head)


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"intent": False}, "invalid"),
        ({"name_typed": " "}, "invalid"),
        ({"method": "drawn", "drawing": ""}, "bad_drawing"),
        ({"method": "drawn", "drawing": "M1 2 Z"}, "bad_drawing"),
        ({"method": "drawn", "drawing": "M1 2 L3"}, "bad_drawing"),
        ({"method": "drawn", "drawing": "L1 2"}, "bad_drawing"),
        ({"method": "drawn", "drawing": "M1 2 A1 1 0 0 1 3 4"}, "bad_drawing"),
        ({"method": "drawn", "drawing": "M1 2 L1e5 4"}, "bad_drawing"),
        ({"method": "drawn", "drawing": "M1 2<script>"}, "bad_drawing"),
        ({"method": "drawn", "drawing": "M1 2" + " L3 4" * 5000}, "drawing_too_long"),
        ({"method": "stamped"}, "invalid"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(org_a, fields, code):
    agreement, person = sent_for(org_a)
    consent(org_a, person)
    head = agreement.chain_head
    with pytest.raises(PorticoError) as refused:
        sign(agreement, person, **fields)
    assert refused.value.code == code
    _unchanged(agreement, head)


def test_another_portal_client_of_the_organization_cannot_sign_or_consent_for_it(org_a):
    agreement, _person = sent_for(org_a)
    _other_record, other = joined(org_a, "Other Client", "other@example.test")
    consent(org_a, other)
    head = agreement.chain_head
    with pytest.raises(PorticoError) as refused:
        sign(agreement, other)
    assert refused.value.code == "not_organizer"
    with pytest.raises(PorticoError) as refused_consent:
        consent(org_a, other, agreement)
    assert refused_consent.value.code == "not_organizer"
    _unchanged(agreement, head)


def test_a_consent_that_already_stood_is_recorded_in_the_second_agreements_chain(org_a):
    first, person = sent_for(org_a)
    given = consent(org_a, person, first)
    sign(first, person)
    second = agreement_sent_make(org_a, client=first.client)
    sign(second, person)
    agreement_seal(agreement=second)
    kinds = list(AgreementEvent.objects.filter(agreement=second).order_by("seq").values_list("kind", flat=True))
    assert kinds[:2] == ["created", "sent"] and kinds[2:5] == ["consented", "signed", "sealed"]
    consented = AgreementEvent.objects.get(agreement=second, kind=AgreementEventKind.CONSENTED)
    assert consented.data["consent"] == given.pk and consented.data["disclosure_sha256"] == given.disclosure_hash
    assert consented.data["disclosure_version"] == given.disclosure_version
    assert consented.data["given_at"] == given.given_at.isoformat()
    second.refresh_from_db()
    assert chain_verify(second).intact
