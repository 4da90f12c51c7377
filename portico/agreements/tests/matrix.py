"""The agreements app's factories for orgs/tests/test_permission_matrix.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from portico.agreements.tests.factories import (
    agreement_draft_make,
    agreement_sent_make,
    agreement_signed_make,
    template_make,
)
from testing.world import World


def _draft(w: World) -> dict[str, Any]:
    return {"agreement_id": agreement_draft_make(w).pk}


# A sent agreement (it has its document; it can be voided).
ID_FACTORIES: dict[str, Callable[[World], int]] = {
    "agreement_id": lambda w: agreement_sent_make(w).pk,
    "agreement_template_id": lambda w: template_make(w).pk,
}
URL_FACTORIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "agreement_edit": _draft,  # only a draft is edited and sent
    "agreement_send": _draft,
    "agreement_signed_document": lambda w: {"agreement_id": agreement_signed_make(w).pk},
}
