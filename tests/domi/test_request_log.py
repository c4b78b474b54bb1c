"""The request log: one line per request, when it ends, with its status, user, client and user agent."""

from __future__ import annotations

import logging

import pytest

REQUEST_LOGGER = "django_structlog.middlewares.request"


def logged(caplog) -> list[dict]:
    return [record.msg for record in caplog.records if record.name == REQUEST_LOGGER]


@pytest.mark.django_db
def test_a_request_is_one_line_when_it_ends(client, caplog):
    caplog.set_level(logging.INFO, logger="django_structlog")

    client.get("/healthz", HTTP_USER_AGENT="Domi-test/1.0")

    [line] = logged(caplog)
    assert line["event"] == "request_finished"
    assert line["code"] == 200 and line["request"] == "GET /healthz"
    assert line["user_agent"] == "Domi-test/1.0" and line["ip"] == "127.0.0.1" and line["request_id"]


@pytest.mark.django_db
def test_at_debug_the_start_of_a_request_is_logged_too(client, caplog):
    caplog.set_level(logging.DEBUG, logger="django_structlog")

    client.get("/healthz")

    assert [line["event"] for line in logged(caplog)] == ["request_started", "request_finished"]
