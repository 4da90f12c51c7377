"""Forms of the estimate pages: the draft (its line rows come as parallel lists, one input of each
name per row, so rows can be added and removed in the page), the list filter, and the client's
decline and question forms in the portal. The limits are the actions'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from portico.estimates.actions import MAX_LINES
from portico.estimates.lines import LINE_FIELDS, LineInput, line_inputs
from portico.estimates.models import DiscountKind, EstimateState
from portico.requests.actions import MAX_BODY
from portico.requests.forms import AttachmentsField


class EstimateFilterForm(forms.Form):
    state = forms.ChoiceField(required=False, choices=[("", ""), *EstimateState.choices])
    client = forms.IntegerField(required=False, min_value=1)
    lead = forms.IntegerField(required=False, min_value=1)


class EstimateForm(forms.Form):
    scope = forms.CharField(
        label=_("Scope of work"), required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 5})
    )
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    discount_kind = forms.ChoiceField(label=_("Discount"), required=False, choices=DiscountKind.choices)
    discount_value = forms.DecimalField(
        label=_("Discount value"), required=False, min_value=0, max_digits=14, decimal_places=3
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    attachments = AttachmentsField(label=_("Attachments"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines: list[dict[str, str]] = []
        data = self.data if isinstance(self.data, QueryDict) else None
        if data is not None:
            rows = [data.getlist(name) for name in LINE_FIELDS]
            count = min(max((len(r) for r in rows), default=0), MAX_LINES + 1)
            for i in range(count):
                row = {
                    name: (values[i] if i < len(values) else "").strip()
                    for name, values in zip(LINE_FIELDS, rows, strict=True)
                }
                if row["description"] or row["unit_price"]:  # rows without either are left out (blank)
                    self.lines.append(row)

    def line_inputs(self) -> list[LineInput]:
        return line_inputs(self.lines)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("discount_kind") and data.get("discount_value") is None:
            self.add_error("discount_value", _("Give the discount's value."))
        if data.get("discount_kind") == DiscountKind.PERCENT and (data.get("discount_value") or 0) > 100:
            self.add_error("discount_value", _("A percentage is at most 100."))
        return data


class DeclineForm(forms.Form):
    hash = forms.CharField(max_length=64, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason (optional)"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class QuestionForm(forms.Form):
    body = forms.CharField(label=_("Your question"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 4}))
