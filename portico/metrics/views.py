"""The metrics catalog (metrics.manage): list with each weight's share, create, edit, delete
(confirmation), "Update Clients' scores" with its progress; and on a customer: "Update score",
the score panel (score or "–", history with the breakdown, manual values) and its form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portico.core.errors import PorticoError
from portico.customers.models import Customer
from portico.customers.selectors import customer_get
from portico.metrics import actions, selectors
from portico.metrics.forms import MetricForm
from portico.metrics.models import Metric
from portico.metrics.scoring import entry_rows
from portico.orgs.context import org_actor, org_view
from portico.orgs.permissions import Permission


@org_view(Permission.METRICS_MANAGE)
def metric_list(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    return render(
        request,
        "metrics/list.html",
        {"metrics": selectors.metric_list(org=org), "job": selectors.scores_job_latest(org=org)},
    )


def _form_page(request: HttpRequest, metric: Metric | None) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    initial = (
        {f: getattr(metric, f) for f in ("name", "kind", "weight", "scale_max", "hours_to_answer", "active")}
        if metric
        else None
    )
    form = MetricForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if metric is None:
                metric = actions.metric_create(org=org, actor=org_actor(request), **form.fields_for_action())
                messages.success(request, _("Metric “%(name)s” added.") % {"name": metric.name})
            else:
                actions.metric_update(metric=metric, actor=org_actor(request), **form.fields_for_action())
                messages.success(request, _("Metric “%(name)s” saved.") % {"name": form.cleaned_data["name"]})
            return redirect("metric_list", org_slug=org.slug)
        except PorticoError as exc:
            field = exc.extra.get("field")
            form.add_error(field if field in form.fields else None, str(exc.message))
    return render(request, "metrics/form.html", {"form": form, "metric": metric}, status=422 if form.errors else 200)


@org_view(Permission.METRICS_MANAGE)
def metric_new(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@org_view(Permission.METRICS_MANAGE)
def metric_edit(request: HttpRequest, metric_id: int) -> HttpResponse:
    return _form_page(request, selectors.metric_get(org=request.org, metric_id=metric_id))  # type: ignore[attr-defined]


@org_view(Permission.METRICS_MANAGE)
def metric_delete(request: HttpRequest, metric_id: int) -> HttpResponse:
    """GET asks; POST deletes (computed scores keep it in their breakdown)."""
    org = request.org  # type: ignore[attr-defined]
    metric = selectors.metric_get(org=org, metric_id=metric_id)
    if request.method == "POST":
        actions.metric_delete(metric=metric, actor=org_actor(request))
        messages.success(request, _("Metric “%(name)s” deleted.") % {"name": metric.name})
        return redirect("metric_list", org_slug=org.slug)
    return render(request, "metrics/delete.html", {"metric": metric, "values": metric.values.count()})


@require_POST
@org_view(Permission.METRICS_MANAGE)
def scores_recalculate(request: HttpRequest) -> HttpResponse:
    """Start "Update Clients' scores": small organizations are done at once, larger ones show the
    job's progress on the catalog page."""
    org = request.org  # type: ignore[attr-defined]
    job = actions.scores_recalculate_start(org=org, actor=org_actor(request))
    if job.finished:
        messages.success(request, _("Scores updated: %(n)s customers.") % {"n": job.count("scored")})
    else:
        messages.info(request, _("Updating every customer's score; the progress is below."))
    return redirect("metric_list", org_slug=org.slug)


# --- on a customer ---


def _back(request: HttpRequest, customer: Customer) -> str:
    """Where the user came from (the customers table or the customer's page)."""
    for candidate in (request.POST.get("next", ""), request.headers.get("referer", "")):
        if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
            return candidate
    return reverse("customer_detail", args=[customer.org.slug, customer.pk])


def _panel(request: HttpRequest, customer: Customer, **more: Any) -> HttpResponse:
    ctx = request.org_ctx  # type: ignore[attr-defined]
    context = {
        "customer": customer,
        "history": [(entry, entry_rows(entry)) for entry in selectors.score_history(customer=customer)],
        "manual": selectors.manual_values(customer=customer) if ctx.has(Permission.CUSTOMERS_MANAGE) else [],
        "can_manage": ctx.has(Permission.CUSTOMERS_MANAGE),
        **more,
    }
    return render(request, "metrics/_score_panel.html", context)


@org_view(Permission.CUSTOMERS_VIEW)
def customer_score_panel(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The partial the customer's page loads: the score ("–" until computed), when, the history
    with the breakdown, and (customers.manage) the manual values form."""
    return _panel(request, customer_get(org=request.org, customer_id=customer_id))  # type: ignore[attr-defined]


@require_POST
@org_view(Permission.CUSTOMERS_MANAGE)
def customer_score_update(request: HttpRequest, customer_id: int) -> HttpResponse:
    """ "Update score" (refused for an inactive customer). With htmx: the panel again."""
    customer = customer_get(org=request.org, customer_id=customer_id)  # type: ignore[attr-defined]
    entry = actions.customer_score_update(customer=customer, actor=org_actor(request))
    message = _("Score updated: %(score)s.") % {"score": entry.score}
    if request.htmx:  # type: ignore[attr-defined]
        customer.refresh_from_db()
        return _panel(request, customer, notice=message)
    messages.success(request, message)
    return redirect(_back(request, customer))


@require_POST
@org_view(Permission.CUSTOMERS_MANAGE)
def customer_metric_values(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The manual values form: one ``metric_<id>`` field per manual metric (empty clears it)."""
    customer = customer_get(org=request.org, customer_id=customer_id)  # type: ignore[attr-defined]
    values = {
        int(key.removeprefix("metric_")): value
        for key, value in request.POST.items()
        if key.startswith("metric_") and key.removeprefix("metric_").isdigit()
    }
    actions.metric_values_set(customer=customer, actor=org_actor(request), values=values)
    message = _("Values saved. Update the score to use them.")
    if request.htmx:  # type: ignore[attr-defined]
        return _panel(request, customer, notice=message)
    messages.success(request, message)
    return redirect(_back(request, customer))
