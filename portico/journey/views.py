"""Staff pages of the onboarding journey: its settings, the board (a column per step, more of a
column by keyset), the one-tap reminder, and the funnel report (with CSV). Thin: validate, call
one action or selector, render."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from portico.clients.forms import choice_options
from portico.clients.reference import client_reference
from portico.journey import actions, selectors
from portico.journey.forms import BoardFilterForm, FunnelForm, JourneySettingsForm
from portico.journey.links import IdUrl
from portico.journey.selectors import SOURCES
from portico.journey.steps import step_get
from portico.orgs.context import org_actor, org_view
from portico.orgs.permissions import Permission


@org_view(Permission.ORG_SETTINGS)
def journey_settings(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    current = selectors.journey_settings_of(org=org)
    form = JourneySettingsForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        actions.journey_settings_save(org=org, actor=org_actor(request), **form.cleaned_data)
        messages.success(request, _("Onboarding journey saved."))
        return redirect("journey_settings", org_slug=org.slug)
    return render(request, "journey/settings.html", {"form": form, "current": current})


def _filters(request: HttpRequest) -> tuple[BoardFilterForm, selectors.BoardFilters]:
    staff = client_reference(org=request.org).staff  # type: ignore[attr-defined]
    form = BoardFilterForm(request.GET or None, staff=staff)
    return form, form.filters() if request.GET else selectors.BoardFilters()


def _filter_query(request: HttpRequest) -> str:
    keep = {
        k: str(v) for k, v in request.GET.items() if k in ("navigator", "source", "started_from", "started_to") and v
    }
    return urlencode(keep)


def _row_links(org: object, rows: list[Any]) -> None:
    """Each row's links and days in its step, worked out once for the page (a board shows many
    rows): one ``reverse()`` per link pattern, not per row."""
    client_url = IdUrl("client_detail", org.slug)  # type: ignore[attr-defined]
    remind_url = IdUrl("journey_remind", org.slug)  # type: ignore[attr-defined]
    now = timezone.now()
    for j in rows:
        j.client_url = client_url(j.client_id)
        j.remind_url = remind_url(j.pk)
        days = (now - j.step_entered_at).days
        j.days_text = ngettext("%(days)s day in this step", "%(days)s days in this step", days) % {"days": days}


@org_view(Permission.CLIENTS_VIEW)
def journey_board(request: HttpRequest) -> HttpResponse:
    """A column per step, longest waiting first; stalled clients highlighted."""
    org = request.org  # type: ignore[attr-defined]
    form, filters = _filters(request)
    board = selectors.journey_board(org=org, filters=filters)
    _row_links(org, [j for column in board.columns for j in column.page.rows])
    staff = client_reference(org=org).staff
    return render(
        request,
        "journey/board.html",
        {
            "form": form,
            "board": board,
            "filters": filters,
            "filter_query": _filter_query(request),
            "next_path": request.get_full_path(),
            # The filters' drop-downs without form widgets (a widget renders a template per option).
            "navigator_options": choice_options(staff, {filters.navigator}),
            "source_options": [(key, label, key == filters.source) for key, label in SOURCES],
        },
    )


@org_view(Permission.CLIENTS_VIEW)
def journey_column(request: HttpRequest) -> HttpResponse:
    """All of one column, a keyset page at a time (``?step=…&cursor=…`` and the board's filters)."""
    org = request.org  # type: ignore[attr-defined]
    step = step_get(request.GET.get("step", ""))
    if step is None:  # no column named: the board
        return redirect("journey_board", org_slug=org.slug)
    form, filters = _filters(request)
    page = selectors.journey_column_page(org=org, filters=filters, step=step.key, cursor=request.GET.get("cursor", ""))
    config = selectors.journey_settings_of(org=org)
    cutoff = timezone.now() - dt.timedelta(days=config.stalled_after_days)
    for j in page.rows:
        j.stalled = j.step_entered_at < cutoff  # type: ignore[attr-defined]
    _row_links(org, page.rows)
    return render(
        request,
        "journey/column.html",
        {
            "step": step,
            "page": page,
            "form": form,
            "filter_query": _filter_query(request),
            "next_path": request.get_full_path(),
        },
    )


@org_view(Permission.INVITATIONS_SEND)
@require_POST
def journey_remind(request: HttpRequest, journey_id: int) -> HttpResponse:
    """One tap: remind the client of the step they are at (a fresh link if theirs expired)."""
    org = request.org  # type: ignore[attr-defined]
    journey = selectors.journey_get(org=org, journey_id=journey_id)
    reminder = actions.journey_remind(journey=journey, actor=org_actor(request))
    if reminder.fresh_link:
        text = _("%(client)s's invitation had expired: a fresh link is on its way.")
    else:
        text = _("Reminder sent to %(client)s.")
    messages.success(request, text % {"client": journey.client.name})
    back = request.POST.get("next", "")
    if not back.startswith(reverse("journey_board", args=[org.slug])):
        back = reverse("journey_board", args=[org.slug])
    return redirect(back)


@org_view(Permission.CLIENTS_VIEW)
def funnel_report(request: HttpRequest) -> HttpResponse:
    """Conversion from first contact to each step, and the median time per step; CSV with ?format=csv."""
    org = request.org  # type: ignore[attr-defined]
    form = FunnelForm(request.GET or None)
    source, start, end = form.period()
    funnel = selectors.funnel_report(org=org, start=start, end=end, source=source)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="funnel-{org.slug}-{start}-{end}.csv"'
        writer = csv.writer(response)
        writer.writerow(["stage", "label", "count", "percent_of_first", "percent_of_previous", "median_hours"])
        for stage in funnel.stages:
            writer.writerow(
                [
                    stage.key,
                    stage.label,
                    stage.count,
                    stage.of_first,
                    stage.of_previous,
                    "" if stage.median_hours is None else stage.median_hours,
                ]
            )
        return response
    peak = max((s.count for s in funnel.stages), default=0) or 1
    return render(
        request,
        "journey/funnel.html",
        {"form": form, "funnel": funnel, "peak": peak, "query": _filter_query_funnel(request)},
    )


def _filter_query_funnel(request: HttpRequest) -> str:
    return urlencode({k: str(v) for k, v in request.GET.items() if k in ("source", "start", "end") and v})
