"""Job kinds: what a job does, registered by the app that owns the work (clients: bulk group
changes; invitations: bulk portal invitations). The jobs app runs every kind the same way."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import Promise

from portico.core.actors import Actor

if TYPE_CHECKING:
    from portico.jobs.models import Job


@dataclass(frozen=True)
class JobKind:
    name: str  # stored on the job: "<app>.<what>"
    label: str | Promise
    permission: str  # who may watch the job (and see its results)
    # The rows to walk, as a queryset of the organization's records; the runner pages it by id.
    selection: Callable[[Job], QuerySet[Any]]
    # One chunk of ids, inside the chunk's transaction; returns what to add to the job's counts.
    run_chunk: Callable[[Job, Actor, list[int]], dict[str, int]]
    # The job ended (``error`` is "" when it is done): write its summary audit row.
    summarize: Callable[[Job, Actor, str], None]
    result_template: str  # included on the job page, with the job and ``result_context``
    result_context: Callable[[Job, HttpRequest], dict[str, Any]] | None = None
    back_url: Callable[[Job], str] | None = None  # where "Back" goes from the job page
    chunk_size: int = 2_000
    inline_limit: int = 200  # up to this many rows the job runs in the request


KINDS: dict[str, JobKind] = {}


def job_kind_register(kind: JobKind) -> JobKind:
    """Called once per kind, from its app's AppConfig.ready."""
    KINDS[kind.name] = kind
    return kind


def job_kind(name: str) -> JobKind:
    return KINDS[name]
