from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portico.customers.models import ScreeningAction
from portico.sat69b.models import Situation

# What each situation means, shown beside its choice (and in the screening alert).
MEANINGS = {
    Situation.PRESUNTO: _(
        "The SAT presumes the taxpayer issued invoices for operations that did not exist; it has not yet "
        "answered or proved otherwise."
    ),
    Situation.DESVIRTUADO: _(
        "The taxpayer proved to the SAT that its operations were real: the presumption was lifted."
    ),
    Situation.DEFINITIVO: _(
        "The SAT confirmed that the taxpayer's invoices cover operations that did not exist: they have no tax "
        "effect, and whoever used them must correct their own taxes."
    ),
    Situation.SENTENCIA_FAVORABLE: _("A court ruled in the taxpayer's favour against the SAT's finding."),
}


class ScreeningPolicyForm(forms.Form):
    def __init__(self, *args: Any, policy: dict[str, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        for situation, label in Situation.choices:
            self.fields[situation] = forms.ChoiceField(
                label=label,
                choices=ScreeningAction.choices,
                initial=policy[situation],
                help_text=MEANINGS[Situation(situation)],
                widget=forms.RadioSelect,
            )

    def policy(self) -> dict[str, str]:
        return {situation: self.cleaned_data[situation] for situation in Situation.values}
