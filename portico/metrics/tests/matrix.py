"""The metrics app's factories for orgs/tests/test_permission_matrix.py: a metric, and an active
customer (with a metric, so "Update score" can be done) for the customer score URLs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from portico.metrics.tests.factories import customer_make, metric_make
from testing.world import World


def _customer(w: World) -> dict[str, Any]:
    metric_make(w, name=f"Matrix metric {w.org.slug}")
    return {"customer_id": customer_make(w).pk}


URL_FACTORIES: dict[str, Callable[[World], dict[str, Any]]] = {
    name: _customer for name in ("customer_score_update", "customer_score_panel", "customer_metric_values")
}
ID_FACTORIES: dict[str, Callable[[World], int]] = {"metric_id": lambda w: metric_make(w).pk}
POST_DATA: dict[str, Callable[[World], dict[str, Any]]] = {
    # "Update Clients' scores" needs a metric in use.
    "scores_recalculate": lambda w: (metric_make(w), {})[1],
}
