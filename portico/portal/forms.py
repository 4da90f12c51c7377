from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portico.accounts.models import NotifyBy
from portico.clients.images import MAX_UPLOAD_BYTES
from portico.portal.actions import SETTINGS_FIELDS
from portico.portal.models import PortalAccountStatus, PortalSettings


class PortalSettingsForm(forms.ModelForm):
    class Meta:
        model = PortalSettings
        fields = SETTINGS_FIELDS
        widgets = {
            "logo": forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
            "primary_colour": forms.TextInput(attrs={"type": "color"}),
            "accent_colour": forms.TextInput(attrs={"type": "color"}),
            "invitation_email_body": forms.Textarea(attrs={"rows": 8}),
            "invitation_sms_body": forms.Textarea(attrs={"rows": 3}),
            "services": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "invitation_email_body": _(
                "Placeholders: {client_name}, {org_name}, {portal_name}, {link} (required), {expires}."
            ),
            "invitation_sms_body": _("Same placeholders; keep it short (one or two SMS)."),
        }

    def clean_logo(self) -> object:
        logo = self.cleaned_data.get("logo")
        if logo and getattr(logo, "size", 0) > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The logo is larger than 5 MB."))
        return logo

    def clean_sms_sender(self) -> str:
        value: str = self.cleaned_data.get("sms_sender", "").strip()
        if (
            value
            and not (value.startswith("+") and value[1:].isdigit())
            and not (value.replace(" ", "").isalnum() and len(value) <= 11)
        ):
            raise forms.ValidationError(
                _("Use a phone number in international format (+15005550006) or up to 11 letters and digits.")
            )
        return value


class PortalStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Portal account status"), choices=PortalAccountStatus.choices)


class PortalAccountForm(forms.Form):
    full_name = forms.CharField(label=_("Name"), max_length=150)
    phone = forms.CharField(label=_("Mobile phone"), max_length=30, required=False)
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("Browser's language")), *settings.LANGUAGES], required=False
    )

    notify_by = forms.ChoiceField(
        label=_("Tell me about replies by"),
        choices=NotifyBy.choices,
        widget=forms.RadioSelect,
        initial="email",
        required=False,  # left out: unchanged
    )
