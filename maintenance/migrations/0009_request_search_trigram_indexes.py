"""The requests list's free-text search (?search=) from trigram indexes on PostgreSQL.

The search matches each word anywhere in the title or the description (icontains: UPPER(column) LIKE
UPPER('%word%')), which no b-tree index can answer: without these, every search read all of an
organization's requests. pg_trgm's GIN indexes on the same expressions answer it, for words of three
letters or more. Built CONCURRENTLY, so a large table is not locked while they build. Other databases
(SQLite, the embedded default) search without them.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

TABLE = "maintenance_maintenancerequest"
INDEXES = {"maintenance_request_title_trgm": "title", "maintenance_request_description_trgm": "description"}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{name}" ON "{TABLE}" USING gin (UPPER("{column}") gin_trgm_ops)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("maintenance", "0008_schedule_direct_upload_sweep")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
