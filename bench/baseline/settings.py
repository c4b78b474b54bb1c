"""Settings of the baseline: no middleware, no authentication, one app, the benchmark's PostgreSQL database."""

import os

SECRET_KEY = "bench-baseline-not-secret"  # noqa: S105 - a throwaway benchmark server on 127.0.0.1
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["rest_framework", "bench.baseline"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.baseline.urls"
WSGI_APPLICATION = "bench.baseline.wsgi.application"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# BENCH_BASELINE_DATABASE: a postgres:// URL, parsed here so the baseline needs nothing of the project.
_url = os.environ["BENCH_BASELINE_DATABASE"].removeprefix("postgres://")
_credentials, _, _location = _url.rpartition("@")
_host_port, _, _name = _location.partition("/")
_host, _, _port = _host_port.partition(":")
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _name,
        "USER": _credentials.partition(":")[0] or "postgres",
        "PASSWORD": _credentials.partition(":")[2],
        "HOST": _host or "127.0.0.1",
        "PORT": _port or "5432",
        # As the API's default (DB_CONN_MAX_AGE=60): each gunicorn worker keeps its connection.
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        # As the API (DB_PREPARED_STATEMENTS, on unless "false"): server-side parameters, prepared statements.
        "OPTIONS": {"server_side_binding": True, "prepare_threshold": 5}
        if os.environ.get("DB_PREPARED_STATEMENTS", "true").lower() not in ("false", "0", "no", "off")
        else {},
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}
