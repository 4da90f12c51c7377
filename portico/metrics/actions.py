"""Every change to the metrics catalog and to customers' scores: create, change and delete a
metric; enter a customer's manual values; "Update score" on one customer (Python, scoring.py);
"Update Clients' scores" for all of them is the bulk job in bulk.py. Each writes its audit row."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from portico.audit.actions import audit_record
from portico.audit.decorators import action
from portico.audit.models import AuditAction
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.customers.models import Customer, CustomerScore
from portico.customers.rules import customer_editable_check
from portico.jobs.models import Job, JobState
from portico.jobs.runner import job_start
from portico.metrics.bulk import KIND
from portico.metrics.models import ManualValue, Metric, MetricKind, ScoreEntry
from portico.metrics.scoring import Spec, breakdown_for, scoreable, specs_for
from portico.orgs.models import Organization

MAX_WEIGHT = Decimal("9999.99")
MAX_SCALE = Decimal("99999999.99")
MAX_HOURS = 24 * 365
FIELDS = ("name", "kind", "weight", "scale_max", "hours_to_answer", "active")


def _decimal(value: Any, field: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise PorticoError(
            _("%(label)s must be a number.") % {"label": label}, code="invalid", extra={"field": field}
        ) from None
    if not number.is_finite():
        raise PorticoError(_("%(label)s must be a number.") % {"label": label}, code="invalid", extra={"field": field})
    return number


def _clean(org: Organization, fields: dict[str, Any], metric: Metric | None = None) -> dict[str, Any]:
    name = str(fields.get("name", "")).strip()[:120]
    if not name:
        raise PorticoError(_("Give the metric a name."), code="invalid", extra={"field": "name"})
    same = Metric.objects.annotate(lname=Lower("name")).filter(org=org, lname=name.lower())
    if metric is not None:
        same = same.exclude(pk=metric.pk)
    if same.exists():
        raise PorticoError(
            _("There is already a metric called “%(name)s”.") % {"name": name},
            code="duplicate",
            extra={"field": "name"},
        )
    kind = str(fields.get("kind", MetricKind.MANUAL))
    if kind not in MetricKind.values:
        raise PorticoError(_("Choose a kind of metric."), code="invalid", extra={"field": "kind"})
    weight = _decimal(fields.get("weight", "1"), "weight", _("The weight"))
    if not Decimal("0") < weight <= MAX_WEIGHT:
        raise PorticoError(
            _("The weight must be more than 0 and at most %(max)s.") % {"max": MAX_WEIGHT},
            code="invalid",
            extra={"field": "weight"},
        )
    scale_max = (
        Decimal(1)
        if kind == MetricKind.PAYMENT_METHOD
        else _decimal(fields.get("scale_max", "10"), "scale_max", _("Full marks at"))
    )
    if not Decimal("0") < scale_max <= MAX_SCALE:
        raise PorticoError(_("“Full marks at” must be more than 0."), code="invalid", extra={"field": "scale_max"})
    try:
        hours_in = fields.get("hours_to_answer")
        hours = 24 if hours_in is None or str(hours_in).strip() == "" else int(hours_in)
    except (TypeError, ValueError):
        raise PorticoError(
            _("Give the hours as a whole number."), code="invalid", extra={"field": "hours_to_answer"}
        ) from None
    if not 1 <= hours <= MAX_HOURS:
        raise PorticoError(
            _("Give between 1 and %(max)s hours.") % {"max": MAX_HOURS},
            code="invalid",
            extra={"field": "hours_to_answer"},
        )
    return {
        "name": name,
        "kind": kind,
        "weight": weight.quantize(Decimal("0.01")),
        "scale_max": scale_max.quantize(Decimal("0.01")),
        "hours_to_answer": hours,
        "active": bool(fields.get("active", True)),
    }


def _snapshot(metric: Metric) -> dict[str, Any]:
    return {name: str(getattr(metric, name)) for name in FIELDS}


@action
def metric_create(*, org: Organization, actor: Actor, **fields: Any) -> Metric:
    """A new metric at the end of the catalog. Name unique in the organization (any case), weight
    more than 0; ``scale_max`` is "full marks at" (1 for a payment method)."""
    clean = _clean(org, fields)
    position = (Metric.objects.filter(org=org).aggregate(m=Max("position"))["m"] or 0) + 1
    try:
        with transaction.atomic():
            metric = Metric.objects.create(org=org, position=position, **clean)
    except IntegrityError:  # the same name, saved meanwhile
        raise PorticoError(
            _("There is already a metric with that name."), code="duplicate", extra={"field": "name"}
        ) from None
    audit_record(org=org, actor=actor, action=AuditAction.METRIC_CREATED, target=metric, detail=_snapshot(metric))
    return metric


@action
def metric_update(*, metric: Metric, actor: Actor, **fields: Any) -> Metric:
    """Change a metric. Scores already computed keep the weights they were computed with (in
    their breakdown); the next calculation uses the new ones."""
    metric = Metric.objects.select_for_update().get(pk=metric.pk)
    before = _snapshot(metric)
    clean = _clean(metric.org, {**_snapshot(metric), "active": metric.active, **fields}, metric)
    for name, value in clean.items():
        setattr(metric, name, value)
    try:
        with transaction.atomic():
            metric.save(update_fields=list(clean))
    except IntegrityError:
        raise PorticoError(
            _("There is already a metric with that name."), code="duplicate", extra={"field": "name"}
        ) from None
    after = _snapshot(metric)
    changed = {k: [before[k], after[k]] for k in FIELDS if before[k] != after[k]}
    audit_record(org=metric.org_id, actor=actor, action=AuditAction.METRIC_CHANGED, target=metric, detail=changed)
    return metric


@action
def metric_delete(*, metric: Metric, actor: Actor) -> None:
    """Delete a metric and its manual values. Computed scores keep it in their breakdown."""
    values = ManualValue.objects.filter(metric=metric).count()
    audit_record(
        org=metric.org_id,
        actor=actor,
        action=AuditAction.METRIC_DELETED,
        target=metric,
        detail={**_snapshot(metric), "manual_values": values},
    )
    metric.delete()


@action
def metric_values_set(*, customer: Customer, actor: Actor, values: dict[int, Any]) -> list[ManualValue]:
    """Enter a customer's values of manual metrics: ``values`` maps a metric id to a value from 0
    to the metric's full marks, or None/"" to clear it. Refused for an inactive customer."""
    customer_editable_check(customer)
    metrics = {
        m.pk: m for m in Metric.objects.filter(org_id=customer.org_id, kind=MetricKind.MANUAL, pk__in=list(values))
    }
    now = timezone.now()
    saved: list[ManualValue] = []
    changes: dict[str, str | None] = {}
    for metric_id, raw in values.items():
        metric = metrics.get(int(metric_id))
        if metric is None:
            raise PorticoError(
                _("Choose a manual metric of this organization."), code="invalid", extra={"field": "metric"}
            )
        if raw is None or str(raw).strip() == "":
            deleted, _by_model = ManualValue.objects.filter(metric=metric, customer=customer).delete()
            if deleted:
                changes[metric.name] = None
            continue
        value = _decimal(raw, f"metric_{metric.pk}", metric.name)
        if not Decimal(0) <= value <= metric.scale_max:
            raise PorticoError(
                _("%(name)s: give a value from 0 to %(max)s.") % {"name": metric.name, "max": metric.scale_max},
                code="invalid",
                extra={"field": f"metric_{metric.pk}"},
            )
        row, _created = ManualValue.objects.update_or_create(
            metric=metric,
            customer=customer,
            defaults={"value": value.quantize(Decimal("0.01")), "updated_at": now, "updated_by": actor.user},
        )
        saved.append(row)
        changes[metric.name] = str(row.value)
    if changes:
        audit_record(
            org=customer.org_id,
            actor=actor,
            action=AuditAction.METRIC_VALUE_SET,
            target=customer.client,
            detail={"values": changes},
        )
    return saved


