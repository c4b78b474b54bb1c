"""Large files straight to S3: a presigned POST form, then "complete" to have the file checked and kept.

1. POST .../attachments/direct/ with the file's name, size, type and kind answers a form (url and fields)
   for one private, encrypted object of exactly that size, valid for DOMI_DIRECT_UPLOAD_SECONDS.
2. The client posts the file to the form's url (multipart/form-data: the fields, then `file`).
3. POST .../attachments/direct/{upload_id}/complete/ has the server read the file back and check it
   exactly as a multipart upload is checked: 201 with the attachment, or 400 with the reason.

Who may upload what is the same as for the multipart endpoint. On local storage both answer 409
(direct_upload_unavailable): use the multipart endpoint.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from domi.api.ratelimit import ratelimit

from .. import selectors, services
from ..models import Attachment
from ..uploads import DECLARED_TYPES
from .attachments import AttachmentWithLinkOutput
from .views import TAGS, RequestScope

DESCRIPTION = (
    "For large files on S3 storage. Post the file to `url` as multipart/form-data with every entry of "
    "`fields` first and the file last (as `file`), before `expires_at`; then complete the upload. On local "
    "storage this answers 409 (code direct_upload_unavailable): send the file to the multipart endpoint."
)


class DirectUploadInput(serializers.Serializer):
    filename = serializers.CharField(max_length=255)
    size = serializers.IntegerField(min_value=1, help_text="The exact size in bytes; S3 accepts no other.")
    content_type = serializers.ChoiceField(choices=list(DECLARED_TYPES))
    kind = serializers.ChoiceField(choices=Attachment.Kind.choices, default=Attachment.Kind.PHOTO)


class DirectUploadFormOutput(serializers.Serializer):
    id = serializers.UUIDField(source="upload.id", help_text="Complete the upload with this id.")
    url = serializers.URLField(help_text="Where to post the file.")
    fields = serializers.DictField(child=serializers.CharField(), help_text="Form fields to send before the file.")
    expires_at = serializers.DateTimeField(source="upload.expires_at")
    size = serializers.IntegerField(source="upload.size", help_text="The only size, in bytes, the form accepts.")


class DirectUploadsView(RequestScope):
    error_statuses = {"POST": (409, 429)}

    @extend_schema(
        tags=TAGS,
        summary="Start a direct upload to S3 (a presigned POST form)",
        description=DESCRIPTION,
        request=DirectUploadInput,
        responses={201: DirectUploadFormOutput},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.validated(DirectUploadInput)
        # The same allowance as multipart uploads: one started upload is one file.
        ratelimit(request, group="uploads", rate="upload_per_user", key="user")
        form = services.direct_upload_start(request=self.object, uploader=request.user, **data)
        return self.output(DirectUploadFormOutput, form, status=201)


class DirectUploadCompleteView(RequestScope):
    error_statuses = {"POST": (409,)}

    @extend_schema(
        tags=TAGS,
        summary="Complete a direct upload: the file is checked and kept, or refused with the reason",
        description="Only who started the upload may complete it, once (again: 409). The posted object is "
        "deleted either way; a refused file answers 400 with `fields.files.<name>.code` and `.message`.",
        request=None,
        responses={201: AttachmentWithLinkOutput},
    )
    def post(self, request: Request, pk: int, upload_id: str) -> Response:
        upload = get_object_or_404(selectors.direct_uploads_of(request=self.object, user=request.user), pk=upload_id)
        attachment = services.direct_upload_complete(upload=upload, user=request.user)
        return self.output(AttachmentWithLinkOutput, attachment, status=201)
