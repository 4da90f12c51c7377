from __future__ import annotations

from typing import Any, cast

import phonenumbers
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portico.clients.models import ClientKind, ClientStatus, ClientType, Group, RecordType, WarningIndicator
from portico.orgs.models import Membership, MembershipStatus, Organization


def phone_to_e164(raw: str, region: str) -> str:
    """Parse a phone as typed ("55 1234 5678", "+52 …") into E.164, or raise ValidationError."""
    raw = raw.strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise forms.ValidationError(_("Enter a valid phone number, e.g. +52 55 1234 5678.")) from None
    if not phonenumbers.is_valid_number(number):
        raise forms.ValidationError(_("Enter a valid phone number, e.g. +52 55 1234 5678."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class ClientForm(forms.Form):
    kind = forms.ChoiceField(label=_("Person or company"), choices=ClientKind.choices, initial=ClientKind.PERSON)
    record_type = forms.ChoiceField(
        label=_("Client or employee"), choices=RecordType.choices, initial=RecordType.CLIENT
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    address = forms.CharField(label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    language = forms.ChoiceField(
        label=_("Preferred language"), choices=[("", "—"), *settings.LANGUAGES], required=False
    )
    client_type = forms.ModelChoiceField(label=_("Client type"), queryset=ClientType.objects.none(), required=False)
    tax_id = forms.CharField(label=_("Tax id (RFC/EIN)"), max_length=20, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, org: Organization, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.org = org
        self.fields["client_type"].queryset = ClientType.objects.filter(org=org)  # type: ignore[attr-defined]

    def clean_phone(self) -> str:
        return phone_to_e164(self.cleaned_data.get("phone", ""), settings.PHONE_DEFAULT_REGION)

    def clean_email(self) -> str:
        return self.cleaned_data.get("email", "").strip().lower()


class ClientCreateForm(ClientForm):
    create_profile = forms.BooleanField(
        label=_("Create the client's profile now (before they accept an invitation)"),
        required=False,
        help_text=_("Without a profile the client is “Not invited” until you invite them."),
    )
    confirm_duplicate = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ClientFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *ClientStatus.choices], required=False
    )
    client_type = forms.TypedChoiceField(label=_("Type"), required=False, coerce=int, empty_value=None)
    group = forms.TypedChoiceField(label=_("Group"), required=False, coerce=int, empty_value=None)
    navigator = forms.TypedChoiceField(label=_("Navigator"), required=False, coerce=int, empty_value=None)
    warning = forms.TypedChoiceField(label=_("Warning"), required=False, coerce=int, empty_value=None)
    record_type = forms.ChoiceField(
        label=_("Record"), choices=[("", _("Clients and employees")), *RecordType.choices], required=False
    )
    has_portal_account = forms.TypedChoiceField(
        label=_("Portal account"),
        choices=[("", _("Either")), ("yes", _("Has one")), ("no", _("Has none"))],
        required=False,
        coerce=lambda v: v == "yes",
        empty_value=None,
    )
    created_from = forms.DateField(
        label=_("Created from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        label=_("Created until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("newest", _("Newest first")),
            ("oldest", _("Oldest first")),
            ("name", _("Name")),
            ("case_number", _("Case number")),
        ],
    )

    ID_FIELDS = ("client_type", "group", "navigator", "warning")

    def __init__(self, *args: Any, org: Organization, with_choices: bool = True, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not with_choices:
            # Reading filters needs no lookups: ids are only ever used inside this organization's
            # queries. The drop-downs (four small queries) load when the filter panel opens.
            for name in self.ID_FIELDS:
                self.fields[name] = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
            return
        choices = {
            "client_type": [("", _("Any type")), *ClientType.objects.filter(org=org).values_list("pk", "name")],
            "group": [("", _("Any group")), *Group.objects.filter(org=org).values_list("pk", "name")],
            "warning": [("", _("Any warning")), *WarningIndicator.objects.filter(org=org).values_list("pk", "label")],
        }
        for name, values in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = values
        staff = (
            Membership.objects.filter(org=org, status=MembershipStatus.ACTIVE)
            .select_related("user")
            .order_by("user__full_name")
        )
        self.fields["navigator"].choices = [("", _("Anyone")), *((m.user_id, str(m.user)) for m in staff)]  # type: ignore[attr-defined]


class CaseNumberForm(forms.Form):
    case_number = forms.CharField(label=_("Case number"), max_length=40)


class ClientTypeForm(forms.Form):
    client_type = forms.ModelChoiceField(label=_("Client type"), queryset=ClientType.objects.none(), required=False)

    def __init__(self, *args: Any, org: Organization, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["client_type"].queryset = ClientType.objects.filter(org=org)  # type: ignore[attr-defined]


class GroupsForm(forms.Form):
    groups = forms.ModelMultipleChoiceField(
        queryset=Group.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, org: Organization, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["groups"].queryset = Group.objects.filter(org=org)  # type: ignore[attr-defined]


class WarningsForm(forms.Form):
    warnings = forms.ModelMultipleChoiceField(
        queryset=WarningIndicator.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, org: Organization, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["warnings"].queryset = WarningIndicator.objects.filter(org=org)  # type: ignore[attr-defined]


class NavigatorForm(forms.Form):
    navigator = forms.TypedChoiceField(label=_("Assign client to:"), coerce=int)

    def __init__(self, *args: Any, org: Organization, exclude: set[int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        staff = (
            Membership.objects.filter(org=org, status=MembershipStatus.ACTIVE)
            .select_related("user")
            .order_by("user__full_name")
        )
        self.fields["navigator"].choices = [(m.user_id, str(m.user)) for m in staff if m.user_id not in exclude]  # type: ignore[attr-defined]


class ClientTypeCreateForm(forms.Form):
    name = forms.CharField(label=_("New client type"), max_length=80)


class WarningCreateForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=60)
    colour = forms.RegexField(
        label=_("Colour"),
        regex=r"^#[0-9a-fA-F]{6}$",
        initial="#b3261e",
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    icon = forms.ChoiceField(label=_("Icon"), choices=WarningIndicator.Icon.choices)


class GroupCreateForm(forms.Form):
    name = forms.CharField(label=_("Group name"), max_length=100)


class ImageForm(forms.Form):
    image = forms.FileField(label=_("Choose file"))
