"""What an upload is, decided from its bytes; and images made safe before they are stored.

An upload is accepted by sniffed content, never by its name or the client's MIME type: JPEG, PNG,
WEBP, HEIC/HEIF (decoded by pillow-heif), PDF, and short MP4 video. Everything else is refused
with a stable code and a reason: SVG, HTML, scripts, archives, polyglots (a JPEG with a zip
appended, a PDF that is also an archive), anything truncated or that does not decode, files too big.
Images are decoded and re-encoded, which drops EXIF (GPS above all) and any trailing bytes; their
orientation is applied first so the picture still stands the right way up.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

try:  # HEIC from phones; the plugin registers itself with Pillow
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF_SUPPORTED = True
except ImportError:  # pragma: no cover - it is in requirements.txt
    HEIF_SUPPORTED = False

Image.MAX_IMAGE_PIXELS = 50_000_000  # a decompression bomb is refused, not decoded

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "HEIF": "image/heic"}
# What each image is stored as after re-encoding (HEIC becomes JPEG so every browser can show it).
STORED_AS = {"JPEG": ("JPEG", "jpg"), "PNG": ("PNG", "png"), "WEBP": ("WEBP", "webp"), "HEIF": ("JPEG", "jpg")}


class UploadRefused(Exception):
    """The upload is not accepted; `code` is stable for clients, `message` says why in words."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class CleanFile:
    content: bytes
    content_type: str
    extension: str
    kind: str  # "image", "pdf" or "video"


def _limit(name: str, default_mb: int) -> int:
    return int(getattr(settings, name, default_mb)) * 1024 * 1024


# What a client may declare before a direct upload, and the family each type belongs to; the family sets
# the size limit. The bytes still decide: a file whose sniffed family differs from the declared one is refused.
DECLARED_TYPES = {
    "image/jpeg": "image",
    "image/png": "image",
    "image/webp": "image",
    "image/heic": "image",
    "image/heif": "image",
    "application/pdf": "pdf",
    "video/mp4": "video",
}
FAMILY_OF_SNIFFED = {"jpeg": "image", "png": "image", "webp": "image", "heif": "image", "pdf": "pdf", "mp4": "video"}
FAMILY_NAMES = {"image": "an image", "pdf": "a PDF", "video": "a video"}


def max_bytes(family: str) -> int:
    """The size limit of a family of files ("image", "pdf" or "video"), in bytes."""
    return {
        "image": _limit("DOMI_UPLOAD_MAX_IMAGE_MB", 10),
        "pdf": _limit("DOMI_UPLOAD_MAX_PDF_MB", 20),
        "video": _limit("DOMI_UPLOAD_MAX_VIDEO_MB", 30),
    }[family]


