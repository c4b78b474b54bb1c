"""A Content-Security-Policy on the back office and the API docs: scripts from this site only, none inline."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def _inline_scripts(html: str) -> list[str]:
    # A <script> without src runs inline, unless it only carries data (type="application/json").
    tags = re.findall(r"<script\b([^>]*)>", html)
    return [t for t in tags if "src=" not in t and "application/json" not in t]


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["admin:login", "admin:index", "api-docs"])
def test_the_pages_carry_a_strict_script_policy(client, staff, page):
    if page != "admin:login":
        client.force_login(staff)
    response = client.get(reverse(page))
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert _inline_scripts(response.content.decode()) == []


@pytest.mark.django_db
def test_swagger_uis_set_up_script_is_served_as_a_file(client):
    page = client.get(reverse("api-docs")).content.decode()
    (script_url,) = [u for u in re.findall(r'<script src="([^"]+)"', page) if "script" in u.split("?")[-1]]
    response = client.get(script_url)
    assert response.status_code == 200 and "SwaggerUIBundle" in response.content.decode()
