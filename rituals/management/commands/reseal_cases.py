"""Re-encrypt every conflict case's texts under the first key of CASE_KEYS.

To rotate the key: put a new key first in CASE_KEYS (keep the old one after it), restart,
run this command, then remove the old key. Safe to run again: texts already sealed under
the first key are simply sealed again.
"""

from django.core.management.base import BaseCommand

from rituals.services.conflicts import reseal_all


class Command(BaseCommand):
    help = "Re-encrypt every conflict case's texts under the first key of CASE_KEYS."

    def handle(self, *args, **options):
        written = reseal_all()
        self.stdout.write(f"Resealed {written} rows under the first key of CASE_KEYS.")
