"""Bodies built to break the parser are a 400 in the error shape on the public endpoints, never a 500."""

from __future__ import annotations

import pytest

from domi.api.parsers import json_depth

PUBLIC = [
    "/api/v1/auth/token/",
    "/api/v1/auth/password/reset/",
    "/api/v1/auth/invitations/inspect/",
    "/api/v1/auth/invitations/accept/",
]


def _nested(levels: int) -> bytes:
    return b'{"email":' + b"[" * levels + b"]" * levels + b"}"


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC)
def test_deeply_nested_json_is_a_400(api, url, caplog):
    body = _nested(50_000)  # 100 kB
    response = api.post(url, data=body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "validation_error"
    assert "Traceback" not in caplog.text and "RecursionError" not in caplog.text


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC)
def test_moderately_nested_json_is_a_400_too(api, url):
    response = api.post(url, data=_nested(40), content_type="application/json")
    assert response.status_code == 400
    assert "deeper than 32" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_a_body_past_the_size_bound_is_a_400(api, settings):
    settings.DOMI_API_MAX_JSON_BYTES = 1000
    response = api.post(
        "/api/v1/auth/token/", data=b'{"email": "' + b"a" * 2000 + b'"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert "larger than" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_ordinary_bodies_still_parse(api, tenant):
    from tests.factories import PASSWORD

    response = api.post("/api/v1/auth/token/", {"email": tenant.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200


def test_depth_is_counted_without_recursion():
    assert json_depth({"a": [1, {"b": []}]}) == 4
    assert json_depth("x") == 0
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    assert json_depth(deep) == 100_001
