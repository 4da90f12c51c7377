"""Bulk group changes, set-based: one INSERT … SELECT (or DELETE … IN (SELECT …)) per chunk,
never a loop of saves. Small changes run at once; large ones in the background with progress."""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portico.audit.actions import audit_record
from portico.audit.models import AuditAction
from portico.clients.models import BulkJob, Client, Group
from portico.clients.selectors import ClientFilters, client_filtered
from portico.core.actors import Actor
from portico.core.errors import PorticoError

INLINE_LIMIT = 2_000  # up to this many clients the change happens in the request
CHUNK = 20_000


@dataclasses.dataclass
class BulkResult:
    matched: int
    changed: int  # added, or removed
    unchanged: int  # already in the group (add) / not in it (remove)
    skipped: int  # ids that are not live records of this organization


def _selection(group: Group, client_ids: list[int] | None, filters: ClientFilters | None) -> QuerySet[Client]:
    qs = client_filtered(org=group.org, filters=filters or ClientFilters())
    if client_ids is not None:
        qs = qs.filter(pk__in=client_ids)
    return qs


def _apply(group: Group, ids_qs: QuerySet[Any], operation: str) -> int:
    """One statement for the whole chunk; returns rows changed."""
    sql, params = ids_qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if operation == BulkJob.Operation.ADD:
            cursor.execute(
                f"INSERT INTO clients_clientgroup (client_id, group_id, added_at) "  # noqa: S608 (sql is Django's own)
                # "WHERE true": SQLite needs it to parse INSERT … SELECT … ON CONFLICT.
                f"SELECT sel.id, %s, %s FROM ({sql}) AS sel WHERE true ON CONFLICT (group_id, client_id) DO NOTHING",
                [group.pk, timezone.now(), *params],
            )
        else:
            cursor.execute(
                f"DELETE FROM clients_clientgroup WHERE group_id = %s AND client_id IN ({sql})",  # noqa: S608
                [group.pk, *params],
            )
        return cursor.rowcount


@transaction.atomic
def group_bulk_change(
    *,
    group: Group,
    actor: Actor,
    operation: str,
    client_ids: list[int] | None = None,
    filters: ClientFilters | None = None,
) -> BulkResult:
    """Add or remove the chosen clients (explicit ids, or everything matching ``filters``)."""
    if operation not in BulkJob.Operation.values:
        raise PorticoError(_("Choose add or remove."))
    selection = _selection(group, client_ids, filters)
    matched = selection.count()
    changed = _apply(group, selection.values("id"), operation)
    result = BulkResult(
        matched=matched,
        changed=changed,
        unchanged=matched - changed,
        skipped=(len(set(client_ids)) - matched) if client_ids is not None else 0,
    )
    audit_record(
        org=group.org,
        actor=actor,
        action=AuditAction.GROUP_BULK_CHANGED,
        target=group,
        detail={"operation": operation, **dataclasses.asdict(result)},
    )
    return result


def _filters_to_json(filters: ClientFilters) -> dict[str, Any]:
    return {
        k: (v.isoformat() if isinstance(v, dt.date) else v)
        for k, v in dataclasses.asdict(filters).items()
        if v not in (None, "", {})
    }


def _filters_from_json(data: dict[str, Any]) -> ClientFilters:
    values = dict(data)
    for key in ("created_from", "created_to"):
        if values.get(key):
            values[key] = dt.date.fromisoformat(values[key])
    return ClientFilters(**values)


@transaction.atomic
def group_bulk_start(
    *,
    group: Group,
    actor: Actor,
    operation: str,
    client_ids: list[int] | None = None,
    filters: ClientFilters | None = None,
) -> BulkResult | BulkJob:
    """Small selections change now (BulkResult); large ones become a BulkJob for the worker."""
    if operation not in BulkJob.Operation.values:
        raise PorticoError(_("Choose add or remove."))
    selection = _selection(group, client_ids, filters)
    total = selection.values("id")[: INLINE_LIMIT + 1].count()
    if total <= INLINE_LIMIT:
        return group_bulk_change(group=group, actor=actor, operation=operation, client_ids=client_ids, filters=filters)
    job = BulkJob.objects.create(
        org=group.org,
        group=group,
        operation=operation,
        client_ids=client_ids or [],
        filters=_filters_to_json(filters or ClientFilters()) if client_ids is None else {},
        total=selection.count(),
        created_by=actor.user,
    )
    from portico.clients.tasks import run_bulk_job

    transaction.on_commit(partial(run_bulk_job.enqueue, job.pk))
    return job


