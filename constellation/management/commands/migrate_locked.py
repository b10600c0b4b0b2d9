from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

# Any constant will do; every container that starts uses the same one.
MIGRATION_LOCK = 7_340_214


class Command(BaseCommand):
    help = "Run migrate, one container at a time (PostgreSQL advisory lock)."

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            call_command("migrate", interactive=False)
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK])
            try:
                call_command("migrate", interactive=False)
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK])
