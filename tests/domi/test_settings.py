"""Production settings refuse development defaults and pass Django's deployment checks."""

import os
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
