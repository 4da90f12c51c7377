"""The system check for the FreshBooks settings: half an app, or a redirect address that is not absolute."""

from __future__ import annotations

import pytest

from portico.core.env import envstr
from portico.freshbooks.checks import check_freshbooks_settings


@pytest.mark.parametrize(
    ("client_id", "secret", "redirect", "ids"),
    [
        ("", "", "", []),
        ("id", "secret", "", []),
        ("id", "secret", "https://portico.example.org/freshbooks/callback/", []),
        ("id", "", "", ["portico.E040"]),
        ("", "secret", "", ["portico.E040"]),
        ("id", "secret", "portico.example.org/freshbooks/callback/", ["portico.E041"]),
    ],
)
def test_half_a_freshbooks_app_is_an_error(settings, client_id, secret, redirect, ids):
    settings.FRESHBOOKS_CLIENT_ID, settings.FRESHBOOKS_CLIENT_SECRET = client_id, secret
    settings.FRESHBOOKS_REDIRECT_URI = redirect
    found = check_freshbooks_settings(None)
    assert [e.id for e in found] == ids
    if ids == ["portico.E040"]:
        assert ("FRESHBOOKS_CLIENT_SECRET" if client_id else "FRESHBOOKS_CLIENT_ID") in found[0].msg


def test_the_secret_may_come_from_a_file(monkeypatch, tmp_path):
    path = tmp_path / "secret"
    path.write_text("from-a-file\n")
    monkeypatch.setenv("FRESHBOOKS_CLIENT_SECRET_FILE", str(path))
    assert envstr("FRESHBOOKS_CLIENT_SECRET") == "from-a-file"
