"""Sealing a signed agreement: the certificate pages appended to the document's exact bytes, the
PDF signature with PEM or PKCS#12 certificates, and with a timestamp authority."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.management import call_command
from pyhanko.pdf_utils.reader import PdfFileReader

from portico.agreements.chain import chain_verify
from portico.agreements.models import AgreementEvent, AgreementEventKind
from portico.agreements.seal import SealNotConfigured, pdf_check
from portico.agreements.signing import agreement_seal
from portico.agreements.tests.signing_helpers import DRAWING, consent, sent_for, sign, signed_and_sealed
from portico.audit.models import AuditAction, AuditEvent
from portico.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


def _bytes(field) -> bytes:
    with field.open("rb") as f:
        return f.read()


def test_the_sealed_pdf_begins_with_the_original_bytes_and_its_seal_checks_out(org_a):
    agreement = signed_and_sealed(org_a, method="drawn", drawing=DRAWING)
    original, sealed = _bytes(agreement.document), _bytes(agreement.signed_document)
    assert sealed.startswith(original) and len(sealed) > len(original)
    assert agreement.signed_hash == hashlib.sha256(sealed).hexdigest()
    verdict = pdf_check(sealed)
    assert verdict.ok and verdict.intact and verdict.whole_file and verdict.ours
    assert verdict.timestamp is None
    # The audit certificate is one more page than the document.
    before = int(PdfFileReader(io.BytesIO(original)).root["/Pages"]["/Count"])
    assert int(PdfFileReader(io.BytesIO(sealed)).root["/Pages"]["/Count"]) == before + 1
    kinds = list(AgreementEvent.objects.filter(agreement=agreement).order_by("seq").values_list("kind", flat=True))
    assert kinds[-2:] == [AgreementEventKind.SEALED, AgreementEventKind.EMAILED]
    assert chain_verify(agreement).intact
    assert AuditEvent.objects.filter(action=AuditAction.AGREEMENT_SEALED, target_id=str(agreement.pk)).count() == 1


def test_the_signed_copy_is_emailed_to_the_client_and_staff_with_the_pdf(org_a):
    agreement = signed_and_sealed(org_a)
    messages = OutboxMessage.objects.filter(idempotency_key__startswith=f"agreement-signed-copy:{agreement.pk}:")
    to = sorted(m.to for m in messages)
    assert agreement.client.email in to or "agree" in to[0]
    assert org_a.admin.email in to  # the agreement's creator
    attachment = messages.first().payload["attachments"][0]
    assert attachment["encoding"] == "base64" and attachment["mimetype"] == "application/pdf"


def test_sealing_twice_changes_nothing(org_a):
    agreement = signed_and_sealed(org_a)
    head, digest = agreement.chain_head, agreement.signed_hash
    agreement_seal(agreement=agreement)
    agreement.refresh_from_db()
    assert (agreement.chain_head, agreement.signed_hash) == (head, digest)


def test_seal_with_a_pkcs12_file_and_passphrase(org_a, settings, tmp_path):
    path = tmp_path / "seal.p12"
    call_command("seal_certificate", "--pkcs12", str(path), "--passphrase", "s3cret", "--name", "Alpha")
    settings.AGREEMENT_SEAL_PKCS12_FILE, settings.AGREEMENT_SEAL_PASSPHRASE = str(path), "s3cret"
    agreement = signed_and_sealed(org_a)
    verdict = pdf_check(_bytes(agreement.signed_document))
    assert verdict.ok and "Alpha document seal" in verdict.signer


def test_a_wrong_passphrase_is_a_clear_configuration_error(org_a, settings, tmp_path):
    path = tmp_path / "seal.p12"
    call_command("seal_certificate", "--pkcs12", str(path), "--passphrase", "s3cret")
    settings.AGREEMENT_SEAL_PKCS12_FILE, settings.AGREEMENT_SEAL_PASSPHRASE = str(path), "wrong"
    agreement, person = sent_for(org_a)
    consent(org_a, person, agreement)
    sign(agreement, person)
    with pytest.raises(SealNotConfigured, match="seal_certificate"):
        agreement_seal(agreement=agreement)
    agreement.refresh_from_db()
    assert agreement.signed_hash == "" and agreement.state == "signed"  # the signature stands


def test_seal_with_the_fake_timestamp_authority(org_a, fake_tsa):
    agreement = signed_and_sealed(org_a)
    assert fake_tsa.stamped >= 1  # pyHanko also asks once to size the signature
    verdict = pdf_check(_bytes(agreement.signed_document))
    assert verdict.ok and verdict.timestamp is not None and verdict.timestamp_intact
    assert "test time-stamp authority" in verdict.timestamp_authority


def test_an_ec_certificate_seals_too(org_a, settings, tmp_path):
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    call_command("seal_certificate", "--cert", str(cert), "--key", str(key), "--ec")
    settings.AGREEMENT_SEAL_CERT_FILE, settings.AGREEMENT_SEAL_KEY_FILE = cert, key
    assert pdf_check(_bytes(signed_and_sealed(org_a).signed_document)).ok
