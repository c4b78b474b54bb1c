"""A request's photos and documents: list, upload (multipart, several files at once), read with a link, delete.

Files are checked by their content in maintenance.services.attachment_add; a refusal answers 400 in the
API's error shape with the reason per file (fields.files.<name>.code / message), and nothing is stored.
Links to the bytes expire after DOMI_FILE_LINK_SECONDS and are handed out only inside the caller's scope.
"""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from domi.api.ratelimit import ratelimit

from .. import services
from ..files import attachment_link
from ..models import Attachment
from .views import TAGS, RequestScope


class AttachmentWithLinkOutput(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="A link to the file that expires after a few minutes.")
    thumbnail_url = serializers.SerializerMethodField(allow_null=True)
    uploaded_by = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "kind", "original_name", "content_type", "size", "created_at", "uploaded_by", "url",
                  "thumbnail_url"]  # fmt: skip

    def get_url(self, obj: Attachment) -> str:
        return attachment_link(attachment=obj) or ""

    def get_thumbnail_url(self, obj: Attachment) -> str | None:
        return attachment_link(attachment=obj, thumbnail=True)

    def get_uploaded_by(self, obj: Attachment) -> str:
        return obj.uploaded_by.get_full_name() or obj.uploaded_by.get_role_display()


class UploadInput(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField(allow_empty_file=True), allow_empty=False)
    kind = serializers.ChoiceField(choices=Attachment.Kind.choices, default=Attachment.Kind.PHOTO)


class RequestAttachmentsView(RequestScope):
    parser_classes = [MultiPartParser]
    error_statuses = {"POST": (429,)}

    @extend_schema(
        tags=TAGS,
        summary="The request's files, with short-lived links",
        responses={200: AttachmentWithLinkOutput(many=True)},
    )
    def get(self, request: Request, pk: int) -> Response:
        attachments = self.object.attachments.select_related("uploaded_by").order_by("created_at", "id")
        return self.paginated(attachments, AttachmentWithLinkOutput)

    @extend_schema(
        tags=TAGS,
        summary="Upload photos or documents (multipart; several `files` at once)",
        request={"multipart/form-data": inline_serializer(
            "UploadForm",
            {"files": serializers.ListField(child=serializers.FileField()), "kind": serializers.ChoiceField(
                choices=Attachment.Kind.choices, required=False)},
        )},
        responses={201: AttachmentWithLinkOutput(many=True)},
    )  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        ratelimit(request, group="uploads", rate="upload_per_user", key="user")
        files = request.FILES.getlist("files")
        data = self.validated_upload(files)
        with transaction.atomic():
            created = services.attachment_add(
                request=self.object, uploader=request.user, files=files, kind=data["kind"]
            )
        results = AttachmentWithLinkOutput(created, many=True, context=self.get_serializer_context()).data
        # The same shape as the list (one page holding what was just stored), as the schema documents.
        return Response({"count": len(results), "next": None, "previous": None, "results": results}, status=201)

    def validated_upload(self, files: list) -> dict:
        serializer = UploadInput(data={"files": files, "kind": self.request.data.get("kind", Attachment.Kind.PHOTO)})
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class RequestAttachmentDetailView(RequestScope):
    @extend_schema(tags=TAGS, summary="One file, with a short-lived link", responses={200: AttachmentWithLinkOutput})
    def get(self, request: Request, pk: int, attachment_id: int) -> Response:
        attachment = get_object_or_404(self.object.attachments.select_related("uploaded_by"), pk=attachment_id)
        return self.output(AttachmentWithLinkOutput, attachment)

    @extend_schema(tags=TAGS, summary="Remove a file (its uploader, or staff)", responses={204: None})
    def delete(self, request: Request, pk: int, attachment_id: int) -> Response:
        attachment = get_object_or_404(self.object.attachments, pk=attachment_id)
        services.attachment_delete(attachment=attachment, user=request.user)
        return Response(status=204)
