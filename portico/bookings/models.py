"""Bookings: the public booking widget. Staff keep weekly availability (windows in the
organization's time zone) and time off; visitors book a free slot; each booking is a lead too.

Two people never hold the same slot: a partial unique index on (staff, start) among live bookings
(every database), and on PostgreSQL an exclusion constraint that also refuses overlapping
bookings of different lengths (migration 0002, btree_gist)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portico.audit.models import AuditAction
from portico.audit.transitions import StateMachine


class BookingSettings(models.Model):
    """One per organization, made the first time an admin saves the booking settings; until then
    the defaults below apply and booking is off."""

    org = models.OneToOneField("orgs.Organization", on_delete=models.CASCADE, related_name="booking_settings")
    enabled = models.BooleanField(_("visitors can book"), default=False)
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot length (minutes)"), default=30, validators=[MinValueValidator(10), MaxValueValidator(480)]
    )
    min_notice_hours = models.PositiveSmallIntegerField(
        _("minimum notice (hours)"), default=12, validators=[MaxValueValidator(24 * 30)]
    )
    horizon_days = models.PositiveSmallIntegerField(
        _("how far ahead (days)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"booking settings of {self.org_id}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class AvailabilityWindow(models.Model):
    """A staff member can be booked every ``weekday`` from ``start`` to ``end`` (wall-clock times in
    the organization's time zone, so 9:00 stays 9:00 across daylight-saving changes)."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="availability_windows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability_windows")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        ordering = ["weekday", "start"]
        indexes = [models.Index(fields=["org", "user", "weekday"], name="availability_org_user_day")]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="window_end_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class TimeOff(models.Model):
    """An exception: the staff member cannot be booked from ``start`` to ``end`` (instants)."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="time_off")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="time_off")
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["start"]
        indexes = [models.Index(fields=["org", "user", "end"], name="time_off_org_user_end")]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="time_off_end_after_start")
        ]

    def __str__(self) -> str:
        return f"time off {self.start:%Y-%m-%d %H:%M}–{self.end:%Y-%m-%d %H:%M}"


class BookingState(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")


BOOKING_TRANSITIONS: dict[str, dict[str, str]] = {
    BookingState.BOOKED: {"cancel": BookingState.CANCELLED, "reschedule": BookingState.CANCELLED},
}
BOOKING_MACHINE = StateMachine(
    "Booking",
    BookingState,
    BOOKING_TRANSITIONS,
    "A time a visitor booked with a staff member through the booking widget. The booker (by the "
    "link in their confirmation) or staff cancel it; rescheduling cancels it and books the new time "
    "as a new booking linked by rescheduled_from, in one transaction.",
    noun=_("booking"),
    verbs={"cancel": _("cancel"), "reschedule": _("reschedule")},
    audit={"cancel": AuditAction.BOOKING_CANCELLED, "reschedule": AuditAction.BOOKING_RESCHEDULED},
    key="booking",
    field="state",
    tones={BookingState.BOOKED: "ok", BookingState.CANCELLED: "bad"},
)


class Booking(models.Model):
    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="bookings")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    state = models.CharField(max_length=16, choices=BookingState.choices, default=BookingState.BOOKED)
    rescheduled_from = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="rescheduled_to"
    )
    lead = models.ForeignKey("leads.Lead", on_delete=models.SET_NULL, null=True, blank=True, related_name="bookings")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("mobile"), max_length=20, blank=True)
    service = models.CharField(_("service"), max_length=200, blank=True)
    message = models.TextField(_("message"), blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    # The cancel/reschedule link's SHA-256 (core/tokens.py). A reschedule moves it to the new booking.
    token_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    # Not stored: set when the booker's confirmation was not sent (actions._booker_may_hear).
    confirmation_withheld: bool = False

    class Meta:
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["org", "start", "id"], name="booking_org_start"),
            models.Index(fields=["org", "staff", "start", "id"], name="booking_org_staff_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="booking_end_after_start"),
            # The race guard: of all concurrent inserts for one person's slot, one commits.
            models.UniqueConstraint(
                fields=["staff", "start"], condition=models.Q(state="booked"), name="booking_one_per_slot"
            ),
        ]

    def __str__(self) -> str:
        return f"booking {self.pk}: {self.name} at {self.start:%Y-%m-%d %H:%M}"
