"""Liveness (the process answers) and readiness (the parts it needs answer too)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not return what was written")
    cache.delete(key)


def _check_broker() -> None:
    from domi.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def _check_storage() -> None:
    name = default_storage.save(f"readyz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        if not default_storage.exists(name):
            raise RuntimeError("a written object is missing")
    finally:
        default_storage.delete(name)


# Checks the upper apps add when they start (the agents' triage model): domi imports none of them.
_REGISTERED: dict[str, Callable[[], None]] = {}


def register_readiness_check(name: str, check: Callable[[], None]) -> None:
    _REGISTERED[name] = check


def readiness_checks() -> dict[str, Callable[[], None]]:
    checks: dict[str, Callable[[], None]] = {"database": _check_database, **_REGISTERED}
    if settings.REDIS_URL:
        checks["cache"] = _check_cache
        checks["broker"] = _check_broker
    if settings.DOMI_S3_BUCKET:
        checks["storage"] = _check_storage
    return checks


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    failing: list[str] = []
    for name, check in readiness_checks().items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means not ready; name it
            results[name] = f"error: {exc.__class__.__name__}: {exc}"[:300]
            failing.append(name)
    body = {"status": "fail" if failing else "ok", "checks": results}
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)
