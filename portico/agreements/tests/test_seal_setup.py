"""The seal's set-up: the certificate command, the system check, and the sweep that seals what a
crash (or a missing certificate) left unsealed."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from django.core.management import CommandError, call_command
from django.utils import timezone

from portico.agreements.models import Agreement
from portico.agreements.seal import check_seal_certificate
from portico.agreements.signing import agreements_seal_due
from portico.agreements.tests.signing_helpers import consent, sent_for, sign

pytestmark = pytest.mark.django_db


def test_the_command_makes_a_document_seal_certificate_and_keeps_an_existing_one(tmp_path):
    cert, key = tmp_path / "seal" / "cert.pem", tmp_path / "seal" / "key.pem"
    call_command("seal_certificate", "--cert", str(cert), "--key", str(key), "--name", "Alpha Roofs")
    loaded = x509.load_pem_x509_certificate(cert.read_bytes())
    assert loaded.subject.rfc4514_string() == "CN=Alpha Roofs document seal"
    usage = loaded.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    assert key.stat().st_mode & 0o777 == 0o600
    before = cert.read_bytes()
    with pytest.raises(CommandError, match="--force"):
        call_command("seal_certificate", "--cert", str(cert), "--key", str(key))
    call_command("seal_certificate", "--cert", str(cert), "--key", str(key), "--if-missing")
    assert cert.read_bytes() == before
    call_command("seal_certificate", "--cert", str(cert), "--key", str(key), "--force")
    assert cert.read_bytes() != before


def test_a_missing_certificate_is_a_system_check_warning(settings, tmp_path):
    assert check_seal_certificate(None) == []
    settings.AGREEMENT_SEAL_CERT_FILE = tmp_path / "missing.pem"
    (warning,) = check_seal_certificate(None)
    assert warning.id == "portico.W030" and "seal_certificate" in warning.msg


def test_the_sweep_seals_signed_agreements_left_unsealed(org_a, settings, tmp_path):
    good = settings.AGREEMENT_SEAL_CERT_FILE
    agreement, person = sent_for(org_a)
    consent(org_a, person, agreement)
    settings.AGREEMENT_SEAL_CERT_FILE = tmp_path / "missing.pem"
    sign(agreement, person)  # signing needs no certificate; the seal waits
    assert agreements_seal_due() == 0  # too recent: the request itself may still be sealing it
    Agreement.objects.filter(pk=agreement.pk).update(signed_at=timezone.now() - dt.timedelta(minutes=5))
    assert agreements_seal_due() == 0  # no certificate: logged, retried next time
    settings.AGREEMENT_SEAL_CERT_FILE = good
    assert agreements_seal_due() == 1
    agreement.refresh_from_db()
    assert agreement.signed_hash and agreement.signed_document
    assert agreements_seal_due() == 0
