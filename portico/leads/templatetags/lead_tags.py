"""Template helpers of leads: a referral link's absolute address (from SITE_URL, never the
request's host, which a proxy or a crafted Host header may change)."""

from __future__ import annotations

from django import template
from django.urls import reverse

from portico.leads.embed import absolute_url

register = template.Library()


@register.simple_tag
def referral_url(org_slug: str, code: str) -> str:
    return absolute_url(reverse("referral_landing", args=[org_slug, code]))
