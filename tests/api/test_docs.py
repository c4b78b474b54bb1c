"""The Swagger UI at /api/docs/ works without the internet: its files are served from here (drf-spectacular-sidecar)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders


@pytest.mark.django_db
def test_the_docs_page_references_no_external_host(api):
    response = api.get("/api/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    # Every URL the page names, in attributes and in its inline script, absolute or protocol-relative.
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", page)
    urls += re.findall(r"""["'`]((?:https?:)?//[^"'`\s]+)""", page)
    assert urls, "the page names no assets at all"
    external = [url for url in urls if urlsplit(url).netloc not in ("", "testserver")]
    assert external == []
    # Swagger UI would fetch a badge from its online validator unless told not to. Its set-up script is a
    # file of its own (no inline script, for the Content-Security-Policy).
    script = api.get("/api/docs/", {"script": ""}).content.decode()
    assert '"validatorUrl": null' in script


@pytest.mark.django_db
def test_the_docs_assets_are_static_files_of_this_project(api):
    page = api.get("/api/docs/").content.decode()
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", page)
    static = [url for url in assets if url.startswith(settings.STATIC_URL) or url.startswith(f"/{settings.STATIC_URL}")]

    assert any(url.endswith("swagger-ui-bundle.js") for url in static)
    assert any(url.endswith("swagger-ui.css") for url in static)
    for url in static:
        path = url.split(settings.STATIC_URL, 1)[1]
        assert finders.find(path), f"{url} is not a static file of the project"
