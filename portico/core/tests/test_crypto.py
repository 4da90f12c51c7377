"""Secrets at rest: encrypted, readable back, rotatable, and useless with the wrong key."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from portico.core.crypto import SecretUnreadable, secret_hint, secret_open, secret_seal


def test_a_sealed_secret_does_not_contain_the_secret_and_opens_again():
    token = secret_seal("sk_test_abcdef4242")
    assert "abcdef" not in token
    assert secret_open(token) == "sk_test_abcdef4242"
    assert secret_seal("") == "" and secret_open("") == ""


def test_keys_rotate_the_old_key_still_opens_what_it_sealed(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.SECRETS_KEYS = [old]
    token = secret_seal("whsec_123")
    settings.SECRETS_KEYS = [new, old]
    assert secret_open(token) == "whsec_123"
    settings.SECRETS_KEYS = [new]
    with pytest.raises(SecretUnreadable):
        secret_open(token)


def test_the_hint_shows_the_kind_and_the_last_four_only():
    assert secret_hint("sk_test_abcdef4242") == "sk_test_…4242"
    assert secret_hint("whsec_abcdef9876") == "whsec_…9876"
    assert secret_hint("plainsecretvalue") == "…alue"
    assert secret_hint("") == ""


def test_without_secrets_keys_a_rotated_secret_key_in_the_fallbacks_still_opens(settings):
    settings.SECRETS_KEYS = []
    settings.SECRET_KEY = "the-old-secret-key-" + "o" * 40
    settings.SECRET_KEY_FALLBACKS = []
    token = secret_seal("sk_test_rotated4242")
    settings.SECRET_KEY = "the-new-secret-key-" + "n" * 40
    with pytest.raises(SecretUnreadable):
        secret_open(token)
    settings.SECRET_KEY_FALLBACKS = ["the-old-secret-key-" + "o" * 40]
    assert secret_open(token) == "sk_test_rotated4242"
    fresh = secret_seal("sk_test_new4242")
    settings.SECRET_KEY_FALLBACKS = []
    assert secret_open(fresh) == "sk_test_new4242"  # the current SECRET_KEY encrypts
