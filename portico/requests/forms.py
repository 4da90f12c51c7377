"""Forms of the request pages: the staff inbox filter and reply, the kinds settings, and the
client's "Make a request" and reply in the portal. Limits come from the actions and uploads."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from portico.clients.models import Client
from portico.core.errors import PorticoError
from portico.requests.actions import MAX_BODY
from portico.requests.models import RequestKind, RequestStatus
from portico.requests.uploads import MAX_ATTACHMENTS, upload_check

AGES = (
    ("1", _("1 day")),
    ("3", _("3 days")),
    ("7", _("1 week")),
    ("30", _("1 month")),
)


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", ""), *RequestStatus.choices])
    kind = forms.IntegerField(required=False, min_value=1)
    age = forms.ChoiceField(required=False, choices=[("", ""), *AGES])


class RequestKindForm(forms.Form):
    name = forms.CharField(label=_("New kind"), max_length=80)


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


class PortalRequestForm(forms.Form):  # the client's side
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


class ReplyForm(forms.Form):
    """Staff: a reply, or an internal note."""

    body = forms.CharField(label=_("Message"), max_length=MAX_BODY, widget=forms.Textarea)
    internal = forms.BooleanField(label=_("Internal note (staff only)"), required=False)
    attachments = AttachmentsField(label=_("Attachments"))


class PortalReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 4}))
    attachments = AttachmentsField(label=_("Attachments"))
