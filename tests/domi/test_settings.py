"""Production settings refuse development defaults and pass Django's deployment checks."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k7#Qv9!mZ2$wL4^pX8&nR1*tY6(uB3)eH5_jC0+dF7=gA2-sK9~"


def _run(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE"}}
    env.update({"DJANGO_ENV": "production", "ALLOWED_HOSTS": "domi.example.com", **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({}, "SECRET_KEY"),
        ({"SECRET_KEY": "django-insecure-domi-development-key-never-use-in-production"}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"SECRET_KEY": GOOD_KEY, "DEBUG": "true"}, "DEBUG"),
    ],
    ids=["missing-key", "development-key", "short-key", "debug-on"],
)
def test_production_refuses_to_start_on_bad_config(overrides, complaint):
    result = _run(overrides, "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and complaint in result.stderr


def test_production_passes_the_deploy_check_with_no_warnings():
    result = _run({"SECRET_KEY": GOOD_KEY}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_an_unknown_environment_is_refused():
    env = {**os.environ, "DJANGO_ENV": "staging"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0 and "DJANGO_ENV must be one of" in result.stderr


SERVE_STATIC = """
import django
from domi.environment import select_settings

select_settings()
django.setup()
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import Client

client = Client(HTTP_HOST="domi.example.com")
for name in ("admin/css/base.css", "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"):
    url = staticfiles_storage.url(name)
    response = client.get(url, secure=True, HTTP_ACCEPT_ENCODING="gzip")
    headers = response.headers
    print(url, response.status_code, headers.get("Cache-Control"), headers.get("Content-Encoding"), sep="|")
"""


def test_production_serves_the_collected_static_files_hashed_and_cached(tmp_path):
    """The back office's and Swagger UI's files, after `collectstatic`, from the web process itself."""
    settings = {"SECRET_KEY": GOOD_KEY, "STATIC_ROOT": str(tmp_path)}
    collected = _run(settings, "collectstatic", "--noinput", "-v0")
    assert collected.returncode == 0, collected.stderr

    served = _run(settings, "shell", "-v0", "-c", SERVE_STATIC)

    assert served.returncode == 0, served.stderr
    lines = [line.split("|") for line in served.stdout.splitlines()]
    assert len(lines) == 2
    for url, status, cache_control, encoding in lines:
        assert status == "200", url
        assert re.search(r"\.[0-9a-f]{12}\.(css|js)$", url), url  # the content's hash in the name
        assert "immutable" in cache_control and encoding == "gzip"
