"""Agreement text: the safe HTML subset a template may hold, and its merge fields.

A template's text is staff-written rich text, cleaned with nh3 on save to a small subset (no
attributes but a table cell's span, no links, no styles, no scripts). Merge fields are written
``{{ client.name }}``; only the names in ``FIELDS`` exist, an unknown one is refused on save, and
each value is HTML-escaped when filled in. The text never goes through Django's template engine
(a template tag typed by staff would run): ``merge_fill`` is a single pass of one regular
expression, so a value that itself looks like ``{{ … }}`` stays text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import nh3
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portico.clients.models import Client
from portico.core.errors import PorticoError
from portico.core.timezones import time_zone_get
from portico.estimates.content import estimate_sheet
from portico.estimates.models import Estimate
from portico.estimates.totals import money_text
from portico.orgs.models import Organization

ALLOWED_TAGS = {
    *("p", "br", "h1", "h2", "h3", "strong", "em", "u", "ul", "ol", "li", "blockquote", "hr"),
    *("table", "thead", "tbody", "tr", "th", "td"),
}
ALLOWED_ATTRIBUTES = {"td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"}}
MAX_BODY = 100_000

# The documented whitelist: name -> what it is filled with.
FIELDS: dict[str, Any] = {
    "client.name": gettext_lazy("The client's name"),
    "client.email": gettext_lazy("The client's email"),
    "client.phone": gettext_lazy("The client's phone"),
    "client.address": gettext_lazy("The client's address, when the record has one"),
    "organization.name": gettext_lazy("Your organization's name"),
    "estimate.number": gettext_lazy("The approved estimate's number, e.g. #12 v2"),
    "estimate.scope": gettext_lazy("The approved estimate's scope of work"),
    "estimate.lines": gettext_lazy("The approved estimate's line items with their totals, as a table"),
    "estimate.total": gettext_lazy("The approved estimate's total, with its currency"),
    "estimate.valid_until": gettext_lazy("The approved estimate's valid-until date"),
    "agreement.number": gettext_lazy("The agreement's number, e.g. A-7"),
    "today": gettext_lazy("Today's date, in your organization's time zone"),
}
# Fields whose value is a block of HTML (a table): in the text only, never in the one-line title.
BLOCK_FIELDS = {"estimate.lines"}
FIELD_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}")
# What is left of a field written wrongly ("{{ client.name }" or "{{ 3 }}").
BRACES_RE = re.compile(r"\{\{|\}\}")


def body_clean(html: str) -> str:
    """Staff text reduced to the safe subset (tags outside it are dropped, their text kept)."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel=None).strip()


def fields_used(text: str) -> list[str]:
    return [m.group(1) for m in FIELD_RE.finditer(text)]


def fields_named(names: list[str]) -> str:
    """``["client.name"]`` as staff write them: "{{ client.name }}"."""
    return ", ".join(f"{{{{ {name} }}}}" for name in names)


def fields_check(text: str, *, where: str, field: str = "body", title: bool = False) -> None:
    """Refuse unknown or malformed merge fields, naming them (``where``: "title" or "text", as
    the message says it; ``field``: the form field the error belongs to)."""
    unknown = sorted({name for name in fields_used(text) if name not in FIELDS})
    if unknown:
        raise PorticoError(
            _("Unknown merge field in the %(where)s: %(fields)s. The fields are listed under the text.")
            % {"where": where, "fields": fields_named(unknown)},
            code="invalid",
            extra={"field": field, "unknown": unknown},
        )
    if title:
        block = sorted({name for name in fields_used(text) if name in BLOCK_FIELDS})
        if block:
            raise PorticoError(
                _("%(fields)s can be used in the text only, not in the title.") % {"fields": fields_named(block)},
                code="invalid",
                extra={"field": field},
            )
    if BRACES_RE.search(FIELD_RE.sub("", text)):
        raise PorticoError(
            _("A merge field in the %(where)s is not written right: write it like {{ client.name }}.")
            % {"where": where},
            code="invalid",
            extra={"field": field},
        )


@dataclass
class MergeSource:
    """What the fields are filled from."""

    org: Organization
    client: Client | None
    estimate: Estimate | None
    agreement_label: str = ""
    now: dt.datetime | None = None


def org_today(org: Organization, now: dt.datetime | None = None) -> dt.date:
    return timezone.localtime(now or timezone.now(), time_zone_get(org.time_zone)).date()


def _lines_html(estimate: Estimate) -> str:
    """The estimate's lines and totals, computed by the estimates app (the amounts are the
    estimate's to the cent)."""
    lines = list(estimate.lines.order_by("position", "id"))
    sheet = estimate_sheet(estimate, lines, [])
    return render_to_string("agreements/_estimate_lines.html", {"sheet": sheet, "e": estimate}).strip()


def merge_values(source: MergeSource) -> dict[str, str]:
    """Every field's value as plain text (``estimate.lines``: HTML); "" when the source lacks it.
    Call it in the language of the document (dates are formatted in it)."""
    client, estimate = source.client, source.estimate
    values = {
        "client.name": client.name if client else "",
        "client.email": client.email if client else "",
        "client.phone": client.phone if client else "",
        "client.address": client.address if client else "",
        "organization.name": source.org.name,
        "agreement.number": source.agreement_label,
        "today": date_format(org_today(source.org, source.now), "DATE_FORMAT"),
        "estimate.number": "",
        "estimate.scope": "",
        "estimate.lines": "",
        "estimate.total": "",
        "estimate.valid_until": "",
    }
    if estimate is not None:
        values.update(
            {
                "estimate.number": f"#{estimate.number} v{estimate.version}",
                "estimate.scope": estimate.scope,
                "estimate.lines": _lines_html(estimate),
                "estimate.total": money_text(estimate.total, estimate.currency),
                "estimate.valid_until": date_format(estimate.valid_until, "DATE_FORMAT")
                if estimate.valid_until
                else "",
            }
        )
    return values


def _fill(text: str, values: dict[str, str], *, html: bool, missing: str | None) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        value = values.get(name, "")
        if not value and missing is not None:
            return escape(missing % {"field": name}) if html else missing % {"field": name}
        if not html:
            return value
        if name in BLOCK_FIELDS:
            return value  # rendered by our own template, escaped there
        return "<br>".join(escape(part) for part in value.splitlines()) if "\n" in value else escape(value)

    return FIELD_RE.sub(one, text)


def merge_fill(title: str, body: str, values: dict[str, str], *, missing: str | None = None) -> tuple[str, str]:
    """The title (plain text) and the body (HTML, values escaped) with the fields filled in. With
    ``missing`` (a preview: "[%(field)s]"), an empty value shows as that marker."""
    return _fill(title, values, html=False, missing=missing), _fill(body, values, html=True, missing=missing)


def merge_for(
    source: MergeSource, title: str, body: str, *, language: str, missing: str | None = None
) -> tuple[str, str]:
    with translation.override(language):
        return merge_fill(title, body, merge_values(source), missing=missing)


def estimate_fields_used(title: str, body: str) -> list[str]:
    return sorted({name for name in fields_used(title + body) if name.startswith("estimate.")})
