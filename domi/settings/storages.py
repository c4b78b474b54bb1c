"""Files: the local media folder unless an S3 bucket is configured."""

from .env import BASE_DIR, env

MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))

DOMI_S3_BUCKET = env("DOMI_S3_BUCKET", default="")

if DOMI_S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": DOMI_S3_BUCKET,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": env.int("DOMI_FILE_LINK_SECONDS", default=300),
            "file_overwrite": False,
            "object_parameters": {"ServerSideEncryption": "AES256"},
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}

STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploads: limits per file and per request.
DOMI_UPLOAD_MAX_IMAGE_MB = env.int("DOMI_UPLOAD_MAX_IMAGE_MB", default=10)
DOMI_UPLOAD_MAX_PDF_MB = env.int("DOMI_UPLOAD_MAX_PDF_MB", default=20)
DOMI_UPLOAD_MAX_VIDEO_MB = env.int("DOMI_UPLOAD_MAX_VIDEO_MB", default=30)
DOMI_UPLOAD_MAX_FILES_PER_REQUEST = env.int("DOMI_UPLOAD_MAX_FILES_PER_REQUEST", default=10)
# How long a download link lives, in seconds (S3 presigned URLs and local signed links alike).
DOMI_FILE_LINK_SECONDS = env.int("DOMI_FILE_LINK_SECONDS", default=300)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Direct-to-S3 uploads (presigned POST, S3 storage only): how long the form works, and how much longer
# the client may take to ask for the file to be checked before the pending upload is swept away.
DOMI_DIRECT_UPLOAD_SECONDS = env.int("DOMI_DIRECT_UPLOAD_SECONDS", default=600)
DOMI_DIRECT_UPLOAD_GRACE_SECONDS = env.int("DOMI_DIRECT_UPLOAD_GRACE_SECONDS", default=900)
