from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portico.accounts.forms import new_password_clean
from portico.audit.models import AuditAction
from portico.core.money import CURRENCY_CHOICES
from portico.core.timezones import time_zone_names
from portico.orgs.models import Organization, Role
from portico.orgs.permissions import HELP, SECTIONS, Permission


class RoleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    permissions = forms.MultipleChoiceField(
        label=_("Permissions"), choices=Permission.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    def sections(self) -> list[dict[str, Any]]:
        """Permissions grouped for the form, each with its help text."""
        chosen = set(self["permissions"].value() or [])
        return [
            {
                "title": title,
                "items": [
                    {"code": p.value, "label": p.label, "help": HELP[p], "checked": p.value in chosen} for p in perms
                ],
            }
            for title, perms in SECTIONS
        ]


class StaffInviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.none(), empty_label=None)

    def __init__(self, *args: Any, org: Organization, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = Role.objects.filter(org=org)  # type: ignore[attr-defined]


class MembershipRoleForm(forms.Form):
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.none(), empty_label=None)

    def __init__(self, *args: Any, org: Organization, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = Role.objects.filter(org=org)  # type: ignore[attr-defined]


class OrgSettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    language = forms.ChoiceField(label=_("Default language"), choices=settings.LANGUAGES)
    case_number_pattern = forms.CharField(
        label=_("Case number pattern"),
        max_length=40,
        help_text=_("{year} is the current year, {seq:05} the next number with 5 digits; e.g. NW-{year}-{seq:05}"),
    )
    require_mfa = forms.BooleanField(
        label=_("Require two-factor authentication for all staff"),
        required=False,
        help_text=_("Staff without an authenticator app are asked to set one up before they can continue."),
    )
    mute_closed_clients = forms.BooleanField(
        label=_("Disable notifications for closed client records"),
        required=False,
        help_text=_("Navigators hear nothing about clients whose record is closed or inactive."),
    )
    # Not required: a form that leaves them out keeps the organization's current values.
    currency = forms.ChoiceField(
        label=_("Currency"),
        choices=CURRENCY_CHOICES,
        required=False,
        help_text=_("Estimates are written in this currency."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Booking slots, reminder schedules and quiet hours follow it unless a client has their own."),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(name, name) for name in sorted(time_zone_names())]  # type: ignore[attr-defined]


class OrgCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    slug = forms.SlugField(
        label=_("Short name"), max_length=60, help_text=_("Letters, numbers and dashes; used in addresses.")
    )
    language = forms.ChoiceField(label=_("Default language"), choices=settings.LANGUAGES)
    admin_email = forms.EmailField(label=_("First admin's email"), help_text=_("They receive an invitation."))


class InvitationAcceptForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        new_password_clean(self, data, email=self.email)
        return data


class AuditFilterForm(forms.Form):
    actor = forms.TypedChoiceField(label=_("Who"), required=False, coerce=int, empty_value=None)
    action = forms.ChoiceField(label=_("What"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, org: Organization, **kwargs: Any):
        super().__init__(*args, **kwargs)
        members = org.memberships.select_related("user").order_by("user__full_name", "user__email")
        self.fields["actor"].choices = [("", _("Anyone")), *((m.user_id, str(m.user)) for m in members)]  # type: ignore[attr-defined]
        self.fields["action"].choices = [("", _("Any action")), *AuditAction.choices]  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """What the log selector takes (nothing, when the form is not valid)."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "actor_user_id": data.get("actor"),
            "action": data.get("action", ""),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }
