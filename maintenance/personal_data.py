"""The maintenance app's part of a person's personal data: their requests, comments and files."""

from __future__ import annotations

from typing import Any

from domi.accounts.models import User
from domi.accounts.personal_data import REMOVED_TEXT, Erasure, PersonalDataSection

from .models import Attachment, Comment, DirectUpload, MaintenanceRequest


def _export(user: User) -> tuple[Any, list[tuple[str, str]]]:
    requests = [
        {
            "id": str(r.public_id),
            "title": r.title,
            "description": r.description,
            "status": r.status,
            "created_at": r.created_at,
        }
        for r in MaintenanceRequest.objects.filter(reporter=user).order_by("created_at")
    ]
    comments = [
        {"request": str(c.request.public_id), "body": c.body, "created_at": c.created_at}
        for c in Comment.objects.filter(author=user).select_related("request").order_by("created_at")
    ]
    attachments, files = [], []
    for a in Attachment.objects.filter(uploaded_by=user).select_related("request").order_by("created_at"):
        archive_name = f"{a.pk}-{a.original_name or a.file.name.rsplit('/', 1)[-1]}"
        attachments.append({"request": str(a.request.public_id), "file": f"files/{archive_name}", "kind": a.kind})
        files.append((a.file.name, archive_name))
    return {"requests": requests, "comments": comments, "attachments": attachments}, files


def _erase(erasure: Erasure) -> None:
    user = erasure.user
    for attachment in Attachment.objects.filter(uploaded_by=user):
        erasure.files += [f.name for f in (attachment.file, attachment.thumbnail) if f]
    Attachment.objects.filter(uploaded_by=user).delete()
    erasure.files += list(DirectUpload.objects.filter(uploader=user).values_list("key", flat=True))
    DirectUpload.objects.filter(uploader=user).delete()
    Comment.objects.filter(author=user).update(body=REMOVED_TEXT)
    # The requests stay (the property's history, the invoices that refer to them), with the reporter the
    # anonymised account; what they say about the person is swept afterwards.


section = PersonalDataSection(name="maintenance", export=_export, erase=_erase)
