"""``{% load freshbooks %}``: the FreshBooks page of a connected customer.

{% if customer.freshbooks_id %}<a href="{{ customer.freshbooks_id|freshbooks_client_url }}">…</a>{% endif %}
"""

from __future__ import annotations

from django import template

from portico.freshbooks.freshbooks_api import CLIENT_WEB_URL

register = template.Library()


@register.filter
def freshbooks_client_url(freshbooks_id: object) -> str:
    """The client's page in FreshBooks' web app ("" when the customer is not connected)."""
    return CLIENT_WEB_URL.format(id=freshbooks_id) if freshbooks_id else ""
