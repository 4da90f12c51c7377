"""The work app's factories for orgs/tests/test_permission_matrix.py. Its URLs name their job
``job_id`` (the contract's name), which the matrix's ID_FACTORIES already fill with a bulk-work
job of ``portico.jobs``: so each work URL gets its own factory here, a new job of the work app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from portico.work.tests.factories import job_make
from testing.world import World


def _job(w: World) -> dict[str, Any]:
    return {"job_id": job_make(w).pk}


URL_FACTORIES: dict[str, Callable[[World], dict[str, Any]]] = {
    name: _job for name in ("work_job_detail", "work_job_edit", "work_job_move", "work_job_assign")
}
POST_DATA: dict[str, Callable[[World], dict[str, Any]]] = {
    "work_job_move": lambda w: {"action": "start"},
    "work_job_assign": lambda w: {"assignee": w.admin.pk},
}
