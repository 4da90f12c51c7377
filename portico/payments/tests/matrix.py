"""The payments app's factories for orgs/tests/test_permission_matrix.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from portico.payments.tests.factories import stripe_account_make
from testing.world import World


def _connected(w: World) -> dict[str, Any]:
    stripe_account_make(w)
    return {}


# Disconnect needs a connection (its GET is the confirm step; without one it goes back to Settings).
URL_FACTORIES: dict[str, Callable[[World], dict[str, Any]]] = {"stripe_disconnect": _connected}
