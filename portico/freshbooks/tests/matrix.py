"""The freshbooks app's factories for orgs/tests/test_permission_matrix.py. The matrix's world has
no FreshBooks app configured nor connected: connecting and creating a customer there are refused by
their rules after the permission check (the flows themselves: test_connect.py, test_customer_connect.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from portico.freshbooks.tests.factories import connection_make, customer_make
from testing.world import World


def _connected(w: World) -> dict[str, Any]:
    connection_make(w)
    return {}


URL_FACTORIES: dict[str, Callable[[World], dict[str, Any]]] = {
    # Disconnect needs a connection (its GET is the confirm step; without one it goes back to Settings).
    "freshbooks_disconnect": _connected,
    "customer_freshbooks_connect": lambda w: {"customer_id": customer_make(w).pk},
}
EXPECTED_REFUSALS: dict[str, str] = {
    "freshbooks_connect": "not_configured",  # no FreshBooks app (client id and secret) in the matrix's settings
    "customer_freshbooks_connect": "freshbooks_not_connected",  # the organization has not connected FreshBooks
}
