"""Forms more than one page uses: comments, photos, a reason for a move."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from streamlit_app import session
from streamlit_app.client import ApiError, AttachmentKind, DomiClient, RequestDetail, Upload

IMAGE_TYPES = ["jpg", "jpeg", "png", "webp", "heic"]
VIDEO_TYPES = ["mp4"]
# Every upload the portal offers is a photo of some kind, and the API refuses a PDF as a photo.
PHOTO_TYPES = [*IMAGE_TYPES, *VIDEO_TYPES]


def _limit_from_environment(name: str, default: int) -> int:
    # The API's own settings, read from the same variables when the two share a configuration.
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


MAX_IMAGE_MB = _limit_from_environment("DOMI_UPLOAD_MAX_IMAGE_MB", 10)
MAX_PDF_MB = _limit_from_environment("DOMI_UPLOAD_MAX_PDF_MB", 20)
MAX_VIDEO_MB = _limit_from_environment("DOMI_UPLOAD_MAX_VIDEO_MB", 30)
MAX_FILES_PER_REQUEST = _limit_from_environment("DOMI_UPLOAD_MAX_FILES_PER_REQUEST", 10)
# What a file is called in a message, and how large it may be, by its extension.
UPLOAD_LIMITS: dict[str, tuple[str, int]] = {
    **dict.fromkeys(IMAGE_TYPES, ("Photos", MAX_IMAGE_MB)),
    "pdf": ("PDFs", MAX_PDF_MB),
    **dict.fromkeys(VIDEO_TYPES, ("Videos", MAX_VIDEO_MB)),
}


def upload_max_mb(types: Sequence[str]) -> int:
    """The largest file the uploader lets through (it says so instead of Streamlit's default 200 MB)."""
    return max(UPLOAD_LIMITS[extension][1] for extension in types)


def upload_help(types: Sequence[str], *, already: int = 0) -> str:
    """The API's limits, said before the person picks the files."""
    sizes = dict.fromkeys(UPLOAD_LIMITS[extension] for extension in types)
    per_type = ", ".join(f"{what.lower()} up to {mb} MB each" for what, mb in sizes)
    room = MAX_FILES_PER_REQUEST - already
    count = f"Up to {MAX_FILES_PER_REQUEST} files per request"
    if already:
        count += f" ({already} added already, so {max(room, 0)} more)"
    return f"{count}; {per_type}."


def uploads_check(uploads: Sequence[UploadedFile], *, already: int = 0) -> None:
    """Refuse, in the API's error shape, files the API would refuse for their size or number, before sending."""
    problems = []
    room = MAX_FILES_PER_REQUEST - already
    if len(uploads) > room:
        problems.append(
            f"A request may have at most {MAX_FILES_PER_REQUEST} files"
            + (f"; it has {already} already" if already else "")
            + f". You chose {len(uploads)}: please leave out {len(uploads) - max(room, 0)}."
        )
    for upload in uploads:
        extension = upload.name.rsplit(".", 1)[-1].lower()
        what, mb = UPLOAD_LIMITS.get(extension, ("Files", max(mb for _, mb in UPLOAD_LIMITS.values())))
        if upload.size > mb * 1024 * 1024:
            size = f"{upload.size / (1024 * 1024):.1f} MB"
            problems.append(f"{upload.name} is {size}; {what.lower()} may be at most {mb} MB.")
    if problems:
        raise ApiError(
            "Some files cannot be sent; nothing was sent.",
            status=400,
            code="validation_error",
            fields={"files": problems},
        )


def comment_form(api: DomiClient, request: RequestDetail, *, key: str) -> None:
    form = f"{key}_comment_{request['id']}"
    body_key = f"{form}_body"
    with st.form(form, clear_on_submit=False):
        st.text_area("Add a comment", key=body_key, max_chars=5000)
        session.field_error(form, "body")
        session.form_error(form, {"body"})
        submitted = st.form_submit_button("Send comment")
    if submitted:
        session.submit(form, lambda: api.comment_add(request["id"], body=st.session_state[body_key].strip()))
        st.session_state.pop(body_key, None)
        session.flash("Your comment was sent.")
        st.rerun()


def photo_form(
    api: DomiClient, request: RequestDetail, *, key: str, kind: AttachmentKind = "photo", label: str = "Add photos"
) -> None:
    form = f"{key}_photos_{request['id']}"
    round_key = f"{form}_round"
    uploader_key = f"{form}_files_{st.session_state.get(round_key, 0)}"
    already = len(request.get("attachments") or [])
    with st.form(form):
        st.file_uploader(
            label,
            type=PHOTO_TYPES,
            accept_multiple_files=True,
            key=uploader_key,
            help=upload_help(PHOTO_TYPES, already=already),
            max_upload_size=upload_max_mb(PHOTO_TYPES),
        )
        session.field_error(form, "files")
        session.form_error(form, {"files"})
        submitted = st.form_submit_button("Upload")
    if submitted:
        uploads = st.session_state.get(uploader_key) or []
        if not uploads:
            st.warning("Choose one or more files first.")
            return

        def upload() -> None:
            uploads_check(uploads, already=already)
            files = [Upload(name=f.name, content=f.getvalue(), content_type=f.type or "") for f in uploads]
            api.attachment_upload(request["id"], files=files, kind=kind)

        session.submit(form, upload)
        st.session_state[round_key] = st.session_state.get(round_key, 0) + 1
        session.flash(f"{len(uploads)} file(s) added.")
        st.rerun()


def reason_form(
    form: str,
    *,
    label: str,
    button: str,
    action: Callable[[str], Any],
    done: str,
    required: bool = True,
) -> None:
    """A move that needs the person's reason (reopen, decline, cancel)."""
    reason_key = f"{form}_reason"
    with st.form(form):
        st.text_area(label, key=reason_key, max_chars=2000)
        session.field_error(form, "reason")
        session.form_error(form, {"reason"})
        submitted = st.form_submit_button(button)
    if submitted:
        reason = st.session_state[reason_key].strip()
        if required and not reason:
            st.error("Please give a reason.", icon="✏️")
            return
        session.submit(form, lambda: action(reason))
        st.session_state.pop(reason_key, None)
        session.flash(done)
        st.rerun()


def attachments(request: RequestDetail) -> None:
    files = request.get("attachments") or []
    if not files:
        st.caption("No files yet.")
    for attachment in files:
        kind = "completion photo" if attachment["kind"] == "completion_photo" else attachment["kind"]
        st.markdown(f"- {attachment['original_name']} · {kind}")
