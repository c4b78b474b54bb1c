"""Short-lived links to stored files, handed out only to people allowed to see the request.

On S3 the link is a presigned GET URL from django-storages (private objects, expiry from
DOMI_FILE_LINK_SECONDS). On local storage it is a signed token for the `file-download` view below,
with the same expiry: whoever holds the link may fetch that one file until it expires, like a
presigned URL, and nobody can make one without the secret key.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.views.decorators.http import require_GET

from .models import Attachment

SALT = "domi.files"


def _on_s3() -> bool:
    return bool(settings.DOMI_S3_BUCKET)


def attachment_link(*, attachment: Attachment, thumbnail: bool = False, absolute: bool = True) -> str | None:
    """A link to the file (or its thumbnail) that works for DOMI_FILE_LINK_SECONDS. Scope-check before calling."""
    field = attachment.thumbnail if thumbnail else attachment.file
    if not field:
        return None
    if _on_s3():
        return default_storage.url(field.name, expire=settings.DOMI_FILE_LINK_SECONDS)
    token = signing.dumps({"a": attachment.pk, "t": int(thumbnail)}, salt=SALT, compress=True)
    path = reverse("file-download", args=[token])
    return f"{settings.DOMI_BASE_URL.rstrip('/')}{path}" if absolute else path


@require_GET
def download(request: HttpRequest, token: str) -> FileResponse:
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.DOMI_FILE_LINK_SECONDS)
    except signing.BadSignature as exc:  # expired links are bad signatures too
        raise Http404("This link is not valid or has expired.") from exc
    attachment = Attachment.objects.filter(pk=data.get("a")).first()
    if attachment is None:
        raise Http404("This file no longer exists.")
    field = attachment.thumbnail if data.get("t") else attachment.file
    if not field:
        raise Http404("This file no longer exists.")
    response = FileResponse(
        field.open("rb"),
        content_type="image/jpeg" if data.get("t") else attachment.content_type or "application/octet-stream",
        filename=attachment.original_name or None,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=60"
    return response
