"""The estimates app's factories for orgs/tests/test_permission_matrix.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from portico.estimates.tests.factories import estimate_make
from testing.requests import png_upload
from testing.world import World


def _sent(w: World) -> dict[str, Any]:
    return {"estimate_id": estimate_make(w, sent=True).pk}


def _attachment(w: World) -> dict[str, Any]:
    estimate = estimate_make(w, files=[png_upload()])
    return {"estimate_id": estimate.pk, "attachment_id": estimate.attachments.get().pk}


# A draft with a client and two lines: it can be edited and sent.
ID_FACTORIES: dict[str, Callable[[World], int]] = {"estimate_id": lambda w: estimate_make(w).pk}
URL_FACTORIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "estimate_revise": _sent,  # only a sent (declined, expired) estimate is revised
    "estimate_attachment": _attachment,
}
