"""The consumer disclosure a client reads before consenting to electronic records (ESIGN Act,
15 U.S.C. §7001(c)(1)): the right to paper copies and how to get them (free), the right to
withdraw and what follows (free; where), what the consent covers, how to keep contact details up
to date, and the hardware and software needed.

The text is versioned (``DISCLOSURE_VERSION``: change it when the wording changes) and a consent
stores the SHA-256 of the exact text the person was shown (in their language, with their
organization's name), so the record names what they agreed to. It is shown the way the agreement
is: as a page and as a PDF, and the consent box says the person could open and read both.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from portico.orgs.models import Organization

DISCLOSURE_VERSION = "2026-1"


@dataclass(frozen=True)
class Disclosure:
    version: str
    title: str
    paragraphs: tuple[tuple[str, str], ...]  # (heading, text)
    sha256: str


def _paper_contact(org: Organization) -> str:
    reply_to = getattr(getattr(org, "portal_settings", None), "reply_to", "")
    if reply_to:
        return _("write to %(email)s or send a request in this portal") % {"email": reply_to}
    return _("send a request in this portal or answer any of our emails")


def disclosure_for(org: Organization, language: str) -> Disclosure:
    """The disclosure as ``org``'s client reads it in ``language``, and its SHA-256."""
    with translation.override(language):
        name = org.name
        paragraphs = (
            (
                _("What you agree to"),
                _(
                    "You agree that %(org)s may give you the records of your onboarding with them "
                    "electronically, and that you may sign them electronically: service agreements, the "
                    "signed copies of them, their audit certificates, and the notices about them. This "
                    "consent covers the agreement you are about to read and every record of your onboarding "
                    "with %(org)s, until you withdraw it."
                )
                % {"org": name},
            ),
            (
                _("Paper copies"),
                _(
                    "You have the right to receive any of these records on paper. To ask for a paper copy, "
                    "%(how)s. Paper copies are free of charge."
                )
                % {"how": _paper_contact(org)},
            ),
            (
                _("Withdrawing your consent"),
                _(
                    "You may withdraw this consent at any time, free of charge, in your portal's account "
                    "settings (Consent to electronic records). Withdrawing does not affect records you "
                    "already signed electronically. After you withdraw, you cannot sign electronically in "
                    "this portal until you consent again, and %(org)s will arrange paper documents with you, "
                    "which may take longer."
                )
                % {"org": name},
            ),
            (
                _("Keeping your contact details up to date"),
                _(
                    "We send records to the email address of your portal account. To change it or your "
                    "phone number, use your portal's account settings or tell %(org)s through a request."
                )
                % {"org": name},
            ),
            (
                _("What you need"),
                _(
                    "A phone, tablet or computer with a current web browser that can open PDF files, and "
                    "an email address that you can read. If you can open this page and its PDF version, "
                    "your device is enough."
                ),
            ),
        )
        title = _("Consent to electronic records and signatures")
    canonical = "\n\n".join([DISCLOSURE_VERSION, title, *(f"{h}\n{t}" for h, t in paragraphs)])
    return Disclosure(
        version=DISCLOSURE_VERSION,
        title=title,
        paragraphs=paragraphs,
        sha256=hashlib.sha256(canonical.encode()).hexdigest(),
    )


@functools.lru_cache(maxsize=32)
def disclosure_pdf(disclosure: Disclosure) -> bytes:
    """The same text as a PDF: opening it shows the person can open the agreement's PDF too.
    Kept per process by its content (a few organizations and languages)."""
    html = render_to_string("agreements/portal_disclosure_pdf.html", {"d": disclosure})
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=set())).write_pdf()
