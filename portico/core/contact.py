"""Contact data as Portico stores it: one rule each, applied by the actions (forms and the API
only pass what people typed). A bad value is a ``PorticoError`` naming the field."""

from __future__ import annotations

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from portico.core.errors import PorticoError


def email_normalize(value: str | None, *, field: str = "email") -> str:
    """Trimmed and lower-case (the email is a username); "" stays "". A malformed address is refused."""
    value = (value or "").strip().lower()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise PorticoError(_("Enter a valid email address."), code="invalid", extra={"field": field}) from None
    return value


def phone_normalize(value: str | None, *, field: str = "phone", region: str | None = None) -> str:
    """E.164 (+525512345678); typed without +country, the installation's default region is
    assumed (``PHONE_DEFAULT_REGION``). "" stays "". An impossible number is refused."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, region or settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise PorticoError(
            _("Enter a valid phone number, e.g. +52 55 1234 5678."), code="invalid", extra={"field": field}
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
