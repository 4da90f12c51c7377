"""Portico's template tags: one place for how states look (labels and tones) and for the
"next page" link of every keyset list."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from portico.audit.transitions import BY_KEY, REGISTRY

register = template.Library()


@register.filter
def state_label(value: str) -> str:
    """The human label of a state code from any state machine ("not_invited" → "Not invited");
    a blank state stays blank (the timeline shows "–" for no state)."""
    if not value:
        return value
    for machine in REGISTRY.values():
        if value in machine.states.values:
            return machine.label(value)
    return value


@register.simple_tag
def badge(machine: str, state: str) -> str:
    """``{% badge "client" client.status %}``: the state's label in its tone, from the machine's
    table (the colours of every status live beside its transitions, never in templates)."""
    found = BY_KEY[machine]  # an unknown key is a KeyError: the template is wrong
    tone = found.tone(state)
    return format_html('<span class="badge{}">{}</span>', f" {tone}" if tone else "", found.label(state))


@register.simple_tag(takes_context=True)
def cursor_query(context: dict[str, Any], cursor: str) -> str:
    """``href="{% cursor_query page.next_cursor %}"``: this page's address with the next cursor
    (every filter kept), for the one keyset paginator (core/keyset.py)."""
    params = context["request"].GET.copy()
    params["cursor"] = cursor
    params.pop("panel", None)
    return "?" + params.urlencode()
