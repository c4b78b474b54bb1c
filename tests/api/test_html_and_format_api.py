"""Every GET of the API, asked for HTML (Accept: text/html or ?format=api), answers without a server error.

Walks every GET operation in the OpenAPI schema, as staff, with the ids of the staff member's own objects,
the way schemathesis would, but with the two ways of asking for the browsable API.
"""

from __future__ import annotations

import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from .world import build_world


def _get_paths() -> list[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [path for path, operations in schema["paths"].items() if "get" in operations]


@pytest.mark.django_db
def test_no_get_answers_html_with_a_server_error():
    world = build_world()
    api = APIClient()
    api.force_authenticate(world.staff)
    ids = {"public_id": str(world.request.public_id), "id": world.request.pk, "pk": world.request.pk}
    paths = _get_paths()
    assert len(paths) > 20
    failures = []
    for template in paths:
        path = re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1), world.request.pk)), template)
        for extra in ({"HTTP_ACCEPT": "text/html"}, {"QUERY_STRING": "format=api"}):
            response = api.get(path, **extra)
            if response.status_code >= 500:
                failures.append((path, extra, response.status_code))
    assert failures == []
