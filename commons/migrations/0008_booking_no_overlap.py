"""Two live bookings of one resource never overlap: a PostgreSQL exclusion constraint on the
booking's time range (btree_gist lets the resource id share the GiST index). SQLite has no
such constraint: there the booking service checks under a lock (``commons.services.book``).
"""

from django.db import migrations

EXTENSION = "CREATE EXTENSION IF NOT EXISTS btree_gist"
CONSTRAINT = """
ALTER TABLE commons_booking ADD CONSTRAINT booking_no_overlap
EXCLUDE USING gist (resource_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
WHERE (cancelled_at IS NULL)
"""
DROP = "ALTER TABLE commons_booking DROP CONSTRAINT IF EXISTS booking_no_overlap"


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EXTENSION)
        schema_editor.execute(CONSTRAINT)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("commons", "0007_shared_resources")]

    operations = [migrations.RunPython(add, remove)]
