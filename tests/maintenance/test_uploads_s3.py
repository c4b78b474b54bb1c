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

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from maintenance import services
from maintenance.files import attachment_link
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
