import os
import subprocess
import sys

from cryptography.fernet import Fernet
from django.conf import settings
from django.test import override_settings

from portico.core import checks


@override_settings(EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
def test_w001_warns_when_mail_goes_nowhere():
    assert [w.id for w in checks.check_mail_backend(None)] == ["portico.W001"]


@override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend")
def test_w001_is_quiet_for_smtp():
    assert checks.check_mail_backend(None) == []


@override_settings(SITE_URL="portico.example")
def test_e001_needs_an_absolute_site_url():
    assert [e.id for e in checks.check_site_url(None)] == ["portico.E001"]


@override_settings(SITE_URL="http://portico.example", DEBUG=False)
def test_w002_warns_about_plain_http_links_in_production():
    assert [w.id for w in checks.check_site_url_https(None)] == ["portico.W002"]


@override_settings(SMS_BACKEND="carrier-pigeon")
def test_e002_refuses_an_unknown_sms_backend():
    assert [e.id for e in checks.check_sms_backend(None)] == ["portico.E002"]


@override_settings(SMS_BACKEND="twilio", TWILIO_ACCOUNT_SID="AC123", TWILIO_AUTH_TOKEN="")
def test_e003_twilio_needs_the_account_sid_and_token():
    assert [e.id for e in checks.check_sms_backend(None)] == ["portico.E003"]


@override_settings(SMS_BACKEND="twilio", TWILIO_ACCOUNT_SID="AC123", TWILIO_AUTH_TOKEN="secret", TWILIO_FROM="")
def test_twilio_with_credentials_passes_and_warns_only_about_a_missing_default_sender():
    assert checks.check_sms_backend(None) == []
    assert [w.id for w in checks.check_sms_delivery(None)] == ["portico.W004"]


@override_settings(SMS_BACKEND="console")
def test_w003_warns_when_sms_goes_nowhere():
    assert checks.check_sms_backend(None) == []
    assert [w.id for w in checks.check_sms_delivery(None)] == ["portico.W003"]


def _manage(*args, **env):
    # A clean environment: the test process itself runs with test-only overrides.
    base = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "portico.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings(tmp_path):
    from portico.agreements.seal import seal_certificate_make, seal_certificate_write_pem
    from portico.notifications.push import vapid_generate

    vapid_generate(tmp_path / "vapid.pem")
    key, cert = seal_certificate_make("Portico test document seal")
    seal_certificate_write_pem(key, cert, cert_file=tmp_path / "seal.pem", key_file=tmp_path / "seal.key")
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="x" * 10 + "a-long-random-production-secret-key-0123456789-abcdefghij",
        ALLOWED_HOSTS="portico.example.org",
        SITE_URL="https://portico.example.org",
        EMAIL_URL="smtp+tls://mailer:s%40cret@mail.example.org:587",
        SMS_BACKEND="twilio",
        TWILIO_ACCOUNT_SID="AC" + "0" * 32,
        TWILIO_AUTH_TOKEN="t" * 32,
        TWILIO_FROM="+15005550006",
        VAPID_PRIVATE_KEY_FILE=str(tmp_path / "vapid.pem"),
        AGREEMENT_SEAL_CERT_FILE=str(tmp_path / "seal.pem"),
        AGREEMENT_SEAL_KEY_FILE=str(tmp_path / "seal.key"),
        SECRETS_KEYS=Fernet.generate_key().decode(),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = _manage("check")
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_production_settings_refuse_to_start_without_a_site_url():
    result = _manage("check", SECRET_KEY="k" * 60)
    assert result.returncode != 0 and "SITE_URL must be set" in result.stderr


def test_w005_warns_when_credentials_are_encrypted_with_a_key_derived_from_secret_key(settings):
    settings.SECRETS_KEYS = []
    assert [w.id for w in checks.check_secrets_keys(None)] == ["portico.W005"]
    settings.SECRETS_KEYS = [Fernet.generate_key().decode()]
    assert checks.check_secrets_keys(None) == []


def test_e004_names_each_secrets_keys_entry_that_is_not_a_fernet_key(settings):
    settings.SECRETS_KEYS = [Fernet.generate_key().decode(), "not-a-key", "c2hvcnQ="]
    found = checks.check_secrets_keys(None)
    assert [e.id for e in found] == ["portico.E004", "portico.E004"]
    assert "entry 2" in found[0].msg and "entry 3" in found[1].msg
