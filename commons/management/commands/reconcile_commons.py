"""Prove that every pool's stored balance equals the sum of its ledger entries."""

from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Sum

from commons.models import AMOUNT_PLACES, LedgerEntry, Pool

SCALE = Decimal(1).scaleb(-AMOUNT_PLACES)


class Command(BaseCommand):
    help = "Recompute each pool's balance from its entries; exit non-zero on any difference."

    def handle(self, *args, **options):
        sums = dict(
            LedgerEntry.objects.values("pool")
            .annotate(total=Sum("amount"))
            .values_list("pool", "total")
        )
        differences = 0
        pools = Pool.objects.select_related("movement").order_by("movement__slug", "name")
        for pool in pools.iterator(chunk_size=500):
            # SQLite sums decimals as floats; round to the column's scale before comparing.
            expected = Decimal(str(sums.get(pool.pk) or 0)).quantize(SCALE)
            if pool.balance != expected:
                differences += 1
                self.stderr.write(
                    f"{pool.movement.slug} / {pool.name} (pool {pool.pk}): stored "
                    f"{pool.balance}, entries sum to {expected}"
                )
        checked = pools.count()
        if differences:
            raise CommandError(f"{differences} of {checked} pools do not reconcile.")
        self.stdout.write(self.style.SUCCESS(f"All {checked} pools reconcile."))
