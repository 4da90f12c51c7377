"""The job page: progress while it runs (polled by htmx), then the kind's outcome."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portico.jobs.kinds import job_kind
from portico.jobs.selectors import job_get
from portico.orgs.context import org_view


@org_view()  # each kind names its permission: checked once the job is found
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = job_get(org=request.org, job_id=job_id)  # type: ignore[attr-defined]
    kind = job_kind(job.kind)
    request.org_ctx.require(kind.permission)  # type: ignore[attr-defined]
    context = {"job": job, "kind": kind, "back_url": kind.back_url(job) if kind.back_url else ""}
    if request.htmx:  # type: ignore[attr-defined]
        response = render(request, "jobs/detail.html#progress", context)
        if job.finished:
            response["HX-Refresh"] = "true"  # the whole page again, now with the outcome
        return response
    if job.finished and kind.result_context is not None:
        context.update(kind.result_context(job, request))
    return render(request, "jobs/detail.html", context)
