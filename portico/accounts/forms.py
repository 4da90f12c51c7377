from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from portico.accounts.models import User


def password_validate(password: str, *, email: str, full_name: str = "") -> None:
    """Django's password validators, told the person's address and name (so a password like
    their name is refused). ``account_create`` and the forms that create a login both use it."""
    validate_password(password, User(email=email, full_name=full_name))


def new_password_clean(form: forms.Form, data: dict[str, Any], *, email: str) -> None:
    """A form's ``password1``/``password2`` pair: the same twice, and strong enough (field errors)."""
    p1, p2 = data.get("password1"), data.get("password2")
    if p1 and p2 and p1 != p2:
        form.add_error("password2", _("The two passwords differ."))
    elif p1:
        try:
            password_validate(str(p1), email=email, full_name=str(data.get("full_name") or ""))
        except forms.ValidationError as exc:
            form.add_error("password1", exc)


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("Same as my browser")), *settings.LANGUAGES], required=False
    )
