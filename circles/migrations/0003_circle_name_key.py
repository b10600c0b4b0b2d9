from django.db import migrations, models


def fill_name_keys(apps, schema_editor):
    Circle = apps.get_model("circles", "Circle")
    for circle in Circle.objects.all().only("pk", "name"):
        Circle.objects.filter(pk=circle.pk).update(name_key=circle.name.strip().casefold())


class Migration(migrations.Migration):
    dependencies = [("circles", "0002_initial")]

    operations = [
        migrations.AddField(
            model_name="circle",
            name="name_key",
            field=models.CharField(default="", editable=False, max_length=80),
            preserve_default=False,
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="circle", name="circle_name_unique_per_movement"),
        migrations.AddConstraint(
            model_name="circle",
            constraint=models.UniqueConstraint(
                fields=("movement", "name_key"), name="circle_name_unique_per_movement"
            ),
        ),
    ]
