"""The portal against a live API: pytest-django's live_server with the demo data, driven by AppTest."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from streamlit.testing.v1 import AppTest

from contractors.models import Trade
from domi.taxonomy import Category

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app" / "app.py")
PASSWORD = "domi-demo"
# Creating a request triages it in the same HTTP call (tasks run in-process), and the offline model
# trains on first use: the first submission can take many seconds.
TIMEOUT_SECONDS = 90


@pytest.fixture(scope="session")
def _demo_copy() -> Iterator[dict[str, sqlite3.Connection]]:
    """This test process's copy of the seeded demo database, made by the first test that needs it."""
    holder: dict[str, sqlite3.Connection] = {}
    yield holder
    for copy in holder.values():
        copy.close()


def seed(demo_copy: dict[str, sqlite3.Connection]) -> None:
    """The demo data in the test database. Seeding takes seconds (63 requests walked through their lifecycle),
    so on SQLite the first test of a process seeds and keeps a copy in memory, and each later test gets the
    copy back through SQLite's backup API, in milliseconds, over whatever the test before it left."""
    connection.ensure_connection()
    if connection.vendor == "sqlite" and "demo" in demo_copy:
        demo_copy["demo"].backup(connection.connection)
        # The flush after the test before re-created the content types with other ids than the copy's.
        ContentType.objects.clear_cache()
        return
    # A transactional test's flush also empties the trades a data migration added.
    for category in Category:
        Trade.objects.get_or_create(code=category.value)
    call_command("seed_demo", "--quiet")
    if connection.vendor == "sqlite":
        demo_copy["demo"] = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(demo_copy["demo"])


@pytest.fixture
def api_url(live_server, monkeypatch, settings, _demo_copy) -> str:
    """The demo organization behind a real HTTP server, and the portal pointed at it."""
    settings.DOMI_RATELIMITS = dict.fromkeys(settings.DOMI_RATELIMITS, "1000/m")
    cache.clear()
    seed(_demo_copy)
    monkeypatch.setenv("DOMI_API_URL", live_server.url)
    monkeypatch.setenv("DOMI_ADMIN_URL", f"{live_server.url}/admin")
    return live_server.url


def open_portal(query: dict[str, str] | None = None) -> AppTest:
    """A new browser session on the portal; `query` as a link from an e-mail gives it (?action=...&key=...)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_SECONDS)
    at.query_params.update(query or {})
    return at.run()


def sign_in(at: AppTest, email: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key="sign_in_email").input(email)
    at.text_input(key="sign_in_password").input(password)
    return at.button(key="FormSubmitter:sign_in-Sign in").click().run()


@pytest.fixture
def portal(api_url) -> Callable[[str], AppTest]:
    """A portal session signed in as one of the demo logins, e.g. portal("tenant@demo.domi")."""

    def signed_in(email: str) -> AppTest:
        at = sign_in(open_portal(), email)
        assert not at.exception, [e.value for e in at.exception]
        return at

    return signed_in


def texts(at: AppTest) -> str:
    """Everything the page says, for assertions that do not care which element says it."""
    parts = [element.value for kind in ("title", "subheader", "markdown", "caption") for element in at.get(kind)]
    parts += [str(element.value) for kind in ("error", "warning", "info", "success") for element in at.get(kind)]
    parts += [f"{metric.label}: {metric.value}" for metric in at.metric]
    parts += [str(toast.value) for toast in at.toast]
    return "\n".join(str(part) for part in parts)


def mailed_link(action: str, to: str) -> dict[str, str]:
    """The query of the portal link for `action` in the newest mail to `to`, e.g. {"action": ..., "key": ...}."""
    for message in reversed(mail.outbox):
        if message.to != [to]:
            continue
        for url in re.findall(r"https?://\S+", message.body):
            query = {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
            if query.get("action") == action:
                return query
    raise AssertionError(f"no {action} link mailed to {to}: {[(m.to, m.subject) for m in mail.outbox]}")


def api_post(api_url: str, path: str, body: dict, *, as_email: str | None = None) -> requests.Response:
    """A call straight to the API (what staff do elsewhere, or a link used in another browser)."""
    headers = {}
    if as_email:
        tokens = requests.post(
            f"{api_url}/api/v1/auth/token/", json={"email": as_email, "password": PASSWORD}, timeout=30
        ).json()
        headers["Authorization"] = f"Bearer {tokens['access']}"
    return requests.post(f"{api_url}/api/v1{path}", json=body, headers=headers, timeout=TIMEOUT_SECONDS)
