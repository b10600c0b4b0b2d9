import re
from collections import defaultdict

from django.db import migrations, models


def _words(text):
    return tuple(re.findall(r"\w+", text.casefold()))


def name_circles(apps, schema_editor):
    """The circles each existing commitment names, as ``rituals.naming`` works them out
    (copied here: a migration must not change when that module does), by the circles'
    names today: what the ligaments counted until now."""
    Circle = apps.get_model("circles", "Circle")
    Commitment = apps.get_model("rituals", "Commitment")
    through = Commitment.named_circles.through
    movements = Circle.objects.values_list("movement_id", flat=True).distinct()
    for movement_id in movements.order_by():
        by_first_word = defaultdict(list)
        for circle_id, name in Circle.objects.filter(
            movement_id=movement_id, archived_at__isnull=True
        ).values_list("pk", "name"):
            words = _words(name)
            if words:
                by_first_word[words[0]].append((words, circle_id))
        rows = []
        commitments = Commitment.objects.filter(circle__movement_id=movement_id)
        for commitment_id, author, text in commitments.values_list("pk", "circle_id", "text"):
            words = _words(text)
            named = set()
            for index, word in enumerate(words):
                for name_words, other in by_first_word.get(word, ()):
                    if other != author and words[index : index + len(name_words)] == name_words:
                        named.add(other)
            rows.extend(through(commitment_id=commitment_id, circle_id=other) for other in named)
        through.objects.bulk_create(rows, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("circles", "0004_circle_name_trigram_search"),
        ("rituals", "0009_sprint_artifact"),
    ]

    operations = [
        migrations.AddField(
            model_name="commitment",
            name="named_circles",
            field=models.ManyToManyField(
                blank=True, related_name="named_in_commitments", to="circles.circle"
            ),
        ),
        migrations.RunPython(name_circles, migrations.RunPython.noop),
    ]
