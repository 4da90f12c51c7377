"""Staff pages of jobs (``jobs.manage``): the list (filters, keyset pages), a job by hand for a
client, one job with its links, moves, assignment and history, editing its title and scope.
Thin: validate, call one action or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portico.accounts.models import User
from portico.clients.selectors import client_get
from portico.core.errors import PorticoError
from portico.core.timezones import time_zone_get
from portico.orgs.context import org_actor, org_view
from portico.orgs.permissions import Permission
from portico.work import actions, selectors
from portico.work.forms import AssignForm, CancelForm, JobFilterForm, JobForm, JobNewForm, ScheduleForm
from portico.work.models import JOB_MACHINE, Job, JobState

MOVE_LABELS = {
    "schedule": gettext_lazy("Schedule"),
    "unschedule": gettext_lazy("Unschedule"),
    "start": gettext_lazy("Start"),
    "complete": gettext_lazy("Complete"),
    "cancel": gettext_lazy("Cancel the job"),
}


@org_view(Permission.JOBS_MANAGE)
def work_job_list(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    form = JobFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    mine = bool(data.get("mine"))
    assignee = request.user.pk if mine else data.get("assignee")
    filters = selectors.JobFilters(state=data.get("state") or "", assignee=assignee, client=data.get("client"))
    page = selectors.job_page(org=org, filters=filters, cursor=request.GET.get("cursor", ""))
    staff = selectors.job_assignable(org=org)
    return render(
        request,
        "work/list.html",
        {
            "page": page,
            "filters": filters,
            "mine": mine,
            "states": JobState.choices,
            "assignee_options": [(pk, name, pk == filters.assignee and not mine) for pk, name in staff],
        },
    )


@org_view(Permission.JOBS_MANAGE)
def work_job_new(request: HttpRequest) -> HttpResponse:
    """A job by hand for a client: ``?client=<id>`` (from the client's record)."""
    org = request.org  # type: ignore[attr-defined]
    filters = JobFilterForm(request.GET)
    client_id = filters.cleaned_data.get("client") if filters.is_valid() else None
    if not client_id:
        return render(request, "work/new_choose.html")
    client = client_get(org=org, client_id=client_id)
    form = JobNewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = actions.job_create(
                org=org,
                client=client,
                actor=org_actor(request),
                title=form.cleaned_data["title"],
                scope=form.cleaned_data.get("scope") or "",
                total=form.cleaned_data.get("total"),
            )
        except PorticoError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Job %(label)s created.") % {"label": job.label})
            return redirect("work_job_detail", org_slug=org.slug, job_id=job.pk)
    return render(request, "work/new.html", {"form": form, "client": client, "currency": org.currency})


@org_view(Permission.JOBS_MANAGE)
def work_job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    job = selectors.job_get(org=org, job_id=job_id)
    return _detail(request, job)


def _detail(
    request: HttpRequest,
    job: Job,
    *,
    schedule_form: ScheduleForm | None = None,
    cancel_form: CancelForm | None = None,
    status: int = 200,
) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    allowed = JOB_MACHINE.allowed_actions(job.state)
    local = job.scheduled_for.astimezone(time_zone_get(org.time_zone)) if job.scheduled_for else None
    schedule_initial = {"day": local.date(), "time": local.time().replace(second=0)} if local else {}
    return render(
        request,
        "work/detail.html",
        {
            "job": job,
            "moves": [(name, MOVE_LABELS[name]) for name in allowed if name not in ("schedule", "cancel")],
            "can_schedule": "schedule" in allowed or job.state == JobState.SCHEDULED,
            "can_cancel": "cancel" in allowed,
            "can_edit": job.state not in (JobState.COMPLETED, JobState.CANCELLED),
            "scheduled_local": local,
            "time_zone": org.time_zone,
            "schedule_form": schedule_form or ScheduleForm(initial=schedule_initial),
            "cancel_form": cancel_form or CancelForm(),
            "assign_form": AssignForm(initial={"assignee": job.assignee_id}, staff=selectors.job_assignable(org=org)),
            "history": selectors.job_history(job=job),
        },
        status=status,
    )


@org_view(Permission.JOBS_MANAGE)
def work_job_edit(request: HttpRequest, job_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    job = selectors.job_get(org=org, job_id=job_id)
    form = JobForm(request.POST or None, initial={"title": job.title, "scope": job.scope})
    if request.method == "POST" and form.is_valid():
        actions.job_update(
            job=job, actor=org_actor(request), title=form.cleaned_data["title"], scope=form.cleaned_data["scope"]
        )
        messages.success(request, _("Job %(label)s saved.") % {"label": job.label})
        return redirect("work_job_detail", org_slug=org.slug, job_id=job.pk)
    return render(request, "work/edit.html", {"form": form, "job": job})


@org_view(Permission.JOBS_MANAGE)
@require_POST
def work_job_move(request: HttpRequest, job_id: int) -> HttpResponse:
    """One of the moves JOB_MACHINE allows: ``action`` = schedule (with day and time in the
    organization's time zone), unschedule, start, complete, or cancel (with a reason)."""
    org = request.org  # type: ignore[attr-defined]
    job = selectors.job_get(org=org, job_id=job_id)
    move = request.POST.get("action", "")
    actor = org_actor(request)
    if move == "schedule":
        form = ScheduleForm(request.POST)
        if not form.is_valid():
            return _detail(request, job, schedule_form=form, status=422)
        actions.job_schedule(job=job, actor=actor, scheduled_for=form.scheduled_for(org.time_zone))
    elif move == "cancel":
        cancel = CancelForm(request.POST)
        if not cancel.is_valid():
            return _detail(request, job, cancel_form=cancel, status=422)
        actions.job_cancel(job=job, actor=actor, reason=cancel.cleaned_data["reason"])
    elif move in actions.MOVES:
        actions.MOVES[move](job=job, actor=actor)
    else:
        raise PorticoError(_("Choose what to do with the job."), code="invalid")
    messages.success(
        request, _("Job %(label)s: %(state)s.") % {"label": job.label, "state": JOB_MACHINE.label(job.state).lower()}
    )
    return redirect("work_job_detail", org_slug=org.slug, job_id=job.pk)


@org_view(Permission.JOBS_MANAGE)
@require_POST
def work_job_assign(request: HttpRequest, job_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    job = selectors.job_get(org=org, job_id=job_id)
    staff = selectors.job_assignable(org=org)
    form = AssignForm(request.POST, staff=staff)
    if not form.is_valid():
        raise PorticoError(_("Choose a staff member of this organization who manages jobs."), code="invalid")
    assignee_id = form.cleaned_data["assignee"]
    assignee = User.objects.get(pk=assignee_id) if assignee_id else None
    actions.job_assign(job=job, actor=org_actor(request), assignee=assignee)
    if assignee is None:
        messages.success(request, _("Job %(label)s is assigned to nobody.") % {"label": job.label})
    else:
        messages.success(
            request, _("Job %(label)s assigned to %(name)s.") % {"label": job.label, "name": assignee.display_name}
        )
    return redirect("work_job_detail", org_slug=org.slug, job_id=job.pk)
