"""Forms of the booking pages: they check what was typed; the actions apply the rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portico.bookings.models import Weekday

TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class BookingSettingsForm(forms.Form):
    enabled = forms.BooleanField(label=_("Visitors can book online"), required=False)
    slot_minutes = forms.IntegerField(label=_("Slot length (minutes)"), min_value=10, max_value=480)
    min_notice_hours = forms.IntegerField(label=_("Minimum notice (hours)"), min_value=0, max_value=720)
    horizon_days = forms.IntegerField(label=_("How far ahead (days)"), min_value=1, max_value=365)


class _StaffChoice(forms.Form):
    def __init__(self, *args: Any, staff: list[Any] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if staff is None:
            del self.fields["user"]
        else:
            self.fields["user"].choices = [(u.pk, u.display_name) for u in staff]  # type: ignore[attr-defined]

    user = forms.TypedChoiceField(label=_("Staff member"), coerce=int)


class WindowForm(_StaffChoice):
    weekday = forms.TypedChoiceField(label=_("Day"), choices=Weekday.choices, coerce=int)
    start = forms.TimeField(label=_("From"), widget=TIME_INPUT)
    end = forms.TimeField(label=_("Until"), widget=TIME_INPUT)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("The end must be after the start."))
        return data


class TimeOffForm(_StaffChoice):
    """Times typed in the organization's time zone (the view validates under it)."""

    start = forms.DateTimeField(label=_("From"), widget=DATETIME_INPUT)
    end = forms.DateTimeField(label=_("Until"), widget=DATETIME_INPUT)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("The end must be after the start."))
        return data


class BookingForm(forms.Form):
    """The visitor's details. The slot (``start``, an ISO instant) and the person come from the
    slot picker; the honeypot and the form token are checked by leads.public first."""

    start = forms.CharField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.CharField(
        label=_("Email"), required=False, max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(
        label=_("Mobile"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    service = forms.ChoiceField(label=_("Service"), required=False)
    message = forms.CharField(
        label=_("Message"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, services: list[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("— choose —")), *((s, s) for s in services or [])]  # type: ignore[attr-defined]
        if not services:
            del self.fields["service"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("email") and not data.get("phone"):
            self.add_error("email", _("Enter an email address or a mobile number."))
        return data


def instant_parse(value: str) -> dt.datetime | None:
    """An ISO instant from the slot picker (``2026-12-10T15:00:00+00:00``); None when it is not one."""
    try:
        moment = dt.datetime.fromisoformat((value or "").strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
