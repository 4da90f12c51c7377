"""The snippets that put a public page (contact form, referral page, booking widget) into another
website: an iframe, or the small script (embed.js) that frames the page, passes on the host page's
address and UTM parameters and follows the height the page reports. One function for every
settings page that offers them; addresses are absolute, from SITE_URL."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

PAGES = ("contact", "referral", "booking")
REFERRAL_PLACEHOLDER = "CODE"  # each client and staff member has their own code


def absolute_url(path: str) -> str:
    """``path`` on the site's public address (SITE_URL), whatever host the request came to."""
    return settings.SITE_URL.rstrip("/") + path


def embed_snippets(org_slug: str, pages: tuple[str, ...] = PAGES) -> list[dict[str, str]]:
    """Each of ``pages`` as its address, an iframe and the script. The referral page's address
    holds the CODE placeholder, never anyone's own code."""
    script = absolute_url(reverse("lead_embed_js", args=[org_slug]))
    known = {
        "contact": (_("Contact form"), reverse("lead_contact_form", args=[org_slug])),
        "referral": (_("Referral page"), reverse("referral_landing", args=[org_slug, REFERRAL_PLACEHOLDER])),
        "booking": (_("Booking widget"), reverse("booking_widget", args=[org_slug])),
    }
    snippets = []
    for key in pages:
        label, path = known[key]
        url = absolute_url(path)
        code_attr = f' data-code="{REFERRAL_PLACEHOLDER}"' if key == "referral" else ""
        snippets.append(
            {
                "key": key,
                "label": str(label),
                "url": url,
                "iframe": f'<iframe src="{escape(url)}" title="{escape(label)}" '
                'style="width:100%;min-height:560px;border:0" loading="lazy"></iframe>',
                "script": f'<script src="{escape(script)}" data-page="{key}"{code_attr} async></script>',
            }
        )
    return snippets
