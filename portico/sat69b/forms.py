from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class Sat69bUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Listado completo 69-B (CSV)"),
        help_text=_("The CSV file as published by the SAT (Latin-1 or UTF-8). It replaces the whole list."),
    )
