"""The OpenAPI schema: valid, free of warnings, public, and documenting every endpoint and its errors."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from .test_permission_matrix import _v1_routes

PUBLIC = {
    "/api/v1/auth/token/",
    "/api/v1/auth/token/refresh/",
    "/api/v1/auth/logout/",
    "/api/v1/auth/email/verify/",
    "/api/v1/auth/password/reset/",
    "/api/v1/auth/password/reset/confirm/",
    "/api/v1/auth/invitations/inspect/",
    "/api/v1/auth/invitations/accept/",
}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert yaml.safe_load((tmp_path / "schema.yaml").read_text())["openapi"].startswith("3.")


def test_every_route_is_in_the_schema(schema):
    operations = {(path, method) for path, item in schema["paths"].items() for method in item}
    assert len(operations) == len(_v1_routes())


def test_every_operation_documents_its_errors_in_the_one_shape(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            expected = set()
            if path not in PUBLIC:
                expected |= {"401", "403"}
            if "{id}" in path:
                expected.add("404")
            if method in ("post", "patch"):
                expected.add("400")
            assert expected <= set(responses), (method, path, sorted(responses))
            for code, response in responses.items():
                if code >= "400":
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref == "#/components/schemas/Error", (method, path, code)
    assert "Retry-After" in schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]["429"]["headers"]
    assert "429" in schema["paths"]["/api/v1/requests/"]["post"]["responses"]
    assert "409" in schema["paths"]["/api/v1/requests/{id}/transition/"]["post"]["responses"]


def test_every_operation_has_a_summary_and_a_success_response(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert operation.get("summary"), (method, path)
            assert any(code < "300" for code in operation["responses"]), (method, path)


@pytest.mark.django_db
def test_the_schema_and_its_docs_are_public(api):
    response = api.get("/api/schema/")
    assert response.status_code == 200
    assert b"openapi" in response.content
    docs = api.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
