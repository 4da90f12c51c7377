"""Time zones by IANA name (zoneinfo): validation and lookup with a safe fallback."""

from __future__ import annotations

import functools
import zoneinfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@functools.cache
def time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def time_zone_validate(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError(
            _("%(value)s is not a time zone name, e.g. America/Mexico_City."), params={"value": value}
        )


def time_zone_get(name: str, fallback: str = "UTC") -> zoneinfo.ZoneInfo:
    """The zone called ``name``; the ``fallback`` zone when it is blank or unknown."""
    if name in time_zone_names():
        return zoneinfo.ZoneInfo(name)
    return zoneinfo.ZoneInfo(fallback if fallback in time_zone_names() else "UTC")
