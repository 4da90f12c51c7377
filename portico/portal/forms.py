from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from portico.clients.images import MAX_UPLOAD_BYTES
from portico.clients.models import Client
from portico.core.errors import PorticoError
from portico.portal.models import PortalAccountStatus, PortalSettings
from portico.requests.actions import MAX_BODY
from portico.requests.models import RequestKind
from portico.requests.uploads import MAX_ATTACHMENTS, upload_check


class PortalSettingsForm(forms.ModelForm):
    class Meta:
        model = PortalSettings
        fields = (
            "portal_name",
            "logo",
            "primary_colour",
            "accent_colour",
            "sender_name",
            "reply_to",
            "sms_sender",
            "invitation_lifetime_days",
            "invitation_email_subject",
            "invitation_email_body",
            "invitation_sms_body",
            "services",
        )
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
        choices=[("email", _("Email")), ("sms", _("SMS"))],
        widget=forms.RadioSelect,
        initial="email",
        required=False,  # left out: unchanged
    )

    def clean_phone(self) -> str:
        from portico.clients.forms import phone_to_e164

        raw = self.cleaned_data.get("phone", "").strip()
        return phone_to_e164(raw, settings.PHONE_DEFAULT_REGION) if raw else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        notify_by = data.get("notify_by") or self.initial.get("notify_by")
        if notify_by == "sms" and not data.get("phone") and "phone" not in self.errors:
            self.add_error("notify_by", _("Add your mobile phone to get replies by SMS."))
        return data


ATTACHMENT_ACCEPT = "application/pdf,image/jpeg,image/png,image/gif,image/webp"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to MAX_ATTACHMENTS files, each checked by its content (upload_check) so a refused file
    is a form error and nothing is created."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ATTACHMENT_ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(_("Attach at most %(n)s files.") % {"n": MAX_ATTACHMENTS})
        for upload in files:
            try:
                upload_check(upload)
            except PorticoError as exc:
                raise forms.ValidationError(str(exc.message), code=exc.code) from exc
            upload.seek(0)
        return files


class PortalRequestForm(forms.Form):
    """The client's "Make a request"."""

    record = forms.ModelChoiceField(label=_("About"), queryset=Client.objects.none(), empty_label=None)
    kind = forms.ModelChoiceField(label=_("Kind of request"), queryset=RequestKind.objects.none(), empty_label=None)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Message"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 6}))
    attachments = AttachmentsField(label=_("Attachments"))

    def __init__(self, *args: Any, kinds: list[RequestKind], records: QuerySet[Client], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind_field: forms.ModelChoiceField = self.fields["kind"]  # type: ignore[assignment]
        kind_field.queryset = RequestKind.objects.filter(pk__in=[k.pk for k in kinds])
        record_field: forms.ModelChoiceField = self.fields["record"]  # type: ignore[assignment]
        record_field.queryset = records.order_by("name")
        choices = list(record_field.queryset)
        if len(choices) == 1:  # only one record: nothing to choose
            record_field.widget = forms.HiddenInput()
            record_field.initial = choices[0].pk
        elif not self.is_bound and choices:
            record_field.initial = choices[0].pk


class PortalReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 4}))
    attachments = AttachmentsField(label=_("Attachments"))
