from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portico.accounts.forms import new_password_clean
from portico.invitations.models import Delivery, InvitationChannel, InvitationStatus
from portico.invitations.selectors import InvitationFilters


class InvitationSendForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Send by"), choices=InvitationChannel.choices, widget=forms.RadioSelect, initial="email"
    )
    confirm = forms.BooleanField(
        label=_(
            "I confirmed with the client that they do not have portal access yet and that this is their "
            "primary address. Their email address becomes their username."
        ),
        error_messages={"required": _("Confirm the address with the client first.")},
    )


class AccountCreateForm(forms.Form):
    """The client's account on an invitation link: a password, or a sign-in code by email."""

    full_name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Email address (your username)"), required=False)
    password1 = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), required=False
    )
    password2 = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), required=False
    )

    def __init__(self, *args: object, fixed_email: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fixed_email = fixed_email
        if fixed_email:
            self.fields["email"].disabled = True
            self.fields["email"].initial = fixed_email
        else:
            self.fields["email"].required = True

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if self.data.get("method") == "code":
            return data
        if not data.get("password1"):
            self.add_error("password1", _("Choose a password, or use “Email me a sign-in code instead”."))
        else:
            new_password_clean(self, data, email=str(self.fixed_email or data.get("email") or ""))
        return data

    @property
    def uses_code(self) -> bool:
        return self.data.get("method") == "code"


PERIODS = (("today", _("Today"), 0), ("week", _("This week"), 7), ("month", _("This month"), 30))


class InvitationListForm(forms.Form):
    """The staff list's filters (an unknown value is ignored, never an error)."""

    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("Any")), *InvitationStatus.choices])
    delivery = forms.ChoiceField(label=_("Delivery"), required=False, choices=[("", _("Any")), *Delivery.choices])
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("Any")), *InvitationChannel.choices]
    )
    period = forms.ChoiceField(
        label=_("Sent"), required=False, choices=[("", _("Any time")), *((v, label) for v, label, _d in PERIODS)]
    )

    def filters(self) -> InvitationFilters:
        data = {name: self.data.get(name, "") for name in self.fields}
        for name, field in self.fields.items():  # one bad value drops that filter only
            if data[name] not in dict(field.choices):  # type: ignore[attr-defined]
                data[name] = ""
        since = None
        if data["period"]:
            today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
            since = today - dt.timedelta(days=next(d for v, _l, d in PERIODS if v == data["period"]))
        return InvitationFilters(state=data["state"], delivery=data["delivery"], channel=data["channel"], since=since)
