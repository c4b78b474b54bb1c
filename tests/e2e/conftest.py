"""The whole system on 127.0.0.1 for the browser tests: the Django server on a fresh SQLite database with the demo
data (tasks in-process, the offline model), the Streamlit portal pointed at it, and Debian's chromium.

Skipped when /usr/bin/chromium is missing, unless DOMI_E2E=1 (CI), where a missing browser is a failure.
Screenshots go to DOMI_E2E_SCREENSHOTS (default: e2e-screenshots/ at the repository's root).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.conf import settings

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-background-networking"]
STARTUP_SECONDS = 120
# The offline model trains on the first triage, which runs inside the request that creates it.
SLOW_SECONDS = 120


@dataclass
class Stack:
    api_url: str
    portal_url: str
    logs: Path


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's chromium (never a browser Playwright downloads): skip without it, fail if DOMI_E2E=1 wants it."""
    required = os.environ.get("DOMI_E2E") == "1"
    problem = None
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} is missing (apt-get install -y chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright package is not installed (pip install -r requirements.txt)"
    if problem:
        if required:
            pytest.fail(f"DOMI_E2E=1 but {problem}")
        pytest.skip(f"end-to-end browser test skipped: {problem}; set DOMI_E2E=1 to make this a failure")
    return CHROMIUM


@pytest.fixture(scope="session")
def screenshots() -> Path:
    folder = Path(os.environ.get("DOMI_E2E_SCREENSHOTS") or REPO / "e2e-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(work: Path) -> dict[str, str]:
    """The embedded defaults whatever this shell selects (the CI's services stage sets PostgreSQL and Redis)."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "DOMI_", "TWILIO_", "STRIPE_", "EMAIL_", "CELERY_", "PYTEST_", "DJANGO_"))
    }
    environment.update(
        {
            "DJANGO_ENV": "local",
            "DJANGO_SETTINGS_MODULE": "domi.settings.local",
            "DEBUG": "false",
            "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
            "MEDIA_ROOT": str(work / "media"),
            # Set, and empty: the real environment wins over a developer's .env.
            "REDIS_URL": "",
            "CELERY_BROKER_URL": "memory://",
            "DOMI_S3_BUCKET": "",
            "DOMI_REQUIRE_SERVICES": "false",
            "DOMI_AI_MODEL": "local",
            "EMAIL_HOST": "",
            "TWILIO_ACCOUNT_SID": "",
            "STRIPE_SECRET_KEY": "",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            # Loose rate limits: one test signs in three people and reports in quick succession.
            **{f"DOMI_RATELIMIT_{name.upper()}": "1000/m" for name in settings.DOMI_RATELIMITS},
        }
    )
    return environment


def start(command: list[str], environment: dict[str, str], log: Path) -> subprocess.Popen:
    # A process group of its own, so stopping it stops whatever it started too.
    return subprocess.Popen(
        command,
        cwd=REPO,
        env=environment,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url} exited with {process.returncode} before answering:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=2).ok:
                return
        time.sleep(0.25)  # polling a port that is not open yet: nothing to wait on but time
    pytest.fail(f"{url} did not answer within {STARTUP_SECONDS} s:\n{log.read_text()[-3000:]}")


def manage(*args: str, environment: dict[str, str], log: Path) -> None:
    with log.open("ab") as out:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=STARTUP_SECONDS * 3,
            check=False,
        )
    if done.returncode:
        pytest.fail(f"manage.py {' '.join(args)} failed:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def stack(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The API server and the portal, each on a free port; both stopped however the tests end."""
    work = tmp_path_factory.mktemp("e2e")
    environment = server_environment(work)
    manage("migrate", "--noinput", environment=environment, log=work / "setup.log")
    manage("seed_demo", "--quiet", environment=environment, log=work / "setup.log")

    api_port, portal_port = free_port(), free_port()
    api_url, portal_url = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{portal_port}"
    processes: list[subprocess.Popen] = []
    try:
        server_log = work / "server.log"
        processes.append(
            start(
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{api_port}", "--noreload"],
                environment,
                server_log,
            )
        )
        wait_until_up(f"{api_url}/healthz", processes[-1], server_log)

        portal_log = work / "portal.log"
        portal_environment = {**environment, "DOMI_API_URL": api_url, "DOMI_ADMIN_URL": f"{api_url}/admin"}
        streamlit = [sys.executable, "-m", "streamlit", "run", "streamlit_app/app.py"]
        options = {
            "server.headless": "true",
            "server.port": str(portal_port),
            "server.address": "127.0.0.1",
            "server.fileWatcherType": "none",
            "browser.gatherUsageStats": "false",
        }
        for name, value in options.items():
            streamlit += [f"--{name}", value]
        processes.append(start(streamlit, portal_environment, portal_log))
        wait_until_up(f"{portal_url}/_stcore/health", processes[-1], portal_log)

        yield Stack(api_url=api_url, portal_url=portal_url, logs=work)
    finally:
        for process in reversed(processes):
            stop(process)


@pytest.fixture(scope="session")
def browser(chromium: Path) -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
