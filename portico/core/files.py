"""Uploaded files leave Portico through one door: a view that has already checked who may see the
file calls ``private_file_response``. Nothing under MEDIA_ROOT is served directly."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse

# Record images and thumbnails: the browser may keep them a while, no shared cache may.
CACHE_PRIVATE = "private, max-age=3600"
# Files a person uploaded (attachments): never kept anywhere.
CACHE_NONE = "private, no-store"
# Branding shown to anyone (a portal's logo in invitation mail).
CACHE_PUBLIC = "public, max-age=3600"


def private_file_response(
    field: FieldFile | None,
    *,
    content_type: str | None = None,
    download_name: str | None = None,
    cache: str = CACHE_PRIVATE,
) -> FileResponse:
    """Send the file of ``field`` (404 when there is none). ``download_name``: always a download
    under that name, never shown inline. The type is the one Portico checked when the file was
    stored (or, for images, the one it re-encoded to), and the browser must not guess another."""
    if not field:
        raise Http404
    if content_type is None:
        content_type = "image/png" if (field.name or "").lower().endswith(".png") else "image/jpeg"
    response = FileResponse(
        field.open("rb"),
        content_type=content_type,
        as_attachment=download_name is not None,
        filename=download_name or "",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = cache
    return response


def pdf_download_response(data: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    """A PDF Portico made (an estimate, an agreement) as a download (``inline``: shown by the
    browser's viewer, as the portal shows an agreement to read), kept by no cache."""
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = CACHE_NONE
    response["X-Content-Type-Options"] = "nosniff"
    return response
