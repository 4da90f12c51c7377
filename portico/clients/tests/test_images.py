"""Record images: only real images get through, re-encoded without metadata; anything else is
refused with a clear error (renamed text files, HTML/SVG, bombs, huge or broken files)."""

from __future__ import annotations

import io
import os
import re
import struct
import time
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageFile

from portico.clients.images import MAX_UPLOAD_BYTES, image_process
from portico.core.errors import PorticoError

NAME = re.compile(r"^[0-9a-f]{32}(-thumb)?\.(jpg|png)$")


def _encoded(img: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, fmt, **params)
    return buffer.getvalue()


def _upload(content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def _opened(content_file) -> Image.Image:
    img = Image.open(io.BytesIO(content_file.read()))
    content_file.seek(0)
    return img


def _refused(content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> PorticoError:
    with pytest.raises(PorticoError) as exc:
        image_process(_upload(content, name, content_type))
    return exc.value


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_declaring(width: int, height: int, idat: bytes = b"", bit_depth: int = 8, colour_type: int = 2) -> bytes:
    """A PNG whose header claims width × height, with whatever image data is given."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    idat = idat or zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


@pytest.fixture
def no_decoding(monkeypatch):
    """Fail the test if any pixel data is decoded."""

    def load(self):
        raise AssertionError("pixel data was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)


# --- Real images come out clean -------------------------------------------------------------


def test_a_jpeg_with_exif_and_gps_comes_out_without_metadata_resized_and_thumbnailed():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCam"
    exif[ExifTags.Base.Model] = "X1"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (19.0, 26.0, 0.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (99.0, 8.0, 0.0)
    content = _encoded(
        Image.new("RGB", (3000, 2000), (40, 120, 200)), "JPEG", exif=exif, icc_profile=b"\x00" * 128, comment=b"hi"
    )
    original = Image.open(io.BytesIO(content))
    assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the input really carries GPS

    result = image_process(_upload(content, name="holiday-at-home.jpg"))

    image = _opened(result.image)
    assert image.format == "JPEG"
    assert image.size == (1024, 683)
    assert not image.getexif()
    assert not {"exif", "icc_profile", "comment", "xmp"} & set(image.info)
    assert b"Exif\x00\x00" not in result.image.read()
    assert b"PhoneCam" not in result.image.read()
    thumbnail = _opened(result.thumbnail)
    assert thumbnail.format == "JPEG"
    assert thumbnail.size == (128, 128)
    assert not thumbnail.getexif()
    assert NAME.match(result.image.name) and result.image.name.endswith(".jpg")
    assert NAME.match(result.thumbnail.name) and result.thumbnail.name.endswith("-thumb.jpg")
    assert "holiday" not in result.image.name + result.thumbnail.name


def test_a_small_image_is_not_enlarged():
    result = image_process(_upload(_encoded(Image.new("RGB", (300, 200), "red"), "JPEG")))
    assert _opened(result.image).size == (300, 200)
    assert _opened(result.thumbnail).size == (128, 128)


def test_a_png_with_transparency_stays_transparent_as_png():
    img = Image.new("RGBA", (1600, 800), (255, 0, 0, 255))
    img.paste((0, 0, 0, 0), (0, 0, 800, 800))  # left half fully transparent
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCam"
    content = _encoded(img, "PNG", exif=exif, icc_profile=b"\x00" * 128)
    assert {"exif", "icc_profile"} <= set(Image.open(io.BytesIO(content)).info)
    result = image_process(_upload(content, name="logo.png", content_type="image/png"))

    image = _opened(result.image)
    assert (image.format, image.mode, image.size) == ("PNG", "RGBA", (1024, 512))
    assert image.getpixel((100, 256))[3] == 0
    assert image.getpixel((900, 256)) == (255, 0, 0, 255)
    assert not {"exif", "icc_profile"} & set(image.info)
    thumbnail = _opened(result.thumbnail)
    assert (thumbnail.format, thumbnail.mode, thumbnail.size) == ("PNG", "RGBA", (128, 128))
    assert result.image.name.endswith(".png") and result.thumbnail.name.endswith("-thumb.png")


def test_a_png_with_an_unused_alpha_channel_becomes_a_jpeg():
    result = image_process(_upload(_encoded(Image.new("RGBA", (200, 200), (0, 128, 0, 255)), "PNG")))
    assert _opened(result.image).format == "JPEG"
    assert _opened(result.thumbnail).format == "JPEG"


def test_a_jpeg_rotated_by_exif_comes_out_upright():
    # Stored landscape, top half red and bottom half blue; orientation 6 means "rotate 90° clockwise
    # to display", so upright it is portrait with the red half on the right.
    stored = Image.new("RGB", (400, 200), (0, 0, 255))
    stored.paste((255, 0, 0), (0, 0, 400, 100))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    result = image_process(_upload(_encoded(stored, "JPEG", exif=exif, quality=95)))

    image = _opened(result.image).convert("RGB")
    assert image.size == (200, 400)
    right, left = image.getpixel((150, 200)), image.getpixel((50, 200))
    assert right[0] > 200 and right[2] < 60  # red
    assert left[2] > 200 and left[0] < 60  # blue
    assert not image.getexif()  # no orientation tag left to rotate it again


def test_a_cmyk_jpeg_a_16_bit_greyscale_png_and_a_webp_are_accepted():
    cmyk = image_process(_upload(_encoded(Image.new("CMYK", (64, 64), (0, 255, 255, 0)), "JPEG")))
    assert _opened(cmyk.image).mode == "RGB"

    grey = image_process(_upload(_encoded(Image.new("I;16", (64, 64), 32768), "PNG"), name="scan.png"))
    value = _opened(grey.image).convert("L").getpixel((32, 32))
    assert 120 <= value <= 136  # scaled to 8 bits, not clipped to white

    webp = image_process(_upload(_encoded(Image.new("RGB", (64, 64), "white"), "WEBP"), name="a.webp"))
    assert _opened(webp.image).format == "JPEG"


def test_an_animated_gif_gives_its_first_frame():
    frames = [Image.new("P", (100, 100), colour) for colour in (1, 2)]
    for frame in frames:
        frame.putpalette([0, 0, 0, 255, 0, 0, 0, 0, 255] + [0] * 759)
    content = _encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)

    result = image_process(_upload(content, name="wave.gif", content_type="image/gif"))

    image = _opened(result.image).convert("RGB")
    assert image.size == (100, 100)
    assert image.getpixel((50, 50))[0] > 200  # the red first frame, not the blue second


# --- Anything else is refused ---------------------------------------------------------------


def test_a_text_file_renamed_photo_jpg_is_refused():
    error = _refused(b"Dear diary,\nthis is not a photo.\n" * 20, name="photo.jpg", content_type="image/jpeg")
    assert error.code == "not_image"
    assert str(error) == "This file is not an image (JPEG, PNG, WebP or GIF)."


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "photo.png", "image/png"),
        (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
            b"<script>alert(1)</script><rect width='10' height='10'/></svg>",
            "photo.svg",
            "image/svg+xml",
        ),
        (b"", "empty.jpg", "image/jpeg"),
    ],
    ids=["html", "svg", "empty"],
)
def test_html_svg_and_empty_files_are_refused(content, name, content_type):
    assert _refused(content, name, content_type).code == "not_image"


@pytest.mark.parametrize("fmt", ["BMP", "TIFF", "PPM"])
def test_real_images_in_other_formats_are_refused(fmt):
    assert _refused(_encoded(Image.new("RGB", (32, 32), "red"), fmt)).code == "not_image"


def test_a_truncated_jpeg_is_refused():
    content = _encoded(Image.effect_noise((512, 512), 64).convert("RGB"), "JPEG")
    assert _refused(content[: len(content) // 2]).code == "not_image"


def test_a_jpeg_with_corrupt_data_is_refused():
    content = _encoded(Image.new("RGB", (64, 64), "red"), "JPEG")
    assert _refused(content[:20] + b"\xff" * 200).code == "not_image"


def test_a_png_bomb_is_refused_before_decoding(no_decoding):
    # 7000 × 7000 one-bit pixels: about 6 KB on disk, 49 megapixels (147 MB as RGB) decoded.
    rows = (b"\x00" + b"\x00" * 875) * 7000
    content = _png_declaring(7000, 7000, zlib.compress(rows, 9), bit_depth=1, colour_type=0)
    assert len(content) < 20_000
    started = time.perf_counter()

    error = _refused(content, name="bomb.png", content_type="image/png")

    assert time.perf_counter() - started < 1
    assert error.code == "too_many_pixels"
    assert str(error) == "This image is too large to process (49 megapixels; at most 40)."
    assert error.extra["pixels"] == 49_000_000


def test_a_png_claiming_100000_by_100000_pixels_is_refused_before_decoding(no_decoding):
    started = time.perf_counter()
    error = _refused(_png_declaring(100_000, 100_000), name="bomb.png", content_type="image/png")
    assert time.perf_counter() - started < 1
    assert error.code == "too_many_pixels"
    assert "10000 megapixels" in str(error)


def test_the_pixel_limit_does_not_rely_on_pillows_global_setting(monkeypatch, no_decoding):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    assert _refused(_png_declaring(100_000, 100_000)).code == "too_many_pixels"
    assert _refused(_png_declaring(8000, 6000)).code == "too_many_pixels"


def test_pillows_decompression_bomb_warning_is_a_refusal(monkeypatch):
    # With a lower global limit, Pillow warns on open; that must refuse, not just log.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    error = _refused(_encoded(Image.new("RGB", (40, 40), "red"), "PNG"))
    assert error.code == "too_many_pixels"


def test_a_huge_file_is_refused():
    content = _encoded(Image.new("RGB", (64, 64), "red"), "JPEG")
    content += os.urandom(6 * 1024 * 1024 - len(content))
    error = _refused(content)
    assert error.code == "too_big"
    assert str(error) == "Images can be at most 5 MB."


def test_a_huge_file_whose_stated_size_lies_is_refused_while_reading():
    upload = _upload(b"\x89PNG\r\n\x1a\n" + b"\x00" * (MAX_UPLOAD_BYTES + 10))
    upload.size = 1000
    with pytest.raises(PorticoError) as exc:
        image_process(upload)
    assert exc.value.code == "too_big"


def test_a_file_of_exactly_the_limit_is_judged_by_its_content():
    content = _encoded(Image.new("RGB", (64, 64), "red"), "JPEG")
    content += b"\x00" * (MAX_UPLOAD_BYTES - len(content))
    result = image_process(_upload(content))
    assert _opened(result.image).size == (64, 64)


def test_rendering_pdfs_in_the_same_process_keeps_the_check_strict():
    # WeasyPrint (estimate PDFs) turns on Pillow's LOAD_TRUNCATED_IMAGES when imported; the
    # estimates app turns it off again, or every upload check here would accept broken images.
    import importlib

    from PIL import ImageFile

    importlib.import_module("portico.estimates.pdf")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    test_a_truncated_jpeg_is_refused()
