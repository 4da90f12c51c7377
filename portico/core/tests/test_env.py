import pytest
from django.core.exceptions import ImproperlyConfigured

from portico.core.env import envbool, envint, envlist, envstr


def test_envbool_reads_the_usual_spellings_and_refuses_others(monkeypatch):
    for raw, expected in [("1", True), ("Yes", True), ("off", False), ("", False)]:
        monkeypatch.setenv("X", raw)
        assert envbool("X", not expected) is expected
    monkeypatch.setenv("X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X='maybe' is not a boolean"):
        envbool("X", False)


def test_envint_refuses_garbage(monkeypatch):
    monkeypatch.setenv("N", "12")
    assert envint("N", 1) == 12
    monkeypatch.setenv("N", "twelve")
    with pytest.raises(ImproperlyConfigured):
        envint("N", 1)


def test_secrets_can_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("TOKEN_FILE", str(secret))
    assert envstr("TOKEN") == "s3cret"
    monkeypatch.setenv("TOKEN_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        envstr("TOKEN")


def test_envlist_splits_on_commas(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example, b.example,,")
    assert envlist("HOSTS", []) == ["a.example", "b.example"]
