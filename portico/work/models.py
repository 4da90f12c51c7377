"""Jobs: the work a client signed up for (PRODUCT.md: "the work created automatically when
onboarding completes"). The bulk-work runner is a different thing and keeps its own name
(``portico.jobs``); see docs/decisions.md.

A job is created exactly once per client onboarding, when the last step of the organization's
journey completes, whichever fact arrives last (the signature or the payment webhook), even if
both arrive at once: the journey row is locked while the progress is derived, and a partial
unique constraint (one onboarding job per client) backs it. Staff can also create jobs by hand.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portico.audit.models import AuditAction
from portico.audit.transitions import StateMachine


class JobState(models.TextChoices):
    NEW = "new", pgettext_lazy("job state", "New")
    SCHEDULED = "scheduled", pgettext_lazy("job state", "Scheduled")
    IN_PROGRESS = "in_progress", pgettext_lazy("job state", "In progress")
    COMPLETED = "completed", pgettext_lazy("job state", "Completed")
    CANCELLED = "cancelled", pgettext_lazy("job state", "Cancelled")


JOB_TRANSITIONS: dict[str, dict[str, str]] = {
    JobState.NEW: {"schedule": JobState.SCHEDULED, "start": JobState.IN_PROGRESS, "cancel": JobState.CANCELLED},
    JobState.SCHEDULED: {
        "unschedule": JobState.NEW,
        "start": JobState.IN_PROGRESS,
        "cancel": JobState.CANCELLED,
    },
    JobState.IN_PROGRESS: {"complete": JobState.COMPLETED, "cancel": JobState.CANCELLED},
}
JOB_MACHINE = StateMachine(
    "Job",
    JobState,
    JOB_TRANSITIONS,
    "Created when a client's onboarding completes (or by staff); scheduled for a date, started, and "
    "completed, or cancelled with a reason at any point before completion.",
    noun=_("job"),
    verbs={
        "schedule": _("schedule"),
        "unschedule": _("unschedule"),
        "start": _("start"),
        "complete": _("complete"),
        "cancel": _("cancel"),
    },
    audit=AuditAction.JOB_STATE_CHANGED,
    key="work_job",
    field="state",
    tones={
        JobState.SCHEDULED: "warn",
        JobState.IN_PROGRESS: "warn",
        JobState.COMPLETED: "ok",
        JobState.CANCELLED: "bad",
    },
)


class JobOrigin(models.TextChoices):
    ONBOARDING = "onboarding", _("Onboarding completed")
    STAFF = "staff", _("Created by staff")


class Job(models.Model):
    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="work_jobs")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="work_jobs")
    number = models.PositiveIntegerField(help_text="Per organization.")
    origin = models.CharField(max_length=16, choices=JobOrigin.choices)
    title = models.CharField(_("title"), max_length=200)
    scope = models.TextField(_("scope of work"), blank=True)  # from the approved estimate
    total = models.DecimalField(max_digits=18, decimal_places=3, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    estimate = models.ForeignKey(
        "estimates.Estimate", on_delete=models.SET_NULL, null=True, blank=True, related_name="work_jobs"
    )
    agreement = models.ForeignKey(
        "agreements.Agreement", on_delete=models.SET_NULL, null=True, blank=True, related_name="work_jobs"
    )
    payment_method = models.ForeignKey(
        "payments.PaymentMethod", on_delete=models.SET_NULL, null=True, blank=True, related_name="work_jobs"
    )
    state = models.CharField(max_length=12, choices=JobState.choices, default=JobState.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned_jobs"
    )
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="work_job_number_unique"),
            # Exactly one job per client onboarding, whatever the race.
            models.UniqueConstraint(
                fields=["client"], name="work_job_one_per_onboarding", condition=models.Q(origin="onboarding")
            ),
        ]
        indexes = [
            models.Index(fields=["org", "-created_at", "-id"], name="work_job_org_created"),
            models.Index(fields=["org", "state", "-created_at", "-id"], name="work_job_org_state"),
            models.Index(fields=["org", "assignee", "state"], name="work_job_org_assignee"),
            models.Index(fields=["client", "-created_at"], name="work_job_client"),
        ]

    def __str__(self) -> str:
        return f"J-{self.number}"

    @property
    def label(self) -> str:
        return f"J-{self.number}"


class JobCounter(models.Model):
    """The organization's last job number, taken FOR UPDATE inside the creating transaction."""

    org = models.OneToOneField("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.org_id}: {self.last_number}"
