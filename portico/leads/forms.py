"""Forms of the lead pages: the public contact form (the referral landing page uses it too), the
list's filter, the staff actions and the settings. Rules on the values live in the actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from portico.accounts.models import User
from portico.core.contact import phone_normalize
from portico.core.errors import PorticoError
from portico.leads.models import LeadSource, LeadState
from portico.leads.selectors import AGES


class PublicLeadForm(forms.Form):
    """What a visitor types. The signed token and the honeypot are checked before this form
    (public.submission_verdict); the hidden ``page`` and ``tz`` are filled by the page's script."""

    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Email"), required=False, max_length=254)
    phone = forms.CharField(label=_("Mobile"), required=False, max_length=32)
    service = forms.ChoiceField(label=_("Service of interest"), required=False, choices=())
    message = forms.CharField(
        label=_("Message"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    page = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    tz = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, services: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        service: forms.ChoiceField = self.fields["service"]  # type: ignore[assignment]
        if services:
            service.choices = [("", _("Choose one (optional)")), *[(s, s) for s in services]]
        else:
            del self.fields["service"]
        self.fields["name"].widget.attrs.update(autocomplete="name")
        self.fields["email"].widget.attrs.update(autocomplete="email")
        self.fields["phone"].widget.attrs.update(autocomplete="tel", inputmode="tel")

    def clean_phone(self) -> str:
        try:
            return phone_normalize(self.cleaned_data.get("phone"))
        except PorticoError as exc:
            raise forms.ValidationError(str(exc.message)) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not data.get("email") and not data.get("phone"):
            raise forms.ValidationError(_("Enter an email address or a mobile number, so we can answer you."))
        return data


class LeadFilterForm(forms.Form):
    source = forms.ChoiceField(required=False, choices=[("", ""), *LeadSource.choices])
    state = forms.ChoiceField(required=False, choices=[("", ""), *LeadState.choices])
    age = forms.ChoiceField(required=False, choices=[("", ""), *AGES])


class DisqualifyForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


CONVERT_CHANNELS = (
    ("email", _("Invite by email")),
    ("sms", _("Invite by SMS")),
    ("none", _("Don't invite yet")),
)


class ConvertForm(forms.Form):
    channel = forms.ChoiceField(label=_("Portal invitation"), choices=CONVERT_CHANNELS, widget=forms.RadioSelect)


class LeadSettingsForm(forms.Form):
    navigators = forms.ModelMultipleChoiceField(
        label=_("Notify about new leads"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each is told by their own notification preferences (bell, email, SMS or push)."),
    )
    public_forms = forms.BooleanField(label=_("Public forms on"), required=False)
    thank_you = forms.CharField(
        label=_("Thank-you text"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown after a visitor sends the form. Leave blank for the standard text."),
    )

    def __init__(self, *args: Any, staff: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        navigators: forms.ModelMultipleChoiceField = self.fields["navigators"]  # type: ignore[assignment]
        navigators.queryset = staff
        navigators.label_from_instance = lambda user: user.display_name  # type: ignore[method-assign,assignment]
