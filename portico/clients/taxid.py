"""Tax ids of client records: a Mexican RFC or a US EIN, checked by python-stdnum.

One rule, applied by the client actions: the stored value is the compact form (``GODE561231GR8``,
``123456789``), and a wrong one is refused with what exactly is wrong (length, date, check
digit), so the person can fix it.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from stdnum.mx import rfc
from stdnum.us import ein

from portico.core.errors import PorticoError

# The SAT's generic RFCs: the general public (sales without a tax id) and foreign residents.
GENERIC_RFCS = frozenset({"XAXX010101000", "XEXX010101000"})
_EIN_SHAPE = re.compile(r"^\d{2}-?\d{7}$")


def _refuse(message: str) -> PorticoError:
    return PorticoError(message, code="invalid_tax_id", extra={"field": "tax_id"})


def tax_id_normalize(value: str | None) -> str:
    """ "" stays ""; nine digits (``12-3456789``) are a US EIN; anything else must be an RFC: 12
    characters for a company, 13 for a person, with a valid date and check digit."""
    raw = (value or "").strip().upper()
    if not raw:
        return ""
    if _EIN_SHAPE.match(raw):
        try:
            return ein.validate(raw)
        except InvalidComponent:
            raise _refuse(
                _("%(value)s is not a valid EIN: its first two digits are not a prefix the IRS assigns.")
                % {"value": raw}
            ) from None
        except ValidationError:
            raise _refuse(_("%(value)s is not a valid EIN.") % {"value": raw}) from None
    compact = rfc.compact(raw)
    if compact in GENERIC_RFCS:
        return compact
    if len(compact) not in (12, 13):
        raise _refuse(
            _("An RFC has 12 characters for a company or 13 for a person (an EIN has 9 digits); %(value)s has %(n)s.")
            % {"value": raw, "n": len(compact)}
        )
    try:
        return rfc.validate(compact, validate_check_digits=True)
    except InvalidLength:
        raise _refuse(_("%(value)s has the wrong length for an RFC.") % {"value": raw}) from None
    except InvalidChecksum:
        raise _refuse(_("%(value)s is not a valid RFC: the check digit does not match.") % {"value": raw}) from None
    except InvalidComponent:
        raise _refuse(_component_message(compact, raw)) from None
    except (InvalidFormat, ValidationError):
        raise _refuse(
            _(
                "%(value)s is not a valid RFC: it needs 3 letters (company) or 4 (person), then a YYMMDD date, "
                "then 3 letters or digits."
            )
            % {"value": raw}
        ) from None


_HOMOCLAVE = re.compile(r"^[1-9A-V][1-9A-Z][0-9A]$")


def _component_message(compact: str, raw: str) -> str:
    """Which part of a well-shaped RFC python-stdnum refused: the homoclave, the name letters (a
    word the SAT never assigns) or the date."""
    letters = 4 if len(compact) == 13 else 3
    if not _HOMOCLAVE.match(compact[-3:]):
        return _(
            "%(value)s is not a valid RFC: the last three characters (the homoclave) are not ones the SAT assigns."
        ) % {"value": raw}
    try:
        dt.date(
            2000 + int(compact[letters : letters + 2]),
            int(compact[letters + 2 : letters + 4]),
            int(compact[letters + 4 : letters + 6]),
        )
    except ValueError:
        return _("%(value)s is not a valid RFC: the date part (YYMMDD after the letters) is not a real date.") % {
            "value": raw
        }
    return _("%(value)s is not a valid RFC: its first four letters form a word the SAT replaces.") % {"value": raw}