def _looks_like_markup(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<", b"#!", b"<?xml")) or b"<svg" in text[:512] or b"<script" in text[:2048]


def _contains_archive(data: bytes) -> bool:
    if b"PK\x03\x04" in data or b"PK\x05\x06" in data:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return bool(archive.namelist())
        except zipfile.BadZipFile:
            return b"PK\x03\x04" in data
    return data.startswith((b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b"))


def sniff(data: bytes) -> str:
    """The type the bytes really are: 'jpeg', 'png', 'webp', 'heif', 'pdf', 'mp4', or raise UploadRefused."""
    if not data:
        raise UploadRefused("empty", "The file is empty.")
    head = data[:64]
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif"):
            return "heif"
        if brand in (b"isom", b"iso2", b"mp41", b"mp42", b"avc1", b"M4V ", b"dash"):
            return "mp4"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if _looks_like_markup(data[:4096]):
        raise UploadRefused("unsupported_type", "Markup, SVG and scripts are not accepted; send a photo or a PDF.")
    if _contains_archive(data[:1024]):
        raise UploadRefused("unsupported_type", "Archives are not accepted; send the photos or PDFs themselves.")
    raise UploadRefused("unsupported_type", "This is not a JPEG, PNG, WEBP, HEIC, PDF or MP4 file.")


def _image_end(data: bytes, sniffed: str) -> int | None:
    """Where the image format says the file ends; bytes after it make a polyglot."""
    if sniffed == "jpeg":
        end = data.rfind(b"\xff\xd9")
        return end + 2 if end != -1 else None
    if sniffed == "png":
        end = data.rfind(b"IEND")
        return end + 8 if end != -1 else None  # the chunk type and its CRC
    if sniffed == "webp":
        return 8 + int.from_bytes(data[4:8], "little")
    return None


def clean_image(data: bytes, sniffed: str) -> CleanFile:
    if len(data) > _limit("DOMI_UPLOAD_MAX_IMAGE_MB", 10):
        raise UploadRefused("too_large", f"Images may be at most {settings.DOMI_UPLOAD_MAX_IMAGE_MB} MB.")
    end = _image_end(data, sniffed)
    if end is not None and len(data) - end > 16:
        raise UploadRefused("polyglot", "The image carries other data after its end (for example an archive).")
    if _contains_archive(data):
        raise UploadRefused("polyglot", "The image has an archive hidden inside it.")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise UploadRefused("unreadable", "The image is damaged or truncated and cannot be read.") from exc
    fmt = "HEIF" if sniffed == "heif" else image.format
    if fmt not in IMAGE_FORMATS:
        raise UploadRefused("unsupported_type", "This image format is not accepted.")

    upright = ImageOps.exif_transpose(image)  # apply the orientation before the EXIF goes
    out_format, extension = STORED_AS[fmt]
    if out_format == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    buffer = io.BytesIO()
    save_options = {"quality": 88, "optimize": True} if out_format in ("JPEG", "WEBP") else {"optimize": True}
    # A fresh image with only the pixels (and the palette): no EXIF, XMP or comments are carried over.
    clean = Image.new(upright.mode, upright.size)
    clean.paste(upright)
    if upright.mode == "P" and upright.getpalette():
        clean.putpalette(upright.getpalette())
    clean.save(buffer, format=out_format, **save_options)
    return CleanFile(
        buffer.getvalue(), f"image/{'jpeg' if out_format == 'JPEG' else out_format.lower()}", extension, "image"
    )


def clean_pdf(data: bytes) -> CleanFile:
    if len(data) > _limit("DOMI_UPLOAD_MAX_PDF_MB", 20):
        raise UploadRefused("too_large", f"PDFs may be at most {settings.DOMI_UPLOAD_MAX_PDF_MB} MB.")
    if b"%%EOF" not in data[-1024:]:
        raise UploadRefused("unreadable", "The PDF is truncated or damaged.")
    if _contains_archive(data):
        raise UploadRefused("polyglot", "The PDF has an archive hidden inside it.")
    lowered = data.lower()
    if b"/javascript" in lowered or b"/js " in lowered or b"/launch" in lowered or b"/embeddedfile" in lowered:
        raise UploadRefused("unsafe_content", "PDFs with scripts, launch actions or embedded files are not accepted.")
    return CleanFile(data, "application/pdf", "pdf", "pdf")


def clean_video(data: bytes) -> CleanFile:
    if len(data) > _limit("DOMI_UPLOAD_MAX_VIDEO_MB", 30):
        raise UploadRefused("too_large", f"Videos may be at most {settings.DOMI_UPLOAD_MAX_VIDEO_MB} MB.")
    if _contains_archive(data):
        raise UploadRefused("polyglot", "The video has an archive hidden inside it.")
    if b"moov" not in data:
        raise UploadRefused("unreadable", "The video is truncated or damaged.")
    return CleanFile(data, "video/mp4", "mp4", "video")


def clean_upload(data: bytes) -> CleanFile:
    """Decide what the bytes are and return what may be stored, or raise UploadRefused with the reason."""
    sniffed = sniff(data)
    if sniffed in ("jpeg", "png", "webp", "heif"):
        if sniffed == "heif" and not HEIF_SUPPORTED:
            raise UploadRefused("unsupported_type", "HEIC photos cannot be read here; send a JPEG.")
        return clean_image(data, sniffed)
    if sniffed == "pdf":
        return clean_pdf(data)
    return clean_video(data)


def make_thumbnail(data: bytes, size: int = 320) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        image = image.convert("RGB")
        image.thumbnail((size, size))
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=80)
        return buffer.getvalue()
