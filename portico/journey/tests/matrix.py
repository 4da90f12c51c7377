"""The journey's factories for orgs/tests/test_permission_matrix.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from portico.journey.tests.helpers import invite, journey
from testing.world import World


def _journey(w: World) -> int:
    return journey(invite(w, name=f"Matrix Journey {w.org.slug}", email=f"journey@{w.org.slug}.test")).pk


ID_FACTORIES: dict[str, Callable[[World], int]] = {"journey_id": _journey}
POST_DATA: dict[str, Callable[[World], dict[str, Any]]] = {}
URL_FACTORIES: dict[str, Callable[[World], dict[str, Any]]] = {}