def bulk_job_run(*, job_id: int) -> str:
    """The worker's side: walk the selection by id in chunks, one statement and one short
    transaction per chunk, updating progress as it goes."""
    claimed = BulkJob.objects.filter(pk=job_id, state=BulkJob.State.QUEUED).update(
        state=BulkJob.State.RUNNING, heartbeat_at=timezone.now()
    )
    if not claimed:
        return "skipped"
    job = BulkJob.objects.select_related("group", "group__org", "created_by").get(pk=job_id)
    filters = _filters_from_json(job.filters)
    selection = _selection(job.group, job.client_ids or None, filters).order_by("id")
    last_id = 0
    try:
        while True:
            chunk_ids = list(selection.filter(id__gt=last_id).values_list("id", flat=True)[:CHUNK])
            if not chunk_ids:
                break
            with transaction.atomic():
                changed = _apply(job.group, Client.objects.filter(pk__in=chunk_ids).values("id"), job.operation)
                BulkJob.objects.filter(pk=job.pk).update(
                    heartbeat_at=timezone.now(),
                    processed=job.processed + len(chunk_ids),
                    changed=job.changed + changed,
                    unchanged=job.unchanged + len(chunk_ids) - changed,
                )
            job.refresh_from_db()
            last_id = chunk_ids[-1]
    except Exception as exc:  # recorded on the job for the page; the worker logs the traceback
        job.refresh_from_db()
        with transaction.atomic():
            BulkJob.objects.filter(pk=job.pk).update(
                state=BulkJob.State.FAILED, error=str(exc)[:500], finished_at=timezone.now()
            )
            # The chunks done so far are committed: they are audited like a finished change.
            audit_record(
                org=job.org,
                actor=Actor(kind="staff", user=job.created_by) if job.created_by else Actor.system(),
                action=AuditAction.GROUP_BULK_CHANGED,
                target=job.group,
                detail={"operation": job.operation, "changed": job.changed, "job": job.pk, "error": str(exc)[:200]},
            )
        raise
    skipped = max(len(set(job.client_ids)) - job.processed, 0) if job.client_ids else 0
    with transaction.atomic():
        BulkJob.objects.filter(pk=job.pk).update(state=BulkJob.State.DONE, skipped=skipped, finished_at=timezone.now())
        audit_record(
            org=job.org,
            actor=Actor(kind="staff", user=job.created_by) if job.created_by else Actor.system(),
            action=AuditAction.GROUP_BULK_CHANGED,
            target=job.group,
            detail={
                "operation": job.operation,
                "matched": job.processed,
                "changed": job.changed,
                "unchanged": job.unchanged,
                "skipped": skipped,
                "job": job.pk,
            },
        )
    return "done"


STALE_AFTER = dt.timedelta(minutes=10)


def bulk_jobs_requeue_stale() -> int:
    """Jobs whose worker died mid-way (no heartbeat for STALE_AFTER) start again: every chunk is
    idempotent (ON CONFLICT DO NOTHING / DELETE), so redoing done chunks changes nothing.
    Run by `manage.py outbox_sweep` with the other recovery work."""
    from portico.clients.tasks import run_bulk_job

    stale = list(
        BulkJob.objects.filter(state=BulkJob.State.RUNNING, heartbeat_at__lt=timezone.now() - STALE_AFTER).values_list(
            "pk", flat=True
        )
    )
    for pk in stale:
        if BulkJob.objects.filter(pk=pk, state=BulkJob.State.RUNNING).update(
            state=BulkJob.State.QUEUED, processed=0, changed=0, unchanged=0
        ):
            run_bulk_job.enqueue(pk)
    return len(stale)
