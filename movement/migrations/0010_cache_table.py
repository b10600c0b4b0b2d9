from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The default cache (allauth's rate limits) is a database table; any `migrate` makes it.
    call_command("createcachetable", database=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("movement", "0009_form_submissions")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
