""" "Update Clients' scores": a job kind (jobs/kinds.py) run by the one jobs runner over every
customer that is not inactive (PAIN and ACTV; INAC are never scored). Set-based: per chunk of
customer ids, one INSERT … SELECT of the history rows, every metric computed in SQL
(scoring.scores_write_sql), and one upsert of their current score (customers_customerscore); never a loop per customer.
The metrics are read when the job starts (kept in its params), so every chunk uses the same."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy

from portico.audit.actions import audit_record
from portico.audit.models import AuditAction
from portico.core.actors import Actor
from portico.jobs.kinds import JobKind
from portico.jobs.models import Job
from portico.metrics.scoring import Spec, scoreable, scores_write_sql
from portico.orgs.permissions import Permission

KIND = "scores.recalculate_all"
CHUNK = 25_000
INLINE_LIMIT = 500  # up to this many customers the scores are updated in the request


def _selection(job: Job) -> QuerySet[Any]:
    # The runner walks rows by "id": a customer's id is its client record's.
    return scoreable(job.org_id).annotate(id=F("client_id"))


def _run_chunk(job: Job, actor: Actor, chunk: list[int]) -> dict[str, int]:
    # The chunk is a run of ids in order: a range keeps the statement small (no list of 25,000 ids).
    source = scoreable(job.org_id).filter(client_id__gte=chunk[0], client_id__lte=chunk[-1])
    now = dt.datetime.fromisoformat(job.params["now"])
    scored = scores_write_sql(
        source, Spec.from_params(job.params["metrics"]), now=now, job_id=job.pk, id_range=(chunk[0], chunk[-1])
    )
    return {"scored": scored}


def _summarize(job: Job, actor: Actor, error: str) -> None:
    audit_record(
        org=job.org_id,
        actor=actor,
        action=AuditAction.SCORES_RECALCULATED,
        target=job,
        target_label=str(KIND_SCORES.label),
        detail={
            "scored": job.count("scored"),
            "metrics": [m["id"] for m in job.params.get("metrics", [])],
            "job": job.pk,
            **({"error": error} if error else {}),
        },
    )


def _back(job: Job) -> str:
    return reverse("metric_list", args=[job.org.slug])


KIND_SCORES = JobKind(
    name=KIND,
    label=gettext_lazy("Update Clients' scores"),
    permission=Permission.METRICS_MANAGE,
    selection=_selection,
    run_chunk=_run_chunk,
    summarize=_summarize,
    result_template="metrics/_scores_job_result.html",
    back_url=_back,
    chunk_size=CHUNK,
    inline_limit=INLINE_LIMIT,
)
