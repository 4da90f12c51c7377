"""The organization's metrics catalog and each active customer's score (seed 002).

A metric has a name, a weight and a kind: a manual value entered per customer on a scale
(0..``scale_max``), or a value computed from Portico's own data. Each kind turns its raw value
into 0..1 (``target``: the raw value that counts as full marks); a customer's score is
100 × Σ(weight × normalized) / Σ(weight) over the organization's active metrics, to two
decimals. Every calculation writes one history row per customer with its breakdown per metric;
the customer's ``score`` repeats the newest one. Inactive customers are never scored.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MetricKind(models.TextChoices):
    MANUAL = "manual", _("Entered by hand on a scale")
    TENURE = "tenure", _("Tenure (months as a customer)")
    JOBS = "jobs", _("Number of jobs")
    PAYMENT_METHOD = "payment_method", _("Payment method on file")
    REQUESTS_ON_TIME = "requests_on_time", _("Requests answered in time (share)")
    VALID_DOCUMENTS = "valid_documents", _("Valid compliance documents")


class Metric(models.Model):
    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="metrics")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=MetricKind.choices, default=MetricKind.MANUAL)
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    # MANUAL: values are entered from 0 to scale_max. Computed kinds: the raw value that scores full marks
    # (e.g. 24 months, 10 jobs, 3 documents, 1 = a payment method / every request answered in time).
    scale_max = models.DecimalField(
        _("full marks at"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("10"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    # REQUESTS_ON_TIME: an answer within this many hours counts as in time.
    hours_to_answer = models.PositiveIntegerField(_("answered in time within (hours)"), default=24)
    active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint("org", models.functions.Lower("name"), name="metric_name_unique_per_org"),
        ]
        indexes = [models.Index(fields=["org", "active", "position"], name="metric_org_active")]

    def __str__(self) -> str:
        return self.name


class ManualValue(models.Model):
    """The value of a manual metric for one customer (0..scale_max)."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="values")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="metric_values")
    value = models.DecimalField(max_digits=10, decimal_places=2)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "metric"], name="manual_value_unique")]
        indexes = [models.Index(fields=["metric"], name="manual_value_metric")]

    def __str__(self) -> str:
        return f"{self.metric_id}={self.value}"


class ScoreEntry(models.Model):
    """One calculation of one customer's score: the score and, per metric, the raw value, the
    normalized value and the weight it was computed with (``breakdown``)."""

    # No index of their own (nor the job's): the bulk job inserts a row per customer and each index
    # costs it; score_entry_customer starts with the customer; rows are never read by organization.
    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+", db_index=False)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="score_history", db_index=False
    )
    score = models.DecimalField(max_digits=5, decimal_places=2)
    breakdown = models.JSONField(default=list)
    # The bulk job that computed it (None: "Update score" on one customer). Not indexed (jobs are
    # never deleted, and nothing reads entries by job): one index less per row the bulk job inserts.
    job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["customer", "-computed_at", "-id"], name="score_entry_customer")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.score}"
