"""Uploads on real S3-protocol servers that the test session starts on 127.0.0.1.

Two servers, because neither checks everything S3 checks:
- moto's server mode (PyPI) keeps objects private (an unsigned GET is refused) and reports server-side
  encryption, but does not check presigned signatures or their expiry;
- s3rver (npm, installed by .ci/run into tests/s3server) refuses a presigned link after its expiry, but
  has no ACLs (and, like moto, does not verify SigV4 signatures).
Everything a user relies on runs against both; each of the rest against the server that enforces it.

Runs in the services stage of .ci/run (DOMI_REQUIRE_SERVICES=1) or with DOMI_TEST_S3=1.
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import requests
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from maintenance import services
from maintenance.files import attachment_link
from maintenance.models import Attachment, DirectUpload
from maintenance.tasks import expire_direct_uploads
from tests import factories
from tests.maintenance import files

BUCKET = "domi-test-files"
S3RVER = Path(__file__).resolve().parents[1] / "s3server" / "node_modules" / ".bin" / "s3rver"

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class S3Server:
    name: str
    endpoint: str
    key_id: str
    secret: str

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=self.key_id,
            aws_secret_access_key=self.secret,
        )


def _required() -> None:
    if not (django_settings.DOMI_REQUIRE_SERVICES or os.environ.get("DOMI_TEST_S3")):
        pytest.skip("the S3 tests run in the services stage (DOMI_REQUIRE_SERVICES=1 or DOMI_TEST_S3=1)")


@pytest.fixture(scope="session")
def moto_server() -> Iterator[S3Server]:
    _required()
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    s3 = S3Server("moto", f"http://{host}:{port}", "AKIADOMITEST0000", "domi-test-secret")
    s3.client().create_bucket(Bucket=BUCKET)
    yield s3
    server.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3rver_server() -> Iterator[S3Server]:
    _required()
    if not (S3RVER.exists() and shutil.which("node")):
        message = "s3rver is not installed: run `npm ci --prefix tests/s3server` (Node.js and npm)"
        if django_settings.DOMI_REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)
    port = _free_port()
    data = tempfile.mkdtemp(prefix="domi-s3rver-")
    process = subprocess.Popen(
        ["node", str(S3RVER), "-d", data, "-a", "127.0.0.1", "-p", str(port), "--silent", "--no-vhost-buckets"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # s3rver accepts one fixed account; it checks every signature made with it.
    s3 = S3Server("s3rver", f"http://127.0.0.1:{port}", "S3RVER", "S3RVER")
    deadline = time.monotonic() + 20
    while True:
        try:
            s3.client().create_bucket(Bucket=BUCKET)
            break
        except (BotoCoreError, ClientError):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"s3rver did not start: {process.stderr.read().decode()[-500:]}")
            time.sleep(0.2)
    yield s3
    process.terminate()
    process.wait(timeout=10)
    shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(params=["moto", "s3rver"])
def any_server(request) -> S3Server:
    return request.getfixturevalue(f"{request.param}_server")


def _use(settings, s3: S3Server, *, link_seconds: int = 120):
    """Point the default storage at the server, configured as domi/settings/storages.py does for a bucket."""
    settings.DOMI_S3_BUCKET = BUCKET
    settings.DOMI_FILE_LINK_SECONDS = link_seconds
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3.endpoint,
                "region_name": "us-east-1",
                "access_key": s3.key_id,
                "secret_key": s3.secret,
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": link_seconds,
                "file_overwrite": False,
                "object_parameters": {"ServerSideEncryption": "AES256"},
                "signature_version": "s3v4",
            },
        },
    }
    return s3.client()


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - a loopback test server
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _attach(request, tenant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [attachment] = services.attachment_add(
            request=request, uploader=tenant, files=[SimpleUploadedFile("leak.jpg", files.jpeg_with_gps())]
        )
    attachment.refresh_from_db()
    return attachment


def test_upload_download_and_delete(any_server, settings, tenant, unit, django_capture_on_commit_callbacks):
    s3 = _use(settings, any_server)
    request = factories.MaintenanceRequestFactory(unit=unit, reporter=tenant)
    attachment = _attach(request, tenant, django_capture_on_commit_callbacks)
    assert s3.head_object(Bucket=BUCKET, Key=attachment.file.name)
    assert attachment.thumbnail and s3.head_object(Bucket=BUCKET, Key=attachment.thumbnail.name)

    link = attachment_link(attachment=attachment)
    query = urllib.parse.parse_qs(urllib.parse.urlparse(link).query)
    assert query["X-Amz-Expires"] == ["120"], "the link lives DOMI_FILE_LINK_SECONDS"
    status, body = _get(link)
    assert status == 200 and body.startswith(b"\xff\xd8") and b"PhoneMaker" not in body, "EXIF is gone"

    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_delete(attachment=attachment, user=tenant)
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=f"requests/{request.public_id}/")
    assert listed.get("KeyCount", 0) == 0, "the object and its thumbnail are gone"
    assert _get(link)[0] == 404, "the link to a deleted file finds nothing"


def test_objects_are_private_and_encrypted(moto_server, settings, tenant, unit, django_capture_on_commit_callbacks):
    s3 = _use(settings, moto_server)
    attachment = _attach(
        factories.MaintenanceRequestFactory(unit=unit, reporter=tenant), tenant, django_capture_on_commit_callbacks
    )
    assert s3.head_object(Bucket=BUCKET, Key=attachment.file.name)["ServerSideEncryption"] == "AES256"
    link = attachment_link(attachment=attachment)
    assert _get(link)[0] == 200
    assert _get(link.split("?", 1)[0])[0] == 403, "objects are private without a signature"


def test_link_refused_after_expiry(s3rver_server, settings, tenant, unit, django_capture_on_commit_callbacks):
    _use(settings, s3rver_server, link_seconds=2)
    attachment = _attach(
        factories.MaintenanceRequestFactory(unit=unit, reporter=tenant), tenant, django_capture_on_commit_callbacks
    )
    link = attachment_link(attachment=attachment)
    assert _get(link)[0] == 200, "the link works while it lives"
    time.sleep(3.5)
    status, body = _get(link)
    assert status == 403 and b"expired" in body


def test_a_refused_upload_leaves_nothing_in_the_bucket(any_server, settings, tenant, unit):
    on_s3 = _use(settings, any_server)
    from domi.errors import UploadRejected

    request = factories.MaintenanceRequestFactory(unit=unit, reporter=tenant)
    good = SimpleUploadedFile("ok.png", files.image_bytes("PNG"))
    bad = SimpleUploadedFile("evil.jpg", files.jpeg_with_gps() + files.zip_bytes())
    with pytest.raises(UploadRejected):
        services.attachment_add(request=request, uploader=tenant, files=[good, bad])
    assert on_s3.list_objects_v2(Bucket=BUCKET, Prefix=f"requests/{request.public_id}/").get("KeyCount", 0) == 0


def test_keys_cannot_be_guessed(moto_server, settings, tenant, unit):
    _use(settings, moto_server)
    request = factories.MaintenanceRequestFactory(unit=unit, reporter=tenant)
    made = services.attachment_add(
        request=request,
        uploader=tenant,
        files=[SimpleUploadedFile(f"{i}.png", files.image_bytes("PNG")) for i in range(2)],
    )
    names = [a.file.name for a in made]
    assert len(set(names)) == 2
    for name in names:
        folder, stem = name.rsplit("/", 1)[0], name.rsplit("/", 1)[-1].split(".")[0]
        int(stem, 16)  # 128 random bits, in hex
        assert len(stem) == 32
        # The folder is the request's random public id, not its sequential number.
        assert folder == f"requests/{request.public_id}"


# -- direct uploads: a presigned POST form, the file posted with a plain HTTP client, then "complete" --------
# Neither moto nor s3rver enforces a POST policy (content-length-range, expiry, content type): both store
# whatever is posted. So the form's policy is read back and checked here, and the size S3 would refuse
# is caught again when the upload is completed (test_a_file_larger_than_declared_is_refused).


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _start(client, request, data: bytes, *, name: str, content_type: str, kind: str = "photo") -> dict:
    response = client.post(
        reverse("v1:requests-direct-uploads", kwargs={"pk": request.pk}),
        {"filename": name, "size": len(data), "content_type": content_type, "kind": kind},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def _post(form: dict, data: bytes) -> requests.Response:
    """What a browser does with the form: its fields, then the file, as multipart/form-data."""
    return requests.post(form["url"], data=form["fields"], files={"file": ("upload", data)}, timeout=10)


def _complete(client, request, form: dict):
    url = reverse("v1:requests-direct-upload-complete", kwargs={"pk": request.pk, "upload_id": form["id"]})
    return client.post(url)


def _missing(s3, key: str) -> bool:
    try:
        s3.head_object(Bucket=BUCKET, Key=key)
    except ClientError as exc:
        return exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound")
    return False


def test_a_direct_upload_is_checked_and_kept(any_server, settings, tenant, unit, django_capture_on_commit_callbacks):
    s3 = _use(settings, any_server)
    request = factories.MaintenanceRequestFactory(unit=unit, reporter=tenant)
    client = _api(tenant)
    photo = files.jpeg_with_gps(size=(640, 480))
    form = _start(client, request, photo, name="leak.jpg", content_type="image/jpeg")

    key = form["fields"]["key"]
    assert key.startswith("incoming/") and len(key) == len("incoming/") + 32, "a random key apart from attachments"
    assert form["fields"]["acl"] == "private" and form["fields"]["x-amz-server-side-encryption"] == "AES256"
    policy = json.loads(base64.b64decode(form["fields"]["policy"]))
    conditions = policy["conditions"]
    assert ["content-length-range", len(photo), len(photo)] in conditions, "exactly the declared size"
    for condition in ({"key": key}, {"acl": "private"}, {"x-amz-server-side-encryption": "AES256"}):
        assert condition in conditions
    assert {"Content-Type": "image/jpeg"} in conditions
    expiration = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert timedelta(minutes=9) < expiration - timezone.now() <= timedelta(minutes=10)

    assert _post(form, photo).status_code == 204
    assert s3.head_object(Bucket=BUCKET, Key=key)["ContentLength"] == len(photo)
    with django_capture_on_commit_callbacks(execute=True):
        response = _complete(client, request, form)

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["original_name"], body["kind"], body["content_type"]) == ("leak.jpg", "photo", "image/jpeg")
    status, stored = _get(body["url"])
    assert status == 200 and stored.startswith(b"\xff\xd8")
    with Image.open(io.BytesIO(stored)) as image:
        assert files.GPS_TAG not in image.getexif() and b"PhoneMaker" not in stored, "EXIF is gone"
        assert image.size == (480, 640), "the orientation was applied before EXIF went"
    attachment = Attachment.objects.get(pk=body["id"])
    assert attachment.file.name.startswith(f"requests/{request.public_id}/"), "the attachments' own keys"
    assert attachment.thumbnail and s3.head_object(Bucket=BUCKET, Key=attachment.thumbnail.name)
    assert _missing(s3, key), "the incoming object is deleted"
    upload = DirectUpload.objects.get(pk=form["id"])
    assert upload.status == DirectUpload.Status.COMPLETED and upload.attachment == attachment


@pytest.mark.parametrize(
    ("name", "data", "content_type", "kind", "code"),
    [
        ("scan.pdf", files.image_bytes("PNG"), "application/pdf", "document", "type_mismatch"),
        ("plan.png", files.SVG_WITH_SCRIPT, "image/png", "photo", "unsupported_type"),
        ("leak.jpg", files.jpeg_with_gps() + files.zip_bytes(), "image/jpeg", "photo", "polyglot"),
        ("lease.pdf", files.pdf_bytes(b"3 0 obj<</S/JavaScript/JS(app.alert(1))>>endobj\n"), "application/pdf",
         "document", "unsafe_content"),
    ],
)  # fmt: skip
def test_a_refused_direct_upload_says_why_and_leaves_nothing(any_server, settings, tenant, unit, name, data,
                                                             content_type, kind, code):  # fmt: skip
    s3 = _use(settings, any_server)
    request = factories.MaintenanceRequestFactory(unit=unit, reporter=tenant)
    client = _api(tenant)
    form = _start(client, request, data, name=name, content_type=content_type, kind=kind)
    assert _post(form, data).status_code == 204

    response = _complete(client, request, form)

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "upload_rejected"
    assert error["fields"]["files"][name]["code"] == code
    assert error["message"] == error["fields"]["files"][name]["message"]
    upload = DirectUpload.objects.get(pk=form["id"])
    assert (upload.status, upload.refusal_code) == (DirectUpload.Status.REFUSED, code)
    assert _missing(s3, form["fields"]["key"])
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix=f"requests/{request.public_id}/").get("KeyCount", 0) == 0
    assert not Attachment.objects.filter(request=request).exists()


def test_a_file_larger_than_declared_is_refused(any_server, settings, tenant, unit):
    s3 = _use(settings, any_server)
    request = factories.MaintenanceRequestFactory(unit=unit, reporter=tenant)
    client = _api(tenant)
    declared, sent = files.jpeg_with_gps(), files.jpeg_with_gps(size=(800, 600))
    assert len(sent) > len(declared)
    form = _start(client, request, declared, name="leak.jpg", content_type="image/jpeg")

    posted = _post(form, sent)
    if posted.status_code == 204:  # the test servers store it; S3 itself answers 400 EntityTooLarge
        response = _complete(client, request, form)
        assert response.status_code == 400
        assert response.json()["error"]["fields"]["files"]["leak.jpg"]["code"] == "size_mismatch"
        assert DirectUpload.objects.get(pk=form["id"]).status == DirectUpload.Status.REFUSED
    else:
        assert posted.status_code == 400 and b"EntityTooLarge" in posted.content
        assert _complete(client, request, form).json()["error"]["code"] == "not_uploaded"
    assert _missing(s3, form["fields"]["key"])
    assert not Attachment.objects.filter(request=request).exists()


def test_only_the_uploader_completes_and_only_once(moto_server, settings, tenant, staff, unit):
    s3 = _use(settings, moto_server)
    request = factories.MaintenanceRequestFactory(unit=unit, reporter=tenant)
    client = _api(tenant)
    photo = files.image_bytes("PNG")
    form = _start(client, request, photo, name="tap.png", content_type="image/png")

    early = _complete(client, request, form)
    assert early.status_code == 400 and early.json()["error"]["code"] == "not_uploaded"
    assert _post(form, photo).status_code == 204

    # Staff of the organization see the request, but the upload is the tenant's: not found for them.
    assert _complete(_api(staff), request, form).status_code == 404
    assert s3.head_object(Bucket=BUCKET, Key=form["fields"]["key"]), "someone else's attempt leaves it in place"
    assert DirectUpload.objects.get(pk=form["id"]).status == DirectUpload.Status.PENDING

    assert _complete(client, request, form).status_code == 201
    again = _complete(client, request, form)
    assert again.status_code == 409 and again.json()["error"]["code"] == "upload_closed"
    assert Attachment.objects.filter(request=request).count() == 1


def test_limits_are_checked_before_the_form_is_handed_out(moto_server, settings, tenant, unit):
    _use(settings, moto_server)
    settings.DOMI_UPLOAD_MAX_FILES_PER_REQUEST = 2
    settings.DOMI_UPLOAD_MAX_IMAGE_MB = 1
    request = factories.MaintenanceRequestFactory(unit=unit, reporter=tenant)
    client = _api(tenant)
    url = reverse("v1:requests-direct-uploads", kwargs={"pk": request.pk})
    declared = {"filename": "big.jpg", "content_type": "image/jpeg", "kind": "photo"}

    too_big = client.post(url, {**declared, "size": 1024 * 1024 + 1}, format="json")
    assert too_big.status_code == 400 and too_big.json()["error"]["code"] == "too_large"
    wrong_kind = client.post(url, {**declared, "size": 100, "content_type": "application/pdf"}, format="json")
    assert wrong_kind.status_code == 400 and wrong_kind.json()["error"]["code"] == "unsupported_type"

    services.attachment_add(
        request=request, uploader=tenant, files=[SimpleUploadedFile("a.png", files.image_bytes("PNG"))]
    )
    assert client.post(url, {**declared, "size": 1024 * 1024}, format="json").status_code == 201
    # One file stored and one upload pending: the request is full.
    full = client.post(url, {**declared, "size": 100}, format="json")
    assert full.status_code == 400 and full.json()["error"]["code"] == "too_many_files"
    assert DirectUpload.objects.filter(request=request).count() == 1


def test_expired_uploads_and_stray_objects_are_swept(moto_server, settings, tenant, unit):
    s3 = _use(settings, moto_server)
    request = factories.MaintenanceRequestFactory(unit=unit, reporter=tenant)
    client = _api(tenant)
    photo = files.image_bytes("PNG")
    late, overdue, fresh = (_start(client, request, photo, name=f"{n}.png", content_type="image/png") for n in "abc")
    for form in (late, overdue, fresh):
        assert _post(form, photo).status_code == 204
    stray = f"incoming/{uuid.uuid4().hex}"  # e.g. its request was erased while a deletion failed
    s3.put_object(Bucket=BUCKET, Key=stray, Body=b"left behind")
    past = timezone.now() - timedelta(seconds=settings.DOMI_DIRECT_UPLOAD_GRACE_SECONDS + 1)
    DirectUpload.objects.filter(pk__in=[late["id"], overdue["id"]]).update(expires_at=past)

    # Completing too late: refused, and what was posted goes.
    response = _complete(client, request, late)
    assert response.status_code == 409 and response.json()["error"]["code"] == "upload_expired"
    assert _missing(s3, late["fields"]["key"])

    assert services.direct_uploads_expire() == {"expired": 1, "orphans_deleted": 0}
    assert _missing(s3, overdue["fields"]["key"])
    assert s3.head_object(Bucket=BUCKET, Key=fresh["fields"]["key"]), "a pending upload in time is kept"
    assert s3.head_object(Bucket=BUCKET, Key=stray), "a recent object may still be an upload in progress"
    statuses = dict(DirectUpload.objects.values_list("pk", "status"))
    assert {str(pk): status for pk, status in statuses.items()} == {
        late["id"]: "expired",
        overdue["id"]: "expired",
        fresh["id"]: "pending",
    }

    later = timezone.now() + timedelta(
        seconds=settings.DOMI_DIRECT_UPLOAD_SECONDS + settings.DOMI_DIRECT_UPLOAD_GRACE_SECONDS + 60
    )
    swept = services.direct_uploads_expire(now=later)
    assert swept["expired"] == 1 and swept["orphans_deleted"] >= 1
    assert _missing(s3, fresh["fields"]["key"]) and _missing(s3, stray)
    assert expire_direct_uploads.delay().get() == {"expired": 0, "orphans_deleted": 0}, "running it again: nothing"


def test_erasing_a_request_deletes_what_was_posted_for_it(moto_server, settings, org, tenant, unit,
                                                          django_capture_on_commit_callbacks):  # fmt: skip
    s3 = _use(settings, moto_server)
    request = factories.MaintenanceRequestFactory(unit=unit, reporter=tenant)
    photo = files.image_bytes("PNG")
    form = _start(_api(tenant), request, photo, name="a.png", content_type="image/png")
    assert _post(form, photo).status_code == 204
    with django_capture_on_commit_callbacks(execute=True):
        services.maintenance_request_erase(request=request, user=factories.OrgAdminFactory(organization=org))
    assert _missing(s3, form["fields"]["key"])
