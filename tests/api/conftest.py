"""Fixtures of the API tests: a client, quiet domain events, fresh rate-limit counts."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.dispatch import Signal
from rest_framework.test import APIClient

from maintenance import events

SIGNALS = [value for value in vars(events).values() if isinstance(value, Signal)]


@pytest.fixture(autouse=True, scope="session")
def _api_settings_installed():
    """Sign-out and refresh rotation need the token blacklist; rates and the schema need domi/settings/api.py."""
    if "rest_framework_simplejwt.token_blacklist" not in settings.INSTALLED_APPS:
        pytest.fail("Add rest_framework_simplejwt.token_blacklist to INSTALLED_APPS.")
    if not hasattr(settings, "DOMI_RATELIMITS"):
        pytest.fail("Import domi/settings/api.py in domi/settings/base.py, after auth.py.")


@pytest.fixture(autouse=True)
def _quiet_domain_events(request):
    """The AI crew and notifications do not react to what the API tests do, unless a test asks for it.

    Mark a test `@pytest.mark.crew` to let them run (in-process, with the offline model).
    """
    if request.node.get_closest_marker("crew"):
        yield
        return
    saved = [(signal, signal.receivers[:]) for signal in SIGNALS]
    for signal in SIGNALS:
        signal.receivers = []
        signal.sender_receivers_cache.clear()
    yield
    for signal, receivers in saved:
        signal.receivers = receivers
        signal.sender_receivers_cache.clear()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


def pytest_configure(config):
    config.addinivalue_line("markers", "crew: let the AI crew and notifications react to domain events")
