from django.db import migrations

# Searching the archive is ILIKE '%word%', which no btree serves; on PostgreSQL a trigram
# GIN index does. (SQLite has no such index; its searches stay as they are.)
CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS archive_title_trgm ON commons_archiveentry "
    "USING gin (UPPER(title) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS archive_body_trgm ON commons_archiveentry "
    "USING gin (UPPER(body) gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS archive_title_trgm", "DROP INDEX IF EXISTS archive_body_trgm"]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("commons", "0002_pool_name_key")]

    operations = [migrations.RunPython(run(CREATE), run(DROP))]
