"""Forms of the customer pages: the table's filters, quick create, the record (commercial and fiscal
data), an address, a contact, a compliance document. The rules live in the actions; the forms
only shape the input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portico.customers.actions import CURRENCIES, MAX_REMIND_DAYS
from portico.customers.catalogs import REGIMEN_FISCAL, USO_CFDI
from portico.customers.models import AddressKind, ContactRole, CustomerStatus, DocumentType, PaymentTerms
from portico.customers.selectors import SORTS


class CustomerFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", ""), *CustomerStatus.choices])
    owner = forms.IntegerField(required=False, min_value=1)
    freshbooks = forms.ChoiceField(required=False, choices=[("", ""), ("yes", "yes"), ("no", "no")])
    q = forms.CharField(required=False, max_length=200)
    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in SORTS])


class QuickCreateForm(forms.Form):
    legal_name = forms.CharField(label=_("Legal name"), max_length=200)
    trade_name = forms.CharField(label=_("Trade name"), max_length=200)
    tax_id = forms.CharField(
        label=_("RFC/EIN"),
        max_length=20,
        help_text=_("RFC: 12 characters for a company, 13 for a person. EIN: 9 digits."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}),
    )


class CustomerForm(forms.Form):
    legal_name = forms.CharField(label=_("Legal name"), max_length=200)
    trade_name = forms.CharField(label=_("Trade name"), max_length=200)
    industry = forms.CharField(label=_("Industry"), max_length=120, required=False)
    website = forms.CharField(label=_("Website"), max_length=200, required=False)
    payment_terms = forms.ChoiceField(label=_("Payment terms"), required=False)
    credit_limit = forms.DecimalField(
        label=_("Credit limit"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=[(c, c) for c in CURRENCIES])
    sales_owner = forms.TypedChoiceField(label=_("Sales owner"), required=False, coerce=int, empty_value=None)
    regimen_fiscal = forms.ChoiceField(label=_("Régimen fiscal"), required=False)
    uso_cfdi = forms.ChoiceField(label=_("Uso de CFDI"), required=False)
    fiscal_postal_code = forms.CharField(
        label=_("Fiscal postal code"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )

    def __init__(self, *args: Any, staff: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["payment_terms"].choices = [("", "—"), *PaymentTerms.choices]  # type: ignore[attr-defined]
        self.fields["sales_owner"].choices = [("", "—"), *staff]  # type: ignore[attr-defined]
        self.fields["regimen_fiscal"].choices = [("", "—"), *REGIMEN_FISCAL]  # type: ignore[attr-defined]
        self.fields["uso_cfdi"].choices = [("", "—"), *USO_CFDI]  # type: ignore[attr-defined]


class AddressForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AddressKind.choices)
    line1 = forms.CharField(label=_("Street and number"), max_length=200)
    line2 = forms.CharField(label=_("Neighbourhood, suite"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=120, required=False)
    state = forms.CharField(label=_("State"), max_length=120)
    postal_code = forms.CharField(
        label=_("Postal code"), max_length=10, widget=forms.TextInput(attrs={"autocomplete": "postal-code"})
    )
    country = forms.CharField(
        label=_("Country"),
        max_length=2,
        initial="MX",
        help_text=_("Two-letter ISO code, e.g. MX or US."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "size": 3}),
    )


class ContactForm(forms.Form):
    reference = forms.CharField(
        label=_("Person's case number"),
        max_length=40,
        help_text=_("The case number of a person's client record in this organization."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=ContactRole.choices)


class DocumentForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Type"), choices=DocumentType.choices)
    file = forms.FileField(label=_("File"), help_text=_("PDF, JPEG or PNG, at most 10 MB."))
    issued_on = forms.DateField(label=_("Issued on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    remind_days_before = forms.IntegerField(
        label=_("Remind this many days before it expires"), min_value=0, max_value=MAX_REMIND_DAYS, initial=30
    )
