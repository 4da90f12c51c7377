"""Safe attachments: the type is sniffed from the content (never the name or the browser's
claim), the size is capped, the name is cleaned. Files are stored under MEDIA_ROOT, which is
never served directly: a view checks who may see the request first."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from portico.core.errors import PorticoError

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
# Magic numbers of the types a client may send: images and PDF.
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
)


@dataclass
class CheckedUpload:
    name: str
    content_type: str
    size: int
    content: ContentFile[bytes]


def upload_check(upload: UploadedFile) -> CheckedUpload:
    size = upload.size or 0
    if size > MAX_ATTACHMENT_BYTES:
        raise PorticoError(_("An attachment is larger than 10 MB."), code="too_big")
    data = upload.read(MAX_ATTACHMENT_BYTES + 1)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise PorticoError(_("An attachment is larger than 10 MB."), code="too_big")
    sniffed = next(((ctype, ext) for magic, ctype, ext in SIGNATURES if data.startswith(magic)), None)
    if sniffed is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        sniffed = ("image/webp", ".webp")
    if sniffed is None:
        raise PorticoError(_("Attach a PDF or a picture (JPEG, PNG, GIF or WebP)."), code="bad_type")
    content_type, extension = sniffed
    stem = get_valid_filename((upload.name or "attachment").rsplit("/", 1)[-1].rsplit(".", 1)[0])[:80] or "attachment"
    return CheckedUpload(name=stem + extension, content_type=content_type, size=len(data), content=ContentFile(data))
