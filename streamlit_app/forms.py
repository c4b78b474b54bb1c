"""Forms more than one page uses: comments, photos, a reason for a move."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from streamlit_app import session
from streamlit_app.client import AttachmentKind, DomiClient, RequestDetail, Upload

PHOTO_TYPES = ["jpg", "jpeg", "png", "webp", "heic", "pdf", "mp4"]


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
    with st.form(form):
        st.file_uploader(label, type=PHOTO_TYPES, accept_multiple_files=True, key=uploader_key)
        session.field_error(form, "files")
        session.form_error(form, {"files"})
        submitted = st.form_submit_button("Upload")
    if submitted:
        uploads = st.session_state.get(uploader_key) or []
        if not uploads:
            st.warning("Choose one or more files first.")
            return
        files = [Upload(name=f.name, content=f.getvalue(), content_type=f.type or "") for f in uploads]
        session.submit(form, lambda: api.attachment_upload(request["id"], files=files, kind=kind))
        st.session_state[round_key] = st.session_state.get(round_key, 0) + 1
        session.flash(f"{len(files)} file(s) added.")
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
