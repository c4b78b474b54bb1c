"""No contractor is ever in two places at once: on PostgreSQL an exclusion constraint refuses two proposed or
confirmed appointments of one contractor whose times overlap, whatever code path writes them.

SQLite has no exclusion constraints: there the services' row lock on the contractor is the guard, and this
migration does nothing (BtreeGistExtension is itself a no-op off PostgreSQL).
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

CREATE = """
ALTER TABLE maintenance_appointment ADD CONSTRAINT appointment_no_overlap_per_contractor
EXCLUDE USING gist (contractor_id WITH =, tstzrange(start, "end", '[)') WITH &&)
WHERE (status IN ('proposed', 'confirmed'))
"""
DROP = "ALTER TABLE maintenance_appointment DROP CONSTRAINT IF EXISTS appointment_no_overlap_per_contractor"


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("maintenance", "0003_jobs_invoices_calendar")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP)),
    ]
