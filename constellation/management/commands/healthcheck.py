import json

from django.core.management.base import BaseCommand, CommandError

from constellation.health import health_report


class Command(BaseCommand):
    help = "Print the health report (as /healthz does); exit non-zero when unhealthy."

    def handle(self, *args, **options):
        report = health_report()
        self.stdout.write(json.dumps(report))
        if report["status"] != "ok":
            raise CommandError("unhealthy")
