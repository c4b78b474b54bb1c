"""The PostgreSQL connection's set-up: prepared statements, and timestamps parsed in C with Django's values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import DataError, connection
from django.db.backends.postgresql.psycopg_any import register_tzloader
from psycopg.postgres import types
from psycopg.pq import Format

from maintenance.models import MaintenanceRequest
from tests.factories import MaintenanceRequestFactory
from tests.support import require_service

pytestmark = pytest.mark.django_db
TIMESTAMPTZ_OID = types["timestamptz"].oid

SAMPLES = [
    "2026-11-25 10:00:00+00",  # no fraction: PostgreSQL writes none
    "2026-11-25 10:00:00.1+00",  # PostgreSQL drops the fraction's trailing zeros
    "2026-11-25 10:00:00.123456+00",
    "1999-12-31 23:59:59.999999+05:30",  # another offset: Django stamps its own zone on it, as before
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
]


def _read(sql: str, *, djangos_own_loader: bool) -> tuple:
    with connection.cursor() as cursor:
        if djangos_own_loader:
            register_tzloader(connection.timezone, cursor.cursor)
        cursor.execute(sql)
        return cursor.fetchone()


def test_timestamps_are_read_as_djangos_own_loader_reads_them():
    require_service("postgresql")
    connection.ensure_connection()
    sql = "SELECT " + ", ".join(f"'{text}'::timestamptz" for text in SAMPLES)

    fast = _read(sql, djangos_own_loader=False)
    django = _read(sql, djangos_own_loader=True)

    assert fast == django
    assert [value.tzinfo for value in fast] == [UTC] * len(SAMPLES)
    assert fast[1] == datetime(2026, 11, 25, 10, 0, 0, 100000, tzinfo=UTC)
    assert connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT).__name__ == "IsoTzLoader"


def test_a_timestamp_it_cannot_read_fails_as_before():
    require_service("postgresql")
    for djangos_own_loader in (False, True):
        with pytest.raises(DataError, match="before year 1"):
            _read("SELECT '0044-03-15 12:00:00+00 BC'::timestamptz", djangos_own_loader=djangos_own_loader)


def test_a_request_reads_back_the_instants_it_stored():
    require_service("postgresql")
    due = datetime(2026, 12, 1, 9, 30, 0, 250000, tzinfo=UTC)
    created = MaintenanceRequestFactory(due_by=due)

    stored = MaintenanceRequest.objects.values_list("due_by", "created_at").get(pk=created.pk)

    assert stored[0] == due
    assert abs(stored[1] - created.created_at) < timedelta(microseconds=1)


def test_hot_queries_are_prepared_on_the_server():
    """Server-side parameters and psycopg's prepare_threshold: a query run often is planned once."""
    require_service("postgresql")
    assert connection.settings_dict["OPTIONS"]["server_side_binding"] is True
    for _ in range(7):
        list(MaintenanceRequest.objects.filter(organization_id=0).values_list("id"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%organization_id%"])
        assert cursor.fetchone()[0] >= 1
