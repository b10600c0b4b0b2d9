"""Many people drawing or deciding at the same moment cannot overdraw a pool or grant a
request twice: the pool's row lock serializes them (PostgreSQL; SQLite has no row locks).

Each thread has its own database connection (Django's are per thread), closed when the
thread is done. A barrier releases all threads at once.
"""

import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Sum

from commons import services
from commons.models import Approval, DrawRequest, LedgerEntry, Pool
from commons.services import Verb
from movement.models import AuditEvent, Membership
from tests.factories import (
    CircleFactory,
    CircleMembershipFactory,
    MembershipFactory,
    PoolFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def seated(movement, circle, name):
    member = MembershipFactory(movement=movement, user__display_name=name)
    CircleMembershipFactory(circle=circle, member=member)
    return member


def all_at_once(calls):
    """Run every ``call()`` in its own thread, released together; return, per call, its
    result or the ValidationError it raised (any other exception fails the test)."""
    start = threading.Barrier(len(calls), timeout=30)

    def run(call):
        try:
            start.wait()
            return call()
        except ValidationError as refused:
            return refused
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as executor:
        futures = [executor.submit(run, call) for call in calls]
        return [future.result(timeout=120) for future in futures]


def fresh(model, pk, *related):
    """A private copy of a row for one thread (no shared, lazily filled caches)."""
    return model.objects.select_related(*related).get(pk=pk)


def entries_sum(pool):
    return LedgerEntry.objects.filter(pool=pool).aggregate(total=Sum("amount"))["total"]


def _database_url():
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def fund(tidewater, alice):
    """Unlike the conftest's: €100 in it, and granting only up to €20 at once."""
    pool = PoolFactory(
        movement=tidewater,
        name="Bail Fund",
        purpose="Bail for anyone arrested.",
        instant_limit=Decimal("20"),
    )
    services.contribute(by=alice, pool=pool, amount=Decimal("100"))
    return pool


@pytest.fixture
def kitchen(tidewater):
    return CircleFactory(movement=tidewater, name="Kitchen")


@pytest.fixture
def tenants(tidewater):
    return CircleFactory(movement=tidewater, name="Tenants")


def test_25_draws_at_once_grant_exactly_what_the_pool_holds(postgres, fund, tidewater, settings):
    tried, amount = 25, Decimal("10")
    drawers = [
        MembershipFactory(movement=tidewater, user__display_name=f"Drawer {n}") for n in range(5)
    ]

    def draw_for(membership_pk):
        # Own copies, loaded before the barrier so the draws themselves collide.
        by = fresh(Membership, membership_pk, "user", "movement")
        pool = fresh(Pool, fund.pk, "movement")
        return lambda: services.request_draw(by=by, pool=pool, amount=amount, purpose="Bus fare")

    calls = []
    for n in range(tried):
        calls.append(draw_for(drawers[n % len(drawers)].pk))
    results = all_at_once(calls)

    granted = [r for r in results if isinstance(r, DrawRequest)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    fund.refresh_from_db()
    print(
        f"\nconcurrent draws: tried={tried} granted={len(granted)} refused={len(refused)} "
        f"final balance={fund.balance}"
    )

    assert (len(granted), len(refused)) == (10, 15)
    assert all(draw.state == DrawRequest.State.GRANTED for draw in granted)
    for error in refused:
        assert error.message_dict == {"amount": ["The pool holds €0.00; this needs €10.00."]}
    assert fund.balance == Decimal("0")
    assert entries_sum(fund) == fund.balance
    # Refused requests leave nothing behind; granted ones one entry each, in strict order.
    assert DrawRequest.objects.count() == 10
    draws = LedgerEntry.objects.filter(pool=fund, kind=LedgerEntry.Kind.DRAW)
    assert sorted(draws.values_list("balance_after", flat=True)) == [
        Decimal(n) for n in range(0, 100, 10)
    ]
    assert set(draws.values_list("draw_request", flat=True)) == {d.pk for d in granted}

    reconcile = subprocess.run(
        [sys.executable, "manage.py", "reconcile_commons"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": _database_url()},
        capture_output=True,
        text=True,
        timeout=60,
    )
    print(f"manage.py reconcile_commons exit={reconcile.returncode}: {reconcile.stdout.strip()}")
    assert reconcile.returncode == 0, reconcile.stderr
    assert reconcile.stdout.strip() == "All 1 pools reconcile."


def test_two_circles_approving_at_once_grant_the_draw_once(
    postgres, fund, tidewater, mo, kitchen, legal, tenants
):
    CircleMembershipFactory(circle=kitchen, member=mo)
    lena = seated(tidewater, legal, "Lena")
    tom = seated(tidewater, tenants, "Tom")
    rounds = 3  # three requests, each approved by both at the same instant
    requests = [
        services.request_draw(by=mo, pool=fund, amount=Decimal("30"), purpose=f"Bail {n}")
        for n in range(rounds)
    ]

    def approve(member_pk, draw_pk):
        by = fresh(Membership, member_pk, "user", "movement")
        draw = fresh(DrawRequest, draw_pk, "pool")
        return lambda: services.decide_draw(by=by, draw_request=draw, decision="approve")

    for request in requests:
        results = all_at_once([approve(lena.pk, request.pk), approve(tom.pk, request.pk)])
        assert not [r for r in results if isinstance(r, ValidationError)]

    fund.refresh_from_db()
    for request in requests:
        request.refresh_from_db()
        assert request.state == DrawRequest.State.GRANTED
        assert request.entry.amount == Decimal("-30")
        assert Approval.objects.filter(draw_request=request).count() == 2
        granted_events = AuditEvent.objects.filter(verb=Verb.DRAW_GRANTED, data__draw=request.pk)
        assert granted_events.count() == 1
    assert LedgerEntry.objects.filter(pool=fund, kind=LedgerEntry.Kind.DRAW).count() == rounds
    assert fund.balance == Decimal("10")
    assert entries_sum(fund) == fund.balance


def test_three_circles_racing_to_approve_grant_once_and_the_last_is_told(
    postgres, fund, tidewater, mo, kitchen, legal, tenants, medics, cora
):
    CircleMembershipFactory(circle=kitchen, member=mo)
    lena = seated(tidewater, legal, "Lena")
    tom = seated(tidewater, tenants, "Tom")
    request = services.request_draw(by=mo, pool=fund, amount=Decimal("60"), purpose="Bail")

    def approve(member_pk):
        by = fresh(Membership, member_pk, "user", "movement")
        draw = fresh(DrawRequest, request.pk, "pool")
        return lambda: services.decide_draw(by=by, draw_request=draw, decision="approve")

    results = all_at_once([approve(lena.pk), approve(tom.pk), approve(cora.pk)])

    refused = [r for r in results if isinstance(r, ValidationError)]
    assert [error.messages for error in refused] == [
        ["This request is no longer waiting for decisions."]
    ]
    request.refresh_from_db()
    fund.refresh_from_db()
    assert request.state == DrawRequest.State.GRANTED
    assert Approval.objects.filter(draw_request=request).count() == 2
    assert LedgerEntry.objects.filter(pool=fund, kind=LedgerEntry.Kind.DRAW).count() == 1
    assert fund.balance == Decimal("40") == entries_sum(fund)


def test_reversing_the_same_entry_at_once_reverses_it_once(postgres, fund, alice, tidewater):
    organizers = [alice] + [
        MembershipFactory(movement=tidewater, role="organizer") for _ in range(4)
    ]
    entry = LedgerEntry.objects.get(pool=fund)

    def reverse(member_pk):
        by = fresh(Membership, member_pk, "user", "movement")
        target = fresh(LedgerEntry, entry.pk, "pool")
        return lambda: services.reverse_entry(by=by, entry=target, reason="Cheque bounced")

    results = all_at_once([reverse(organizer.pk) for organizer in organizers])

    refused = [r for r in results if isinstance(r, ValidationError)]
    assert [error.messages for error in refused] == [["This entry has already been reversed."]] * 4
    assert LedgerEntry.objects.filter(reverses=entry).count() == 1
    fund.refresh_from_db()
    assert fund.balance == Decimal("0") == entries_sum(fund)
