"""The requests search on PostgreSQL: its trigram indexes (migration 0009) answer the filter as it is written."""

from __future__ import annotations

import pytest
from django.db import connection

from maintenance.api.filters import RequestFilter
from maintenance.models import MaintenanceRequest
from tests.factories import MaintenanceRequestFactory
from tests.support import require_service

pytestmark = pytest.mark.django_db
INDEXES = ("maintenance_request_title_trgm", "maintenance_request_description_trgm")


def searched(words: str):
    return RequestFilter({"search": words}, queryset=MaintenanceRequest.objects.all()).qs


def test_the_migration_built_both_indexes():
    require_service("postgresql")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)", [list(INDEXES)])
        found = dict(cursor.fetchall())
    assert set(found) == set(INDEXES)
    assert all("gin" in definition and "gin_trgm_ops" in definition for definition in found.values())


def test_every_word_of_a_search_is_answered_from_the_indexes():
    require_service("postgresql")
    MaintenanceRequestFactory(title="Leaking tap", description="Under the kitchen sink")
    with connection.cursor() as cursor:  # a few rows: make the planner show what it could do with many
        cursor.execute("SET LOCAL enable_seqscan = off")

    plan = searched("tap KITCHEN").explain()

    assert all(index in plan for index in INDEXES), plan
    assert list(searched("tap KITCHEN").values_list("title", flat=True)) == ["Leaking tap"]
