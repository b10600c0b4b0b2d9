from django.db import migrations

# Finding a circle by name is ILIKE '%word%', which no btree serves; on PostgreSQL a trigram
# GIN index does. (SQLite has no such index; its searches stay as they are.)
CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS circle_name_trgm ON circles_circle "
    "USING gin (UPPER(name) gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS circle_name_trgm"]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("circles", "0003_circle_name_key")]

    operations = [migrations.RunPython(run(CREATE), run(DROP))]
