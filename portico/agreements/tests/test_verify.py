"""The public verification page: a signed copy issued here is intact; any changed byte, a changed
event of the trail, another installation's seal, or a file that is not ours says so."""

from __future__ import annotations

from typing import ClassVar

import pytest
from asn1crypto.pem import armor as pem_armor
from cryptography.hazmat.primitives import serialization
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from portico.agreements.actions import agreement_void
from portico.agreements.models import AgreementEvent
from portico.agreements.seal import (
    certificate_sha256,
    pdf_check,
    seal_certificate_make,
    seal_key_load,
)
from portico.agreements.tests.signing_helpers import signed_and_sealed
from portico.agreements.views_verify import MAX_BYTES, RATE_LIMIT
from portico.estimates.tests.factories import staff

pytestmark = pytest.mark.django_db


def _bytes(field) -> bytes:
    with field.open("rb") as f:
        return f.read()


def _check(client, data: bytes, name: str = "signed.pdf"):
    return client.post(reverse("agreement_verify"), {"file": SimpleUploadedFile(name, data, "application/pdf")})


def test_the_page_offers_an_upload(client):
    response = client.get(reverse("agreement_verify"))
    assert response.status_code == 200 and b'type="file"' in response.content


def test_a_signed_copy_issued_here_is_intact_and_named(client, org_a):
    agreement = signed_and_sealed(org_a)
    response = _check(client, _bytes(agreement.signed_document))
    page = response.content.decode()
    assert response.status_code == 200 and 'id="verdict-intact"' in page
    assert agreement.label in page and "Mark Client" in page and org_a.org.name in page
    assert "hash chain intact" in page


@pytest.mark.parametrize("where", ["middle", "end"])
def test_changing_one_byte_fails_verification(client, org_a, where):
    data = bytearray(_bytes(signed_and_sealed(org_a).signed_document))
    index = len(data) // 2 if where == "middle" else len(data) - 2
    data[index] ^= 0x01
    page = _check(client, bytes(data)).content.decode()
    assert 'id="verdict-not-intact"' in page and 'id="verdict-intact"' not in page


def test_a_changed_event_of_the_trail_is_detected(client, org_a):
    agreement = signed_and_sealed(org_a)
    signed = AgreementEvent.objects.get(agreement=agreement, kind="signed")
    AgreementEvent.objects.filter(pk=signed.pk).update(ip="203.0.113.99")  # someone edits the trail in the database
    page = _check(client, _bytes(agreement.signed_document)).content.decode()
    assert 'id="verdict-not-intact"' in page and 'id="verdict-chain"' in page


def test_a_copy_sealed_with_another_certificate_is_not_ours(client, org_a, settings, tmp_path):
    agreement = signed_and_sealed(org_a)
    data = _bytes(agreement.signed_document)
    cert, key = tmp_path / "other.pem", tmp_path / "other.key"
    call_command("seal_certificate", "--cert", str(cert), "--key", str(key), "--name", "Elsewhere")
    settings.AGREEMENT_SEAL_CERT_FILE, settings.AGREEMENT_SEAL_KEY_FILE = cert, key  # this installation's is another
    page = _check(client, data).content.decode()
    assert 'id="verdict-not-intact"' in page and "seal does not check out" in page


def test_the_unsigned_document_is_recognised_as_not_signed(client, org_a):
    agreement = signed_and_sealed(org_a)
    page = _check(client, _bytes(agreement.document)).content.decode()
    assert 'id="verdict-unsigned"' in page and agreement.label in page


def test_a_file_that_is_not_a_pdf_or_too_large_is_refused(client):
    assert _check(client, b"hello", "x.pdf").status_code == 400
    big = b"%PDF-1.7\n" + b"0" * MAX_BYTES
    response = _check(client, big)
    assert response.status_code == 400 and b"too large" in response.content


def test_uploads_are_rate_limited_per_address(client):
    for _ in range(RATE_LIMIT):
        assert _check(client, b"nope").status_code == 400
    assert _check(client, b"nope").status_code == 429


class RecordingHandler(TemporaryFileUploadHandler):
    """The configured storage handler, counting what reaches it."""

    seen: ClassVar[list[int]] = []

    def receive_data_chunk(self, raw_data, start):
        RecordingHandler.seen.append(start + len(raw_data))
        return super().receive_data_chunk(raw_data, start)


