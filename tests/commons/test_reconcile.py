"""``manage.py reconcile_commons`` proves every stored balance equals the sum of its
pool's entries, and names the pools where it does not."""

import os
import re
import subprocess
import sys
from decimal import Decimal
from io import StringIO
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from commons import services
from commons.models import LedgerEntry, Pool
from tests.factories import PoolFactory


@pytest.fixture
def time_bank(tidewater):
    return PoolFactory(
        hours=True,
        movement=tidewater,
        name="Time Bank",
        purpose="Hours offered to each other.",
        instant_limit=Decimal("4"),
    )


@pytest.fixture
def busy_ledger(fund, time_bank, alice, mo, cora, medics, otto):
    """Contributions, draws and a reversal in two pools, one pool in another movement
    with no entries at all."""
    services.contribute(by=alice, pool=fund, amount=Decimal("120.50"))
    services.contribute(by=cora, pool=fund, amount=Decimal("30"), circle=medics, anonymous=True)
    draw = services.request_draw(by=mo, pool=fund, amount=Decimal("45.25"), purpose="Bail")
    services.reverse_entry(by=alice, entry=draw.entry, reason="Paid twice")
    services.request_draw(by=mo, pool=fund, amount=Decimal("60"), purpose="Bail")
    services.contribute(by=mo, pool=time_bank, amount=Decimal("7.5"))
    services.request_draw(by=cora, pool=time_bank, amount=Decimal("2.25"), purpose="Childcare")
    PoolFactory(
        items=True,
        movement=otto.movement,
        name="Tool Library",
        unit="tools",
        purpose="Drills and ladders.",
        instant_limit=Decimal("2"),
    )


def reconcile():
    out, err = StringIO(), StringIO()
    call_command("reconcile_commons", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_passes_when_every_balance_matches_its_entries(busy_ledger, fund, time_bank):
    fund.refresh_from_db()
    time_bank.refresh_from_db()
    assert (fund.balance, time_bank.balance) == (Decimal("90.50"), Decimal("5.25"))

    out, err = reconcile()

    assert out.strip() == "All 3 pools reconcile."
    assert err == ""


def test_it_fails_and_names_a_pool_whose_stored_balance_was_changed(busy_ledger, fund):
    # Pool is not protected by a trigger: a direct update is exactly the damage to catch.
    Pool.objects.filter(pk=fund.pk).update(balance=Decimal("1000"))
    err = StringIO()

    with pytest.raises(CommandError, match=r"^1 of 3 pools do not reconcile\.$") as failed:
        call_command("reconcile_commons", stdout=StringIO(), stderr=err)

    assert failed.value.returncode == 1  # what `manage.py` exits with
    # SQLite's SUM drops the trailing zeros PostgreSQL's numeric keeps.
    assert re.fullmatch(
        rf"tidewater / Bail Fund \(pool {fund.pk}\): "
        r"stored 1000\.0000, entries sum to 90\.5(000)?\n",
        err.getvalue(),
    )


def test_it_fails_on_an_entry_written_behind_the_services_back(busy_ledger, time_bank, alice):
    # INSERT is allowed (the ledger is append-only); skipping the balance is the damage.
    LedgerEntry.objects.create(
        pool=time_bank,
        kind=LedgerEntry.Kind.CONTRIBUTION,
        amount=Decimal("3"),
        balance_after=Decimal("8.25"),
        recorded_by=alice.user,
    )
    err = StringIO()

    with pytest.raises(CommandError, match=r"^1 of 3 pools do not reconcile\.$"):
        call_command("reconcile_commons", stdout=StringIO(), stderr=err)

    assert "tidewater / Time Bank" in err.getvalue()
    assert "Bail Fund" not in err.getvalue()


def test_it_names_every_pool_that_does_not_reconcile(busy_ledger, fund, time_bank):
    Pool.objects.filter(pk__in=[fund.pk, time_bank.pk]).update(balance=Decimal("0"))
    err = StringIO()

    with pytest.raises(CommandError, match=r"^2 of 3 pools do not reconcile\.$"):
        call_command("reconcile_commons", stdout=StringIO(), stderr=err)

    named = err.getvalue()
    assert f"Bail Fund (pool {fund.pk})" in named
    assert f"Time Bank (pool {time_bank.pk})" in named
    assert "Tool Library" not in named


def test_it_passes_when_cents_remain_after_a_large_draw(alice, mo):
    fund = services.create_pool(
        by=alice,
        name="Legal Fund",
        kind=Pool.Kind.MONEY,
        currency="EUR",
        purpose="Lawyers.",
        instant_limit=Decimal("5000"),
    )
    services.contribute(by=alice, pool=fund, amount=Decimal("1000.10"))
    services.request_draw(by=mo, pool=fund, amount=Decimal("1000"), purpose="Bail for ten")
    fund.refresh_from_db()
    assert fund.balance == Decimal("0.10")

    out, err = reconcile()

    assert (out.strip(), err) == ("All 1 pools reconcile.", "")


# --- the real command line (PostgreSQL: a second process must see committed rows) --------


def _database_url():
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def manage_py_reconcile(settings):
    return subprocess.run(
        [sys.executable, "manage.py", "reconcile_commons"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": _database_url()},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_manage_py_exits_0_then_non_zero_naming_the_pool(
    postgres, transactional_db, busy_ledger, fund, settings
):
    healthy = manage_py_reconcile(settings)
    assert (healthy.returncode, healthy.stdout.strip()) == (0, "All 3 pools reconcile."), (
        healthy.stderr
    )

    Pool.objects.filter(pk=fund.pk).update(balance=Decimal("89.50"))
    broken = manage_py_reconcile(settings)

    assert broken.returncode == 1
    assert (
        f"tidewater / Bail Fund (pool {fund.pk}): stored 89.5000, entries sum to 90.5000"
        in broken.stderr
    )
    assert "1 of 3 pools do not reconcile." in broken.stderr
