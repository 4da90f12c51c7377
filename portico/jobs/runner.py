"""The one runner for every background job: start it (small ones at once, in the request),
walk its selection by id in chunks (one transaction and one progress update each), finish or
fail it with its kind's summary audit row, and restart jobs whose worker died."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from portico.accounts.models import User
from portico.audit.decorators import action
from portico.core.actors import Actor, ActorKind
from portico.core.errors import PorticoError
from portico.jobs.kinds import job_kind
from portico.jobs.models import JOB_MACHINE, Job, JobState
from portico.orgs.models import Organization

STALE_AFTER = dt.timedelta(minutes=10)
SUMMARY = "its kind writes one summary audit row when it ends"


@task()
def run_job(job_id: int) -> str:
    return job_run(job_id=job_id)


def _actor(job: Job) -> Actor:
    return Actor(kind=ActorKind.STAFF, user=job.created_by) if job.created_by else Actor.system()


@action(tx="own", audited=False, why=SUMMARY)
def job_start(
    *, org: Organization, kind: str, actor: Actor, params: dict[str, Any], total: int, created_by: User | None = None
) -> Job:
    """A new job of ``kind`` over ``total`` rows. The job row commits first; up to the kind's
    ``inline_limit`` it runs now (the request waits), larger ones go to the worker. Either way the
    job page shows progress and then the outcome."""
    job = Job.objects.create(org=org, kind=kind, params=params, total=total, created_by=created_by or actor.user)
    if total <= job_kind(kind).inline_limit:
        job_run(job_id=job.pk, actor=actor)
        job.refresh_from_db()
    else:
        transaction.on_commit(partial(run_job.enqueue, job.pk))
    return job


@action(tx="own", audited=False, why=SUMMARY)
def job_run(*, job_id: int, actor: Actor | None = None) -> str:
    """The worker's side: claim the job, then walk its selection after the last committed id."""
    claimed = JOB_MACHINE.apply_many(Job.objects.filter(pk=job_id), "start", updates={"heartbeat_at": timezone.now()})
    if not claimed:
        return "skipped"
    job = Job.objects.select_related("org", "created_by").get(pk=job_id)
    kind = job_kind(job.kind)
    actor = actor or _actor(job)
    try:
        selection = kind.selection(job).order_by("id").values_list("id", flat=True)
        while chunk := list(selection.filter(id__gt=job.cursor)[: kind.chunk_size]):
            with transaction.atomic():
                counts = dict(job.counts)
                for name, n in kind.run_chunk(job, actor, chunk).items():
                    counts[name] = counts.get(name, 0) + n
                Job.objects.filter(pk=job.pk).update(
                    processed=F("processed") + len(chunk), counts=counts, cursor=chunk[-1], heartbeat_at=timezone.now()
                )
            job.refresh_from_db(fields=["processed", "counts", "cursor"])
    except Exception as exc:  # recorded on the job for the page; the worker logs the traceback
        error = str(exc.message if isinstance(exc, PorticoError) else exc)[:500]
        with transaction.atomic():
            job.refresh_from_db()
            JOB_MACHINE.apply(job, "fail", actor=None, updates={"error": error, "finished_at": timezone.now()})
            kind.summarize(job, actor, error[:200])  # the chunks done so far are committed: audited too
        raise
    with transaction.atomic():
        JOB_MACHINE.apply(job, "finish", actor=None, updates={"finished_at": timezone.now()})
        kind.summarize(job, actor, "")
    return "done"


@action(tx="own", audited=False, why="it only hands stalled jobs to the worker again")
def jobs_requeue_stale() -> int:
    """Jobs whose worker died mid-way (no heartbeat for STALE_AFTER) start again after their
    last committed chunk. Asked by `manage.py sweep` with the other recovery work."""
    stale = Job.objects.filter(state=JobState.RUNNING, heartbeat_at__lt=timezone.now() - STALE_AFTER)
    requeued = 0
    for job_id in list(stale.values_list("pk", flat=True)):
        if JOB_MACHINE.apply_many(Job.objects.filter(pk=job_id), "requeue"):
            run_job.enqueue(job_id)
            requeued += 1
    return requeued
