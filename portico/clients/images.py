"""Safe processing of a client record's uploaded image.

Only real images get through: the upload is limited in bytes, its format is sniffed from the
content (never the file name or the browser's content type), its declared size is checked
against a pixel limit before a single pixel is decoded, and what is stored is re-encoded by
Pillow from the pixels alone, so EXIF (camera, GPS), ICC, XMP and comments never survive.
Anything else is refused with a PorticoError that says why.
"""

from __future__ import annotations

import io
import math
import re
import struct
import uuid
import warnings
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from portico.core.errors import PorticoError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Our own limit, checked on the declared size before decoding; Pillow's global
# Image.MAX_IMAGE_PIXELS (which anyone may change or disable) is a second line only.
MAX_PIXELS = 40_000_000
MAX_SIDE = 1024
THUMBNAIL_SIDE = 128
JPEG_QUALITY = 85
# The only decoders Pillow may even try. GIFs (and animated PNG/WebP) give their first frame.
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
# Pillow names a multi-picture JPEG (as many cameras write) "MPO"; it is read as a JPEG.
_SNIFFED_FORMATS = frozenset({*ALLOWED_FORMATS, "MPO"})
# What a broken or hostile file may make Pillow's parsers and decoders raise.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError, KeyError, TypeError)


@dataclass(frozen=True)
class ProcessedImage:
    """The re-encoded image (longest side at most 1024 px) and its 128×128 square thumbnail.

    Both are JPEG (quality 85) when the image is opaque and PNG when it has transparency; their
    names are random (``<uuid>.jpg`` and ``<uuid>-thumb.jpg``, or ``.png``), never the upload's."""

    image: ContentFile
    thumbnail: ContentFile


def image_process(upload: UploadedFile) -> ProcessedImage:
    """Check an uploaded file and re-encode it as a clean image and thumbnail.

    Raises PorticoError with code ``too_big`` (more than 5 MB), ``not_image`` (not a JPEG, PNG,
    WebP or GIF, or broken) or ``too_many_pixels`` (declares more than 40 megapixels)."""
    data = _upload_read(upload)
    img = _image_decode(data)
    img = _mode_normalize(img)
    opaque = img.mode == "RGB"
    main = img
    if max(img.size) > MAX_SIDE:
        main = img.resize(_fit_size(img.size), Image.Resampling.LANCZOS, reducing_gap=3.0)
    thumb = _square_thumbnail(img)
    stem = uuid.uuid4().hex
    return ProcessedImage(
        image=_encode(main, opaque, stem),
        thumbnail=_encode(thumb, opaque, f"{stem}-thumb"),
    )


def _too_big() -> PorticoError:
    return PorticoError(
        _("Images can be at most %(limit)s MB.") % {"limit": MAX_UPLOAD_BYTES // (1024 * 1024)},
        code="too_big",
        extra={"max_bytes": MAX_UPLOAD_BYTES},
    )


def _not_image() -> PorticoError:
    return PorticoError(_("This file is not an image (JPEG, PNG, WebP or GIF)."), code="not_image")


def _too_many_pixels(pixels: int | None) -> PorticoError:
    limit = MAX_PIXELS // 1_000_000
    if pixels is None:
        message = _("This image is too large to process (at most %(limit)s megapixels).") % {"limit": limit}
    else:
        message = _("This image is too large to process (%(pixels)s megapixels; at most %(limit)s).") % {
            "pixels": math.ceil(pixels / 1_000_000),
            "limit": limit,
        }
    return PorticoError(message, code="too_many_pixels", extra={"pixels": pixels, "max_pixels": MAX_PIXELS})


def _upload_read(upload: UploadedFile) -> bytes:
    """The upload's bytes, refusing it by its stated size and again by what is actually read."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise _too_big()
    if upload.seekable():
        upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if not isinstance(data, bytes):
        raise _not_image()
    if len(data) > MAX_UPLOAD_BYTES:
        raise _too_big()
    return data


def _image_decode(data: bytes) -> Image.Image:
    """Sniff, check the declared size, then decode (the first frame only)."""
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb warning (over its global limit) is a refusal here, not a log line.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
            if img.format not in _SNIFFED_FORMATS:
                raise _not_image()
            width, height = img.size
            if width < 1 or height < 1:
                raise _not_image()
            if width * height > MAX_PIXELS:
                raise _too_many_pixels(width * height)
            if img.format in ("JPEG", "MPO"):
                # Decode a JPEG at a reduced scale (1/2, 1/4 or 1/8) when it is still at least
                # MAX_SIDE on both sides: far less memory and time for camera photos.
                img.draft(None, (MAX_SIDE, MAX_SIDE))
            img.load()
            # Upright by its EXIF orientation; in place, so no copy when there is nothing to do.
            ImageOps.exif_transpose(img, in_place=True)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        match = re.search(r"\((\d+) pixels\)", str(exc))
        raise _too_many_pixels(int(match.group(1)) if match else None) from exc
    except _DECODE_ERRORS as exc:
        raise _not_image() from exc
    return img


def _mode_normalize(img: Image.Image) -> Image.Image:
    """RGB for opaque images, RGBA for images with real transparency."""
    if img.mode == "F" or img.mode.startswith("I"):
        # 16-bit (or 32-bit) greyscale: scale to 8 bits instead of clipping everything to white.
        img = img.convert("I").point(lambda value: value / 256).convert("L")
    if img.has_transparency_data:
        # Palette, greyscale-with-alpha and colour-key transparency all become an alpha channel.
        img = img if img.mode == "RGBA" else img.convert("RGBA")
        alpha_min = img.getchannel("A").getextrema()[0]  # one band, not all four
        if isinstance(alpha_min, int | float) and alpha_min >= 255:
            img = img.convert("RGB")
    elif img.mode != "RGB":
        # Palette, greyscale, bilevel and CMYK.
        img = img.convert("RGB")
    return img


def _fit_size(size: tuple[int, int]) -> tuple[int, int]:
    width, height = size
    scale = MAX_SIDE / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _square_thumbnail(img: Image.Image) -> Image.Image:
    """The centred square, scaled to THUMBNAIL_SIDE (straight from the full image, no crop copy)."""
    width, height = img.size
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    return img.resize(
        (THUMBNAIL_SIDE, THUMBNAIL_SIDE),
        Image.Resampling.LANCZOS,
        box=(left, top, left + side, top + side),
        reducing_gap=3.0,
    )


def _encode(img: Image.Image, opaque: bool, stem: str) -> ContentFile:
    """Re-encode from the pixels alone: a fresh image has no info, so no EXIF, ICC or comments."""
    clean = Image.new(img.mode, img.size)
    clean.paste(img)
    buffer = io.BytesIO()
    if opaque:
        clean.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
        extension = "jpg"
    else:
        clean.save(buffer, "PNG", optimize=True)
        extension = "png"
    return ContentFile(buffer.getvalue(), name=f"{stem}.{extension}")
