"""Fetching the list from a web address (``manage.py sat69b_import URL`` and the schedule)."""

from __future__ import annotations

import urllib.error
import urllib.request

from django.utils.translation import gettext as _

from portico.core.errors import PorticoError

# The SAT's full list is about 10 MB; anything far beyond that is not it.
MAX_BYTES = 64 * 1024 * 1024
TIMEOUT_SECONDS = 60


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def download(url: str, *, limit: int = MAX_BYTES, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The body at ``url`` (http or https only), at most ``limit`` bytes. Raises PorticoError."""
    if not is_url(url):
        raise PorticoError(_("Only http:// and https:// addresses can be downloaded."), code="sat69b_bad_url")
    request = urllib.request.Request(url, headers={"User-Agent": "Portico SAT 69-B import"})  # noqa: S310 (http/https only)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked above)
            body: bytes = response.read(limit + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise PorticoError(
            _("The SAT 69-B list could not be downloaded from %(url)s: %(error)s") % {"url": url, "error": exc},
            code="sat69b_download_failed",
        ) from exc
    if len(body) > limit:
        raise PorticoError(
            _("The file at %(url)s is larger than %(mb)s MB: it is not the SAT 69-B list.")
            % {"url": url, "mb": limit // (1024 * 1024)},
            code="sat69b_too_large",
        )
    return body
