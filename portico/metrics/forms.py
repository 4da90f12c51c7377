"""The metric form (the action checks the rules; the form only shapes the input)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portico.metrics.models import MetricKind


class MetricForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=MetricKind.choices)
    weight = forms.DecimalField(label=_("Weight"), min_value=Decimal("0.01"), max_digits=6, decimal_places=2, initial=1)
    scale_max = forms.DecimalField(
        label=_("Full marks at"),
        min_value=Decimal("0.01"),
        max_digits=10,
        decimal_places=2,
        initial=10,
        help_text=_(
            "Manual: values go from 0 to this. Computed: the value that scores full marks (e.g. 24 months, "
            "10 jobs, 3 documents; 1 for requests answered in time = all of them). Not used for a payment method."
        ),
    )
    hours_to_answer = forms.IntegerField(
        label=_("Answered in time within (hours)"),
        min_value=1,
        initial=24,
        required=False,
        help_text=_("Only for requests answered in time."),
    )
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def fields_for_action(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["hours_to_answer"] = data.get("hours_to_answer") or 24
        return data
