"""Uploads on a real S3-protocol server (moto's server mode) that the test session starts on 127.0.0.1.

Runs in the services stage of .ci/run (DOMI_REQUIRE_SERVICES=1) or with DOMI_TEST_S3=1.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from maintenance import services
from maintenance.files import attachment_link
from tests import factories
from tests.maintenance import files

BUCKET = "domi-test-files"
KEY_ID, SECRET = "AKIADOMITEST0000", "domi-test-secret"

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    if not (django_settings.DOMI_REQUIRE_SERVICES or os.environ.get("DOMI_TEST_S3")):
        pytest.skip("the S3 tests run in the services stage (DOMI_REQUIRE_SERVICES=1 or DOMI_TEST_S3=1)")
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET
    ).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


@pytest.fixture
def on_s3(s3_endpoint, settings):
    settings.DOMI_S3_BUCKET = BUCKET
    settings.DOMI_FILE_LINK_SECONDS = 120
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": KEY_ID,
                "secret_key": SECRET,
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 120,
                "file_overwrite": False,
                "object_parameters": {"ServerSideEncryption": "AES256"},
                "signature_version": "s3v4",
            },
        },
    }
    import boto3

    return boto3.client(
        "s3", endpoint_url=s3_endpoint, region_name="us-east-1", aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET
    )


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - a loopback test server
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def test_upload_download_and_delete_on_s3(on_s3, tenant, unit, django_capture_on_commit_callbacks):
    request = factories.MaintenanceRequestFactory(unit=unit, reporter=tenant)
    with django_capture_on_commit_callbacks(execute=True):
        [attachment] = services.attachment_add(
            request=request, uploader=tenant, files=[SimpleUploadedFile("leak.jpg", files.jpeg_with_gps())]
        )
    attachment.refresh_from_db()
    key = attachment.file.name
    head = on_s3.head_object(Bucket=BUCKET, Key=key)
    assert head["ServerSideEncryption"] == "AES256"
    assert attachment.thumbnail and on_s3.head_object(Bucket=BUCKET, Key=attachment.thumbnail.name)

    link = attachment_link(attachment=attachment)
    query = urllib.parse.parse_qs(urllib.parse.urlparse(link).query)
    assert query["X-Amz-Expires"] == ["120"], "the link lives DOMI_FILE_LINK_SECONDS"
    status, body = _get(link)
    assert status == 200 and body.startswith(b"\xff\xd8") and b"PhoneMaker" not in body

    unsigned = link.split("?", 1)[0]
    assert _get(unsigned)[0] == 403, "objects are private without a signature"

    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_delete(attachment=attachment, user=tenant)
    listed = on_s3.list_objects_v2(Bucket=BUCKET, Prefix=f"requests/{request.public_id}/")
    assert listed.get("KeyCount", 0) == 0, "the object and its thumbnail are gone"


def test_a_refused_upload_leaves_nothing_in_the_bucket(on_s3, tenant, unit):
    from domi.errors import UploadRejected

    request = factories.MaintenanceRequestFactory(unit=unit, reporter=tenant)
    good = SimpleUploadedFile("ok.png", files.image_bytes("PNG"))
    bad = SimpleUploadedFile("evil.jpg", files.jpeg_with_gps() + files.zip_bytes())
    with pytest.raises(UploadRejected):
        services.attachment_add(request=request, uploader=tenant, files=[good, bad])
    assert on_s3.list_objects_v2(Bucket=BUCKET, Prefix=f"requests/{request.public_id}/").get("KeyCount", 0) == 0


def test_keys_cannot_be_guessed(on_s3, tenant, unit):
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
