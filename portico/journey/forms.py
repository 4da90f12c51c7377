"""The journey's forms: its settings, the board's filters and the funnel's period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portico.journey.models import JourneySettings, reminder_offsets_parse
from portico.journey.selectors import SOURCES, BoardFilters
from portico.journey.steps import steps_optional


class JourneySettingsForm(forms.Form):
    optional_steps = forms.MultipleChoiceField(
        label=_("Steps after the portal account"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Without any, the journey ends when the client has created their account."),
    )
    create_job = forms.BooleanField(
        label=_("Create a job"), required=False, help_text=_("Create a job when a client completes onboarding")
    )
    stalled_after_days = forms.IntegerField(
        label=_("Stalled after (days without progress)"), min_value=1, max_value=365
    )
    reminders_enabled = forms.BooleanField(label=_("Send automatic reminders"), required=False)
    reminder_days = forms.CharField(
        label=_("Remind after (days in a step)"),
        required=False,
        max_length=60,
        help_text=_("Comma-separated days, e.g. 2, 5, 9."),
    )
    quiet_start = forms.TimeField(label=_("Quiet hours from"), widget=forms.TimeInput(attrs={"type": "time"}))
    quiet_end = forms.TimeField(label=_("Quiet hours until"), widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args: Any, current: JourneySettings, **kwargs: Any) -> None:
        initial = {
            "optional_steps": current.optional_steps,
            "create_job": current.create_job,
            "stalled_after_days": current.stalled_after_days,
            "reminders_enabled": current.reminders_enabled,
            "reminder_days": current.reminder_days,
            "quiet_start": current.quiet_start,
            "quiet_end": current.quiet_end,
        }
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.fields["optional_steps"].choices = [(s.key, s.label) for s in steps_optional()]  # type: ignore[attr-defined]

    def clean_reminder_days(self) -> str:
        value = self.cleaned_data["reminder_days"]
        try:
            return ", ".join(str(o) for o in reminder_offsets_parse(value))
        except ValueError:
            raise forms.ValidationError(_("Whole numbers from 1 to 365, separated by commas (e.g. 2, 5, 9).")) from None


class BoardFilterForm(forms.Form):
    navigator = forms.TypedChoiceField(label=_("Navigator"), required=False, coerce=int, empty_value=None)
    source = forms.ChoiceField(label=_("Source"), required=False)
    started_from = forms.DateField(
        label=_("Invited from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    started_to = forms.DateField(
        label=_("Invited until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, staff: tuple[tuple[int, str], ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["navigator"].choices = [("", _("Anyone")), *staff]  # type: ignore[attr-defined]
        self.fields["source"].choices = [("", _("Any source")), *SOURCES]  # type: ignore[attr-defined]

    def filters(self) -> BoardFilters:
        """The valid filters (an invalid field is left out, never widened to something else)."""
        data = self.cleaned_data if self.is_valid() else {}
        return BoardFilters(
            navigator=data.get("navigator"),
            source=data.get("source") or "",
            started_from=data.get("started_from"),
            started_to=data.get("started_to"),
        )


class FunnelForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"), required=False)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", _("Any source")), *SOURCES]  # type: ignore[attr-defined]

    def period(self) -> tuple[str, dt.date, dt.date]:
        """(source, first day, last day); by default the last 90 days."""
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or end - dt.timedelta(days=89)
        if start > end:
            start, end = end, start
        return data.get("source") or "", start, end
