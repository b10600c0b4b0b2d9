from django.db import migrations, models


def fill_name_keys(apps, schema_editor):
    Pool = apps.get_model("commons", "Pool")
    for pool in Pool.objects.all().only("pk", "name"):
        Pool.objects.filter(pk=pool.pk).update(name_key=pool.name.strip().casefold())


class Migration(migrations.Migration):
    dependencies = [("commons", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="pool",
            name="name_key",
            field=models.CharField(default="", editable=False, max_length=80),
            preserve_default=False,
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="pool", name="pool_name_unique"),
        migrations.AddConstraint(
            model_name="pool",
            constraint=models.UniqueConstraint(
                fields=("movement", "name_key"), name="pool_name_unique"
            ),
        ),
    ]
