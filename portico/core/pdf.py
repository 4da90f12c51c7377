"""What every PDF Portico renders (WeasyPrint) shares: one font configuration per thread, the
branding fetcher (the organization's logo handed over from memory; nothing else is fetched: no
network, no file paths) and the branding itself (name, colours, logo) read from the pieces the
caller gives (the portal's settings live above core)."""

from __future__ import annotations

import io
import mimetypes
import threading
from typing import Any

from django.db.models.fields.files import FieldFile
from PIL import Image, ImageFile
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Importing WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES, which would make every
# upload check in the process (clients/images.py) accept truncated images. The logo we hand it
# was checked when uploaded, so WeasyPrint needs no leniency: put Pillow's strict default back.
ImageFile.LOAD_TRUNCATED_IMAGES = False

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_URL = "portico:logo"
DEFAULT_PRIMARY = "#1f5fbf"
DEFAULT_ACCENT = "#0b7a4b"
_fonts = threading.local()


def font_config() -> FontConfiguration:
    """One font configuration per thread, kept between PDFs (making one costs a few tens of ms;
    the PDFs declare no @font-face of their own, so there is nothing to leak from one to the next)."""
    config = getattr(_fonts, "config", None)
    if config is None:
        config = _fonts.config = FontConfiguration()
    return config


class BrandingFetcher(URLFetcher):
    """The only resource a PDF loads: the organization's logo, handed over from memory (no
    base64 in the HTML, no network, no file paths). Any other URL (typed in a text) is refused."""

    def __init__(self, logo: bytes, content_type: str) -> None:
        super().__init__(allowed_protocols=set())
        self.logo, self.content_type = logo, content_type

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url == LOGO_URL and self.logo:
            return URLFetcherResponse(url, body=self.logo, headers={"Content-Type": self.content_type})
        raise ValueError(f"not fetched: {url[:40]}")


def logo_content_type(name: str, data: bytes) -> str:
    """The logo's MIME type, from the file itself: the format Pillow reads in it (PNG, JPEG, WebP,
    GIF, ...), else, for a vector logo Pillow cannot read, its extension (SVG). "" when neither
    knows it (the PDF is then drawn without the logo)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            mime = Image.MIME.get(image.format or "", "")
    except (OSError, ValueError, Image.DecompressionBombError):
        mime = ""
    if mime:
        return mime
    guessed, _encoding = mimetypes.guess_type(name)
    return guessed if guessed == "image/svg+xml" else ""


def branding_read(*, name: str, primary: str = "", accent: str = "", logo: FieldFile | None = None) -> dict[str, Any]:
    """Name, colours and logo (bytes and MIME type) of a PDF's header; a logo that cannot be read,
    is too large or of an unknown type is left out."""
    brand: dict[str, Any] = {
        "name": name,
        "primary": primary or DEFAULT_PRIMARY,
        "accent": accent or DEFAULT_ACCENT,
        "logo": b"",
        "logo_type": "",
    }
    if logo:
        try:
            with logo.open("rb") as f:
                data = f.read(LOGO_MAX_BYTES + 1)
        except OSError:
            data = b""
        if data and len(data) <= LOGO_MAX_BYTES:
            brand["logo_type"] = logo_content_type(logo.name or "", data)
            brand["logo"] = data if brand["logo_type"] else b""
    return brand
