"""Background jobs: bulk work over many client records (group changes, portal invitations, and
later imports, exports and score recalculations), run by one mechanism (runner.py) with progress
the job page polls. What a job does is its kind's (kinds.py); the lifecycle is the same for all."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portico.audit.transitions import StateMachine


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


JOB_TRANSITIONS: dict[str, dict[str, str]] = {
    JobState.QUEUED: {"start": JobState.RUNNING},
    JobState.RUNNING: {"finish": JobState.DONE, "fail": JobState.FAILED, "requeue": JobState.QUEUED},
}
JOB_MACHINE = StateMachine(
    "Background job",
    JobState,
    JOB_TRANSITIONS,
    "Bulk work run by the worker in chunks, one transaction each, with progress on the job row. "
    "A job whose worker died (no heartbeat for 10 minutes) is queued again by the sweep and goes "
    "on after the last chunk it committed.",
    noun=_("job"),
    field="state",
    key="job",
    tones={JobState.QUEUED: "warn", JobState.RUNNING: "warn", JobState.DONE: "ok", JobState.FAILED: "bad"},
    history="Progress is on the job row; when it ends, its kind writes one summary audit row "
    "(e.g. group.bulk_changed, invitation.bulk_sent) with the counts, and the error if it failed.",
)


class Job(models.Model):
    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=64)  # a registered JobKind's name, e.g. "groups.bulk_change"
    params = models.JSONField(default=dict, blank=True)  # what the kind needs: ids or a filter, ...
    state = models.CharField(max_length=8, choices=JobState.choices, default=JobState.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)  # the kind's outcome counters
    # The last id done: each chunk commits it with its work, so a restarted job goes on from here.
    cursor = models.BigIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # touched after each chunk
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["org", "kind", "-created_at"], name="job_org_kind_created"),
            models.Index(fields=["heartbeat_at"], name="job_running", condition=models.Q(state="running")),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}: {self.processed}/{self.total}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.processed / self.total))

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)

    def count(self, name: str) -> int:
        return int(self.counts.get(name, 0))
