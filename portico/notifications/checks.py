"""Deploy check: phone notifications need the VAPID key file (``manage.py vapid_keys``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import Warning


def check_vapid_key(app_configs: Any, **kwargs: Any) -> list[Warning]:
    path = Path(settings.VAPID_PRIVATE_KEY_FILE)
    if not path.is_file():
        return [
            Warning(
                f"No VAPID key at {path}: phone (push) notifications cannot be sent.",
                hint="Run `manage.py vapid_keys` once (or set VAPID_PRIVATE_KEY_FILE) and keep the file.",
                id="portico.W020",
            )
        ]
    return []
