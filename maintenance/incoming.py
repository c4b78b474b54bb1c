"""The bucket's incoming/ area: forms that let a client post one file there directly, and its housekeeping.

A form is a presigned POST made with the default storage's own S3 connection and bucket. Its policy
pins the key, the exact size declared, the declared content type, a private ACL and server-side
encryption, and expires after DOMI_DIRECT_UPLOAD_SECONDS. Nothing posted there is trusted: the services
read it back and check it as they check a multipart upload (maintenance.services.direct_upload_complete).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.files.storage import default_storage

PREFIX = "incoming/"


@dataclass(frozen=True)
class PostForm:
    url: str
    fields: dict[str, str]


def available() -> bool:
    """Direct uploads need the default storage to be S3 (django-storages); on local storage there is no bucket."""
    from storages.backends.s3 import S3Storage

    return isinstance(default_storage, S3Storage)  # the lazy storage answers for the configured one


def _bucket_key(name: str) -> str:
    """The object key of a storage name (the storage may keep everything under a `location` prefix)."""
    location = (default_storage.location or "").strip("/")
    return f"{location}/{name}" if location else name


def _client():  # type: ignore[no-untyped-def]
    return default_storage.connection.meta.client


def post_form(*, name: str, content_type: str, size: int, expires_in: int) -> PostForm:
    """A presigned POST for exactly one object of exactly `size` bytes under `name`."""
    parameters = default_storage.get_object_parameters(name)
    encryption = parameters.get("ServerSideEncryption", "AES256")
    fields = {
        "acl": default_storage.default_acl or "private",
        "Content-Type": content_type,
        "x-amz-server-side-encryption": encryption,
    }
    if parameters.get("SSEKMSKeyId"):
        fields["x-amz-server-side-encryption-aws-kms-key-id"] = parameters["SSEKMSKeyId"]
    conditions: list = [{field: value} for field, value in fields.items()]
    conditions.append(["content-length-range", size, size])
    presigned = _client().generate_presigned_post(
        Bucket=default_storage.bucket_name,
        Key=_bucket_key(name),
        Fields=fields,
        Conditions=conditions,
        ExpiresIn=expires_in,
    )
    return PostForm(url=presigned["url"], fields=dict(presigned["fields"]))


def stale_names(*, posted_before: datetime) -> list[str]:
    """Storage names of the objects under incoming/ that were posted before the given time."""
    location = (default_storage.location or "").strip("/")
    prefix = _bucket_key(PREFIX)
    names = []
    for page in _client().get_paginator("list_objects_v2").paginate(Bucket=default_storage.bucket_name, Prefix=prefix):
        for entry in page.get("Contents", ()):
            if entry["LastModified"] < posted_before:
                key = entry["Key"]
                names.append(key[len(location) + 1 :] if location else key)
    return names
