from __future__ import annotations

from collections.abc import Container, Iterable
from typing import Any, cast

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portico.clients.models import ClientKind, ClientStatus, RecordType, WarningIndicator
from portico.clients.reference import ClientReference
from portico.clients.selectors import ClientFilters
from portico.core.errors import PorticoError
from portico.core.timezones import time_zone_names
from portico.orgs.models import Organization


def _choices(form: forms.Form, name: str, choices: list[Any]) -> None:
    cast(forms.ChoiceField, form.fields[name]).choices = choices


def form_add_refusal(form: forms.Form, exc: PorticoError) -> None:
    """Show an action's refusal at the fields it names (email, phone, tax id, ...)."""
    errors = exc.extra.get("errors") or [{"field": exc.extra.get("field"), "message": str(exc.message)}]
    for error in errors:
        form.add_error(error["field"] if error["field"] in form.fields else None, error["message"])


class ClientForm(forms.Form):
    kind = forms.ChoiceField(label=_("Person or company"), choices=ClientKind.choices, initial=ClientKind.PERSON)
    record_type = forms.ChoiceField(
        label=_("Client or employee"), choices=RecordType.choices, initial=RecordType.CLIENT
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.CharField(label=_("Email"), max_length=254, required=False, widget=forms.EmailInput)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    address = forms.CharField(label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    language = forms.ChoiceField(
        label=_("Preferred language"), choices=[("", "—"), *settings.LANGUAGES], required=False
    )
    client_type = forms.TypedChoiceField(label=_("Client type"), required=False, coerce=int, empty_value=None)
    tax_id = forms.CharField(label=_("Tax id (RFC/EIN)"), max_length=20, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("For reminders outside quiet hours. Blank: the organization's."),
    )

    def __init__(self, *args: Any, ref: ClientReference, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self, "client_type", [("", "—"), *ref.client_types])
        _choices(self, "time_zone", [("", "—"), *((name, name) for name in sorted(time_zone_names()))])

    def add_refusal(self, exc: PorticoError) -> None:
        form_add_refusal(self, exc)


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

    def __init__(self, *args: Any, ref: ClientReference | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if ref is None:
            # Reading filters needs no lists: ids are only ever used inside this organization's
            # queries. The drop-downs come with the reference lists, when the filter panel opens.
            for name in self.ID_FIELDS:
                self.fields[name] = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
            return
        _choices(self, "client_type", [("", _("Any type")), *ref.client_types])
        _choices(self, "group", [("", _("Any group")), *ref.groups])
        _choices(self, "warning", [("", _("Any warning")), *((w.id, w.label) for w in ref.warnings)])
        _choices(self, "navigator", [("", _("Anyone")), *ref.staff])

    def filters(self) -> ClientFilters:
        """What the list selectors take; a field that does not validate filters nothing."""
        data = self.cleaned_data if self.is_valid() else {}
        return ClientFilters(
            status=data.get("status") or "",
            client_type=data.get("client_type"),
            group=data.get("group"),
            navigator=data.get("navigator"),
            warning=data.get("warning"),
            record_type=data.get("record_type") or "",
            has_portal_account=data.get("has_portal_account"),
            created_from=data.get("created_from"),
            created_to=data.get("created_to"),
        )

    def ordering(self) -> str:
        return (self.cleaned_data.get("sort") if self.is_valid() else "") or "newest"


def client_selection_from_post(post: QueryDict, *, org: Organization) -> tuple[list[int] | None, ClientFilters | None]:
    """A bulk action's selection (the list's checkboxes, or "all N matching" its filter), as
    (ids, None) or (None, filters). A filter that does not validate is refused rather than widened
    to everyone; an empty selection is refused too."""
    if post.get("scope") == "all":
        form = ClientFilterForm(QueryDict(post.get("filter_query", "")))
        if not form.is_valid():
            fields = ", ".join(str(form.fields[name].label or name) for name in form.errors if name in form.fields)
            raise PorticoError(
                gettext("The filter is not valid (%(fields)s). Fix it and try again.") % {"fields": fields}
            )
        return None, form.filters()
    try:
        ids = [int(v) for v in post.getlist("client")]
    except ValueError:
        ids = []
    if not ids:
        raise PorticoError(gettext("Select at least one client, or choose all matching clients."))
    return ids, None


class CaseNumberForm(forms.Form):
    case_number = forms.CharField(label=_("Case number"), max_length=40)


def choice_options(choices: Iterable[tuple[int, str]], selected: Container[object]) -> list[tuple[int, str, bool]]:
    """(value, label, selected) rows for core/_select.html and core/_checkboxes.html: the record
    page's choices, rendered without form widgets. The forms below validate what comes back."""
    return [(value, label, value in selected) for value, label in choices]


class ClientTypeForm(forms.Form):
    client_type = forms.TypedChoiceField(label=_("Client type"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, ref: ClientReference, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self, "client_type", [("", "—"), *ref.client_types])


class GroupsForm(forms.Form):
    groups = forms.TypedMultipleChoiceField(required=False, coerce=int, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, ref: ClientReference, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self, "groups", list(ref.groups))


class WarningsForm(forms.Form):
    warnings = forms.TypedMultipleChoiceField(required=False, coerce=int, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, ref: ClientReference, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self, "warnings", [(w.id, w.label) for w in ref.warnings])


class NavigatorForm(forms.Form):
    navigator = forms.TypedChoiceField(label=_("Assign client to:"), coerce=int)

    def __init__(self, *args: Any, ref: ClientReference, exclude: set[int] = frozenset(), **kwargs: Any):  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        _choices(self, "navigator", [(pk, name) for pk, name in ref.staff if pk not in exclude])


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