def test_an_upload_past_the_limit_is_stopped_before_it_is_stored(client, settings):
    settings.FILE_UPLOAD_HANDLERS = [f"{__name__}.RecordingHandler"]
    RecordingHandler.seen.clear()
    response = _check(client, b"%PDF-1.7\n" + b"0" * (MAX_BYTES + 256 * 1024))
    assert response.status_code == 400 and b"too large" in response.content
    assert RecordingHandler.seen and max(RecordingHandler.seen) <= MAX_BYTES


def test_the_upload_still_needs_the_csrf_token(org_a):
    data = _bytes(signed_and_sealed(org_a).signed_document)
    strict = Client(enforce_csrf_checks=True)
    assert _check(strict, data).status_code == 403


def test_a_voided_agreement_is_intact_but_said_to_be_voided(client, org_a):
    agreement = signed_and_sealed(org_a)
    agreement_void(agreement=agreement, actor=staff(org_a), reason="Replaced by the 2027 contract")
    page = _check(client, _bytes(agreement.signed_document)).content.decode()
    assert 'id="verdict-intact"' not in page and 'id="verdict-intact-voided"' in page
    assert "Intact, but voided on" in page and "Replaced by the 2027 contract" in page
    assert 'id="verdict-state"' in page and "Voided" in page


def _renew(settings, tmp_path, name="Renewed"):
    """A new seal certificate for this installation; returns the previous one's PEM path."""
    previous = str(settings.AGREEMENT_SEAL_CERT_FILE)
    cert, key = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    call_command("seal_certificate", "--cert", str(cert), "--key", str(key), "--name", name)
    settings.AGREEMENT_SEAL_CERT_FILE, settings.AGREEMENT_SEAL_KEY_FILE = cert, key
    return previous


def test_the_sealed_event_records_the_certificate_fingerprint(org_a, settings):
    agreement = signed_and_sealed(org_a)
    sealed = AgreementEvent.objects.get(agreement=agreement, kind="sealed")
    assert sealed.data["certificate_sha256"] == certificate_sha256(seal_key_load().certificate)
    assert pdf_check(_bytes(agreement.signed_document)).certificate_sha256 == sealed.data["certificate_sha256"]


def test_after_a_renewal_a_copy_sealed_with_the_listed_previous_certificate_is_intact(
    client, org_a, settings, tmp_path
):
    agreement = signed_and_sealed(org_a)
    data = _bytes(agreement.signed_document)
    settings.AGREEMENT_SEAL_PREVIOUS_CERT_FILES = _renew(settings, tmp_path)
    assert 'id="verdict-intact"' in _check(client, data).content.decode()
    settings.AGREEMENT_SEAL_PREVIOUS_CERT_FILES = ""
    page = _check(client, data).content.decode()
    assert 'id="verdict-not-intact"' in page and 'id="verdict-not-ours"' in page
    assert "not sealed by this installation" in page


def test_a_timestamp_without_trusted_authorities_is_intact_but_not_verified(client, org_a, fake_tsa):
    page = _check(client, _bytes(signed_and_sealed(org_a).signed_document)).content.decode()
    assert 'id="verdict-intact"' in page and 'id="timestamp-unverified"' in page
    assert "timestamp intact (authority not verified)" in page and 'id="timestamp-trusted"' not in page


def test_a_timestamp_from_a_listed_authority_is_trusted(client, org_a, fake_tsa, settings, tmp_path):
    roots = tmp_path / "tsa.pem"
    roots.write_bytes(pem_armor("CERTIFICATE", fake_tsa.certificate.dump()))
    settings.AGREEMENT_TSA_ROOTS = str(roots)
    page = _check(client, _bytes(signed_and_sealed(org_a).signed_document)).content.decode()
    assert 'id="verdict-intact"' in page and 'id="timestamp-trusted"' in page


def test_a_timestamp_from_an_unlisted_authority_is_refused_when_authorities_are_listed(
    client, org_a, fake_tsa, settings, tmp_path
):
    data = _bytes(signed_and_sealed(org_a).signed_document)
    _key, other = seal_certificate_make("Some other authority")
    roots = tmp_path / "tsa.pem"
    roots.write_bytes(other.public_bytes(serialization.Encoding.PEM))
    settings.AGREEMENT_TSA_ROOTS = str(roots)
    page = _check(client, data).content.decode()
    assert 'id="verdict-not-intact"' in page and 'id="verdict-timestamp-untrusted"' in page
