"""The onboarding journey (seed 003 and the journey axis of PRODUCT.md).

A client's journey starts when its first portal invitation is sent. Its steps are frozen then
(the organization's steps, the estimate step only if an estimate was attached before the
invitation) and its progress is *derived from facts* (invitations, the portal account, approved
estimates, …) by ``actions.journey_refresh``: nobody types a step in. The ``Journey`` row is a
stored copy of that derivation, for the board, the reminders and the funnel; a test proves it
always equals a recomputation. The steps themselves are a registry (``steps.py``): part 2 of the
onboarding adds the agreement and payment-method steps; completing the journey creates the job.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

COMPLETE = "complete"  # ``Journey.current_step`` once every step is done
DIRECT = "direct"  # ``Journey.source`` of a client that did not come from a lead


def default_optional_steps() -> list[str]:
    """A new organization's journey: account, then estimate approval, the service agreement and
    the payment method, each for the clients it applies to (see steps.py)."""
    return ["estimate", "agreement", "payment"]


class JourneySettings(models.Model):
    """One per organization (made on first save; until then the defaults below apply)."""

    org = models.OneToOneField("orgs.Organization", on_delete=models.CASCADE, related_name="journey_settings")
    # The optional steps the journey has (keys of steps.py). Empty: "account only".
    optional_steps = models.JSONField(_("optional steps"), default=default_optional_steps, blank=True)
    stalled_after_days = models.PositiveSmallIntegerField(_("stalled after (days)"), default=5)
    reminder_days = models.CharField(
        _("automatic reminders (days after entering a step)"),
        max_length=60,
        default="2, 5, 9",
        blank=True,
        help_text=_("Comma-separated days, e.g. 2, 5, 9. Empty: no automatic reminders."),
    )
    reminders_enabled = models.BooleanField(_("send automatic reminders"), default=True)
    quiet_start = models.TimeField(_("quiet hours start"), default=dt.time(20, 0))
    quiet_end = models.TimeField(_("quiet hours end"), default=dt.time(8, 0))
    create_job = models.BooleanField(
        _("create a job"), default=True, help_text=_("Create a job when a client completes onboarding")
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"journey settings of {self.org_id}"

    @property
    def reminder_offsets(self) -> list[int]:
        return reminder_offsets_parse(self.reminder_days)


def reminder_offsets_parse(text: str) -> list[int]:
    """ "2, 5, 9" → [2, 5, 9] (sorted, unique, 1–365); raises ValueError on anything else."""
    values = set()
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        value = int(part)
        if not 1 <= value <= 365:
            raise ValueError(part)
        values.add(value)
    return sorted(values)


class Journey(models.Model):
    """One client's onboarding progress, derived from facts (see the module docstring)."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="journeys")
    client = models.OneToOneField("clients.Client", on_delete=models.CASCADE, related_name="journey")
    steps = models.JSONField(default=list)  # the step keys, in order, frozen when the journey started
    started_at = models.DateTimeField()  # the first invitation
    current_step = models.CharField(max_length=32)  # a step key, or COMPLETE
    step_entered_at = models.DateTimeField()  # when the current step became current (the last progress)
    reached = models.JSONField(default=dict)  # {step key: ISO time it was done}
    completed_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=16, default=DIRECT)  # the lead's source, or "direct"
    lead_created_at = models.DateTimeField(null=True, blank=True)  # the lead it came from (the funnel)
    # The record was closed or deleted: off the board, no reminders (until it is live again).
    stopped_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # The board: each column, longest waiting first; the reminders sweep: due entries.
            models.Index(
                fields=["org", "current_step", "step_entered_at", "id"],
                name="journey_board",
                condition=models.Q(stopped_at=None),
            ),
            # The funnel: journeys started in a period.
            models.Index(fields=["org", "started_at"], name="journey_org_started"),
        ]

    def __str__(self) -> str:
        return f"journey of client {self.client_id}: {self.current_step}"

    @property
    def is_complete(self) -> bool:
        return self.current_step == COMPLETE


class ReminderKind(models.TextChoices):
    AUTOMATIC = "auto", _("Automatic")
    MANUAL = "manual", _("Sent by staff")


class JourneyReminder(models.Model):
    """A reminder sent to a client about the step they are at. At most one per journey, step and
    (client's local) day, and each scheduled offset at most once per step: database constraints,
    so two sweeps (or a sweep and a tap) can never both send."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="reminders")
    step = models.CharField(max_length=32)
    kind = models.CharField(max_length=8, choices=ReminderKind.choices)
    offset_days = models.PositiveSmallIntegerField(null=True, blank=True)  # automatic: the schedule's day
    day = models.DateField()  # the client's local date when it was sent
    channel = models.CharField(max_length=8, blank=True)
    message = models.ForeignKey(
        "outbox.OutboxMessage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    fresh_link = models.BooleanField(default=False)  # an expired invitation was sent again
    sent_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint("journey", "step", "day", name="journey_reminder_once_a_day"),
            models.UniqueConstraint(
                "journey",
                "step",
                "offset_days",
                name="journey_reminder_once_per_offset",
                condition=models.Q(offset_days__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["journey", "-created_at"], name="journey_reminder_recent")]

    def __str__(self) -> str:
        return f"{self.kind} reminder for journey {self.journey_id} at {self.step}"
