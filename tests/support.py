"""Helpers shared by tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def require_service(name: str) -> None:
    """Skip a test whose real service is not configured, or fail it when CI demands the services."""
    available = {
        "postgresql": settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql",
        "redis": bool(settings.REDIS_URL),
        "s3": bool(getattr(settings, "DOMI_S3_BUCKET", "")),
    }[name]
    if available:
        return
    if settings.DOMI_REQUIRE_SERVICES:
        pytest.fail(f"{name} is required (DOMI_REQUIRE_SERVICES=1) but not configured")
    pytest.skip(f"{name} is not configured")


def wait_for(check: Callable[[], bool], seconds: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@contextmanager
def http_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[HTTPServer]:
    """A local HTTP server answering with ``handler`` on a free port of 127.0.0.1, in a thread, while the block runs."""
    server = HTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()


class Worker:
    """A `celery worker` in its own process group, on the test database and the test Redis."""

    # Seconds before Redis hands an unacknowledged message out again (to a worker that starts after them).
    visibility_timeout = 10

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        settings_dict = connection.settings_dict
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "domi.settings.test",
            "DATABASE_URL": (
                f"postgres://{settings_dict['USER']}@{settings_dict['HOST'] or '127.0.0.1'}:"
                f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
            ),
            # Redelivery after a lost worker within seconds; the task limits stay below it, as the settings demand.
            "CELERY_VISIBILITY_TIMEOUT": str(self.visibility_timeout),
            "CELERY_TASK_TIME_LIMIT": "8",
            "CELERY_TASK_SOFT_TIME_LIMIT": "6",
            # A killed worker's claims lapse before its messages come back, so the redelivered step runs.
            "DOMI_CREW_CLAIM_SECONDS": "3",
        }

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "domi",
                "worker",
                "--pool=prefork",
                "--concurrency=2",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
        )
        from domi.celery import app

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if app.control.ping(timeout=0.5):
                return
            if self.process.poll() is not None:
                raise RuntimeError("the Celery worker exited at start")
        raise RuntimeError("the Celery worker did not answer within 60 s")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


class Beat(Worker):
    """`celery beat` with the database scheduler that sends each run once (domi.beat), on the test database."""

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "domi",
                "beat",
                "--loglevel=WARNING",
                "--scheduler",
                "domi.beat:SingleRunScheduler",
                "--max-interval",
                "1",
            ],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
        )
