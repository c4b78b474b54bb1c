"""Tests: the embedded defaults unless the environment selects real services."""

import os

from .base import *  # noqa: F403
from .env import env

DJANGO_ENV = "test"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A folder per test process (each pytest-xdist worker, or DOMI_TEST_MEDIA_ROOT for test runs side by side), so a
# run that ends and clears its files never takes those of one still running. Processes a test starts inherit it.
MEDIA_ROOT = env(
    "DOMI_TEST_MEDIA_ROOT",
    default=str(BASE_DIR / ".test-media" / os.environ.get("PYTEST_XDIST_WORKER", "main")),  # noqa: F405
)
LOG_LEVEL = "WARNING"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
LOGGING["loggers"]["django_structlog"]["level"] = "WARNING"  # noqa: F405
