"""The portal against a live API: pytest-django's live_server with the demo data, driven by AppTest."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from streamlit.testing.v1 import AppTest

from contractors.models import Trade
from domi.taxonomy import Category

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app" / "app.py")
PASSWORD = "domi-demo"
# Creating a request triages it in the same HTTP call (tasks run in-process), and the offline model
# trains on first use: the first submission can take many seconds.
TIMEOUT_SECONDS = 90


@pytest.fixture
def api_url(live_server, monkeypatch, settings) -> str:
    """The demo organization behind a real HTTP server, and the portal pointed at it."""
    settings.DOMI_RATELIMITS = dict.fromkeys(settings.DOMI_RATELIMITS, "1000/m")
    cache.clear()
    # A transactional test's flush also empties the trades a data migration added.
    for category in Category:
        Trade.objects.get_or_create(code=category.value)
    call_command("seed_demo", "--quiet")
    monkeypatch.setenv("DOMI_API_URL", live_server.url)
    monkeypatch.setenv("DOMI_ADMIN_URL", f"{live_server.url}/admin")
    return live_server.url


def open_portal() -> AppTest:
    return AppTest.from_file(APP, default_timeout=TIMEOUT_SECONDS).run()


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
    return "\n".join(str(part) for part in parts)
