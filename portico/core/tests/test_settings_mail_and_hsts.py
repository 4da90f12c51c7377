"""EMAIL_URL is read by a parser that understands URLs (django-environ), and HSTS preload is the
operator's choice, never a default."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION = {
    "SECRET_KEY": "x" * 60,
    "ALLOWED_HOSTS": "portico.example.org",
    "SITE_URL": "https://portico.example.org",
}
SHOW = (
    "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k, None) for k in "
    "('EMAIL_BACKEND', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_HOST_USER', 'EMAIL_HOST_PASSWORD', 'EMAIL_USE_TLS', "
    "'EMAIL_USE_SSL', 'SECURE_HSTS_PRELOAD')}))"
)


def _settings(**env: str) -> dict | str:
    base = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SHOW],
        cwd=settings.BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "portico.settings", **PRODUCTION, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return json.loads(result.stdout.strip().splitlines()[-1]) if result.returncode == 0 else result.stderr


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp+tls://mailer:s%40cret@mail.example.org:587",
            {"EMAIL_HOST": "mail.example.org", "EMAIL_PORT": 587, "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False},
        ),
        ("smtp+ssl://mailer:pw@mail.example.org", {"EMAIL_PORT": 465, "EMAIL_USE_SSL": True, "EMAIL_USE_TLS": False}),
        ("smtp://relay.internal:25", {"EMAIL_HOST": "relay.internal", "EMAIL_USE_TLS": False, "EMAIL_USE_SSL": False}),
    ],
)
def test_email_urls_are_parsed_not_searched(url, expected):
    found = _settings(EMAIL_URL=url)
    assert isinstance(found, dict), found
    assert found["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert {k: found[k] for k in expected} == expected
    if "s%40cret" in url:
        assert (found["EMAIL_HOST_USER"], found["EMAIL_HOST_PASSWORD"]) == ("mailer", "s@cret")


def test_a_query_option_that_would_be_ignored_is_refused():
    # "?tls=1" used to be found by a substring test; a parser puts it in OPTIONS, which mail ignores.
    found = _settings(EMAIL_URL="smtp://mail.example.org:587?tls=1")
    assert isinstance(found, str) and "use smtp+tls://" in found


def test_hsts_preload_is_opt_in():
    assert _settings()["SECURE_HSTS_PRELOAD"] is False  # type: ignore[index]
    assert _settings(SECURE_HSTS_PRELOAD="1")["SECURE_HSTS_PRELOAD"] is True  # type: ignore[index]
