"""Forms of the job pages: the list's filters, a job by hand, its title and scope, the schedule
(a date and a time in the organization's time zone), cancelling (a reason), assigning."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portico.core.timezones import time_zone_get
from portico.work.actions import MAX_REASON, MAX_SCOPE, MAX_TITLE
from portico.work.models import JobState


class JobFilterForm(forms.Form):
    state = forms.ChoiceField(required=False, choices=[("", ""), *JobState.choices])
    assignee = forms.IntegerField(required=False, min_value=1)
    mine = forms.BooleanField(required=False)
    client = forms.IntegerField(required=False, min_value=1)


class JobForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    scope = forms.CharField(
        label=_("Scope of work"), required=False, max_length=MAX_SCOPE, widget=forms.Textarea(attrs={"rows": 5})
    )


class JobNewForm(JobForm):
    total = forms.DecimalField(
        label=_("Total"), required=False, min_value=0, max_digits=15, decimal_places=3, help_text=_("Optional.")
    )


class ScheduleForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}))

    def scheduled_for(self, time_zone: str) -> dt.datetime:
        """The date and time as the organization's local time."""
        data = self.cleaned_data
        return dt.datetime.combine(data["day"], data["time"], tzinfo=time_zone_get(time_zone))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(label=_("Assigned to"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, staff: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Nobody")), *staff]  # type: ignore[attr-defined]
