"""Forms of the agreement pages. The limits and the merge-field checks are the actions'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portico.agreements.actions import MAX_NAME, MAX_REASON
from portico.agreements.merge import MAX_BODY
from portico.agreements.models import AgreementState


class AgreementFilterForm(forms.Form):
    state = forms.ChoiceField(required=False, choices=[("", ""), *AgreementState.choices])
    client = forms.IntegerField(required=False, min_value=1)


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Name (staff only)"), max_length=MAX_NAME)
    title = forms.CharField(label=_("Document title"), max_length=MAX_NAME)
    body = forms.CharField(
        label=_("Text"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 16, "id": "id_body"})
    )
    is_default = forms.BooleanField(label=_("Send automatically when a client approves an estimate"), required=False)


class AgreementEditForm(forms.Form):
    title = forms.CharField(label=_("Document title"), max_length=MAX_NAME)
    body = forms.CharField(
        label=_("Text"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 16, "id": "id_body"})
    )


class AgreementNewForm(forms.Form):
    template = forms.IntegerField(min_value=1)
    estimate = forms.IntegerField(required=False, min_value=1)


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 3}))


class PreviewForm(forms.Form):
    client = forms.IntegerField(required=False, min_value=1)
