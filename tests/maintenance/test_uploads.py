"""Uploads on local storage: accepted by content, refused with a reason, EXIF gone, links scoped and short-lived."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from domi.errors import NotPermitted, UploadRejected
from maintenance import services
from maintenance.files import attachment_link
from maintenance.models import Attachment
from tests import factories
from tests.maintenance import files

pytestmark = pytest.mark.django_db


def _upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def request_(tenant, unit):
    return factories.MaintenanceRequestFactory(unit=unit, reporter=tenant)


@pytest.mark.parametrize(
    ("name", "maker", "stored_type"),
    [
        ("leak.jpg", lambda: files.jpeg_with_gps(), "image/jpeg"),
        ("leak.png", lambda: files.image_bytes("PNG"), "image/png"),
        ("leak.webp", lambda: files.image_bytes("WEBP"), "image/webp"),
        ("leak.heic", files.heic_bytes, "image/jpeg"),
        ("lease.pdf", files.pdf_bytes, "application/pdf"),
        ("clip.mp4", files.mp4_bytes, "video/mp4"),
    ],
)
def test_every_accepted_type_is_stored(request_, tenant, name, maker, stored_type, django_capture_on_commit_callbacks):
    kind = Attachment.Kind.DOCUMENT if name.endswith(".pdf") else Attachment.Kind.PHOTO
    with django_capture_on_commit_callbacks(execute=True):
        [attachment] = services.attachment_add(
            request=request_, uploader=tenant, files=[_upload(name, maker())], kind=kind
        )
    assert attachment.content_type == stored_type
    assert attachment.original_name == name
    assert default_storage.exists(attachment.file.name)
    # The stored name is random: not the client's name, not guessable from the request.
    assert name.split(".")[0] not in attachment.file.name
    if stored_type.startswith("image/"):
        attachment.refresh_from_db()
        assert attachment.thumbnail, "the thumbnail task ran after commit"


def test_exif_is_gone_and_orientation_applied(request_, tenant):
    original = files.jpeg_with_gps(size=(64, 32), orientation=6)
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get(files.GPS_TAG)
    [attachment] = services.attachment_add(request=request_, uploader=tenant, files=[_upload("a.jpg", original)])
    with attachment.file.open("rb") as stored, Image.open(stored) as after:
        exif = after.getexif()
        assert not exif.get(files.GPS_TAG) and not exif.get(0x010F) and not exif.get(files.ORIENTATION_TAG)
        assert after.size == (32, 64), "rotated upright before the orientation tag was dropped"
    with attachment.file.open("rb") as stored:
        assert b"PhoneMaker" not in stored.read()


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("photo.pdf", files.image_bytes("PNG"), None),  # a PNG renamed .pdf is accepted as what it is: a PNG
        ("drawing.svg", files.SVG_WITH_SCRIPT, "unsupported_type"),
        ("page.jpg", files.HTML_PAGE, "unsupported_type"),
        ("archive.jpg", files.zip_bytes(), "unsupported_type"),
        ("polyglot.jpg", files.jpeg_with_gps() + files.zip_bytes(), "polyglot"),
        ("truncated.jpg", files.jpeg_with_gps()[:300], "unreadable"),
        ("truncated.pdf", files.pdf_bytes()[:60], "unreadable"),
        ("script.pdf", files.pdf_bytes(b"3 0 obj<</S/JavaScript/JS(app.alert(1))>>endobj\n"), "unsafe_content"),
        ("empty.png", b"", "empty"),
    ],
)
def test_refusals_say_why_and_store_nothing(request_, tenant, name, data, code):
    before = set(_stored())
    if code is None:
        [attachment] = services.attachment_add(request=request_, uploader=tenant, files=[_upload(name, data)])
        assert attachment.content_type == "image/png"
        return
    with pytest.raises(UploadRejected) as refused:
        services.attachment_add(request=request_, uploader=tenant, files=[_upload(name, data, "image/jpeg")])
    assert refused.value.fields["files"][name]["code"] == code
    assert refused.value.fields["files"][name]["message"]
    assert not Attachment.objects.exists()
    assert set(_stored()) == before


def _stored() -> list[str]:
    import os

    from django.conf import settings

    found = []
    for root, _dirs, names in os.walk(settings.MEDIA_ROOT):
        found += [os.path.join(root, n) for n in names]
    return found


def test_one_bad_file_refuses_the_whole_upload(request_, tenant):
    good, bad = _upload("ok.png", files.image_bytes("PNG")), _upload("bad.svg", files.SVG_WITH_SCRIPT)
    with pytest.raises(UploadRejected) as refused:
        services.attachment_add(request=request_, uploader=tenant, files=[good, bad])
    assert list(refused.value.fields["files"]) == ["bad.svg"]
    assert not Attachment.objects.exists()


def test_oversized_and_too_many_files_are_refused(request_, tenant, settings):
    settings.DOMI_UPLOAD_MAX_IMAGE_MB = 0  # every image is now too large
    with pytest.raises(UploadRejected) as refused:
        services.attachment_add(request=request_, uploader=tenant, files=[_upload("a.png", files.image_bytes("PNG"))])
    assert refused.value.fields["files"]["a.png"]["code"] == "too_large"

    settings.DOMI_UPLOAD_MAX_IMAGE_MB = 10
    settings.DOMI_UPLOAD_MAX_FILES_PER_REQUEST = 2
    three = [_upload(f"{i}.png", files.image_bytes("PNG")) for i in range(3)]
    with pytest.raises(UploadRejected) as refused:
        services.attachment_add(request=request_, uploader=tenant, files=three)
    assert refused.value.code == "too_many_files"


def test_another_tenant_can_neither_add_nor_remove(request_, tenant):
    stranger = factories.TenancyFactory().tenant
    with pytest.raises(NotPermitted):
        services.attachment_add(request=request_, uploader=stranger, files=[_upload("a.png", files.image_bytes("PNG"))])
    [attachment] = services.attachment_add(
        request=request_, uploader=tenant, files=[_upload("a.png", files.image_bytes("PNG"))]
    )
    with pytest.raises(NotPermitted):
        services.attachment_delete(attachment=attachment, user=stranger)


def test_contractors_attach_completion_photos_and_invoices_only(request_, contractor):
    request_.assigned_contractor = contractor
    request_.status = "in_progress"
    request_.save()
    with pytest.raises(NotPermitted):
        services.attachment_add(
            request=request_, uploader=contractor.user, files=[_upload("a.png", files.image_bytes("PNG"))], kind="photo"
        )
    services.attachment_add(
        request=request_,
        uploader=contractor.user,
        files=[_upload("a.png", files.image_bytes("PNG"))],
        kind="completion_photo",
    )
    with pytest.raises(UploadRejected):
        services.attachment_add(
            request=request_,
            uploader=contractor.user,
            files=[_upload("i.png", files.image_bytes("PNG"))],
            kind="invoice",
        )
    [invoice] = services.attachment_add(
        request=request_, uploader=contractor.user, files=[_upload("invoice.pdf", files.pdf_bytes())], kind="invoice"
    )
    assert invoice.content_type == "application/pdf"


def test_deleting_removes_the_stored_objects(request_, tenant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [attachment] = services.attachment_add(
            request=request_, uploader=tenant, files=[_upload("a.png", files.image_bytes("PNG"))]
        )
    attachment.refresh_from_db()
    names = [attachment.file.name, attachment.thumbnail.name]
    assert all(default_storage.exists(n) for n in names)
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_delete(attachment=attachment, user=tenant)
    assert not any(default_storage.exists(n) for n in names)


def test_erasing_a_request_leaves_no_file_behind(request_, tenant, org, django_capture_on_commit_callbacks):
    [attachment] = services.attachment_add(
        request=request_, uploader=tenant, files=[_upload("a.png", files.image_bytes("PNG"))]
    )
    name = attachment.file.name
    with pytest.raises(NotPermitted):
        services.maintenance_request_erase(request=request_, user=factories.StaffFactory(organization=org))
    with django_capture_on_commit_callbacks(execute=True):
        services.maintenance_request_erase(request=request_, user=factories.OrgAdminFactory(organization=org))
    assert not default_storage.exists(name)


def test_local_links_are_signed_and_expire(client, request_, tenant, settings):
    [attachment] = services.attachment_add(
        request=request_, uploader=tenant, files=[_upload("a.png", files.image_bytes("PNG"))]
    )
    link = attachment_link(attachment=attachment, absolute=False)
    response = client.get(link)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")

    tampered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    assert client.get(tampered).status_code == 404
    settings.DOMI_FILE_LINK_SECONDS = -1  # every link is already expired
    assert client.get(link).status_code == 404
