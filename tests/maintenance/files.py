"""Real files, made here, for upload tests."""

from __future__ import annotations

import io
import zipfile

from PIL import Image

GPS_TAG = 0x8825
ORIENTATION_TAG = 0x0112


def jpeg_with_gps(size=(64, 32), orientation: int = 6) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 2, size[1]))  # left half blue, so rotation is visible
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = orientation
    exif[0x010F] = "PhoneMaker"
    gps = {1: "N", 2: (37.0, 46.0, 30.0), 3: "W", 4: (122.0, 25.0, 10.0)}
    exif[GPS_TAG] = gps
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def image_bytes(fmt: str, size=(40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 150, 10)).save(buffer, format=fmt)
    return buffer.getvalue()


def heic_bytes() -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (120, 60, 200)).save(buffer, format="HEIF")
    return buffer.getvalue()


def pdf_bytes(extra: bytes = b"") -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n" + extra + b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def mp4_bytes() -> bytes:
    ftyp = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    moov = b"\x00\x00\x00\x08moov"
    return ftyp + moov


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.txt", "hidden")
    return buffer.getvalue()


SVG_WITH_SCRIPT = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML_PAGE = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
