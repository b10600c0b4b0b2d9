from django.db import migrations

# Finding a member by name is ILIKE '%word%', which no btree serves; on PostgreSQL a trigram
# GIN index does. (SQLite has no such index; its searches stay as they are.)
CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS user_display_name_trgm ON movement_user "
    "USING gin (UPPER(display_name) gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS user_display_name_trgm"]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("movement", "0011_keyset_indexes")]

    operations = [migrations.RunPython(run(CREATE), run(DROP))]