@action
def customer_score_update(*, customer: Customer, actor: Actor) -> ScoreEntry:
    """ "Update score" on one customer: compute it now (Python, the same rules as the bulk job's
    SQL), keep it in the history with its breakdown and show it on the customer. Refused for an
    inactive customer ("Reactivate the customer first") and when the catalog is empty."""
    # The lock covers the customer and its client (not the nullable side: its current score).
    customer = (
        Customer.objects.select_for_update(of=("self", "client"))
        .select_related("client", "current_score")
        .get(pk=customer.pk)
    )
    customer_editable_check(customer)
    specs = specs_for(customer.org_id)
    now = timezone.now()
    score, breakdown = breakdown_for(customer, specs, now=now)
    entry = ScoreEntry.objects.create(
        org_id=customer.org_id, customer=customer, score=score, breakdown=breakdown, computed_at=now
    )
    current = customer.score_row
    previous = None if current is None else current.score
    if current is None:
        current = CustomerScore(customer=customer, org_id=customer.org_id, score=score, scored_at=now)
        current.save(force_insert=True)
    else:
        current.score, current.scored_at = score, now
        current.save(update_fields=["score", "scored_at"])
    customer.current_score = current
    audit_record(
        org=customer.org_id,
        actor=actor,
        action=AuditAction.CUSTOMER_SCORED,
        target=customer.client,
        detail={"score": str(score), "previous": None if previous is None else str(previous), "entry": entry.pk},
    )
    return entry


@action(tx="own", audited=False, why="the job writes its summary audit row (scores.recalculated) when it ends")
def scores_recalculate_start(*, org: Organization, actor: Actor) -> Job:
    """Score every customer that is not inactive. Refused when the catalog has no metric in use,
    and while another update of every score is still running."""
    specs = specs_for(org)
    if Job.objects.filter(org=org, kind=KIND, state__in=[JobState.QUEUED, JobState.RUNNING]).exists():
        raise PorticoError(_("The scores are being updated already; wait for it to finish."), code="job_running")
    now = timezone.now()
    params = {"metrics": Spec.to_params(specs), "now": now.isoformat()}
    return job_start(org=org, kind=KIND, actor=actor, params=params, total=scoreable(org).count())
