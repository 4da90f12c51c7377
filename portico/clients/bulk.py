"""Bulk group changes: a job kind (jobs/kinds.py) run by the one jobs runner. Set-based: one
INSERT … SELECT (or DELETE … IN (SELECT …)) per chunk, never a loop of saves. Up to INLINE_LIMIT
clients the change happens in the request; larger ones in the background with progress."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portico.audit.actions import audit_record
from portico.audit.decorators import action
from portico.audit.models import AuditAction
from portico.clients.models import Client, ClientGroup, Group, GroupOperation
from portico.clients.selectors import ClientFilters, ClientSelection, job_clients, job_clients_not_found
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.core.sql import insert_select
from portico.jobs.kinds import JobKind, job_kind_register
from portico.jobs.models import Job
from portico.jobs.runner import job_start
from portico.orgs.permissions import Permission

KIND = "groups.bulk_change"
INLINE_LIMIT = 2_000  # up to this many clients the change happens in the request
CHUNK = 20_000


def _apply(group_id: int, chunk: list[int], operation: str) -> int:
    """One statement for the whole chunk (INSERT … SELECT, or DELETE … IN); returns rows changed."""
    if operation == GroupOperation.ADD:
        return insert_select(
            ClientGroup,
            Client.objects.filter(pk__in=chunk),
            {"client": F("pk"), "group": group_id, "added_at": timezone.now()},
            ignore_conflicts=True,
        )
    deleted, _by_model = ClientGroup.objects.filter(group_id=group_id, client_id__in=chunk).delete()
    return deleted


@action(tx="own", audited=False, why="the job writes its summary audit row (group.bulk_changed) when it ends")
def group_bulk_start(
    *,
    group: Group,
    actor: Actor,
    operation: str,
    client_ids: list[int] | None = None,
    filters: ClientFilters | None = None,
) -> Job:
    """Add the chosen clients (explicit ids, or everything matching ``filters``) to ``group``, or
    remove them. The job runs at once up to INLINE_LIMIT clients; the caller shows its outcome."""
    if operation not in GroupOperation.values:
        raise PorticoError(_("Choose add or remove."))
    selection = ClientSelection(client_ids=client_ids, filters=filters)
    params = {"group": group.pk, "operation": operation, **selection.to_params()}
    total = selection.queryset(org=group.org).count()
    return job_start(org=group.org, kind=KIND, actor=actor, params=params, total=total)


def _run_chunk(job: Job, actor: Actor, chunk: list[int]) -> dict[str, int]:
    changed = _apply(job.params["group"], chunk, job.params["operation"])
    return {"changed": changed, "unchanged": len(chunk) - changed}


def _summarize(job: Job, actor: Actor, error: str) -> None:
    group = Group.objects.filter(pk=job.params["group"]).first()
    audit_record(
        org=job.org_id,
        actor=actor,
        action=AuditAction.GROUP_BULK_CHANGED,
        target=group,
        target_label="" if group else str(job.params["group"]),
        detail={
            "operation": job.params["operation"],
            "matched": job.processed,
            "changed": job.count("changed"),
            "unchanged": job.count("unchanged"),
            "skipped": job_clients_not_found(job),
            "job": job.pk,
            **({"error": error} if error else {}),
        },
    )


def _back(job: Job) -> str:
    return reverse("group_detail", args=[job.org.slug, job.params["group"]])


def _result_context(job: Job, request: Any) -> dict[str, Any]:
    return {"group": Group.objects.filter(pk=job.params["group"]).first(), "not_found": job_clients_not_found(job)}


KIND_GROUPS = JobKind(
    name=KIND,
    label=gettext_lazy("Bulk group change"),
    permission=Permission.GROUPS_MANAGE,
    selection=job_clients,
    run_chunk=_run_chunk,
    summarize=_summarize,
    result_template="clients/_group_job_result.html",
    result_context=_result_context,
    back_url=_back,
    chunk_size=CHUNK,
    inline_limit=INLINE_LIMIT,
)


def register() -> None:
    job_kind_register(KIND_GROUPS)
