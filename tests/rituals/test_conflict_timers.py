"""The conflict ritual's timers on PostgreSQL: the cooling-off ends at the first sweep after
its due time, exactly once, with two sweepers at once, and across a sweeper killed in the
middle of it (its transaction rolls back: the case still cools off, nobody was told)."""

import textwrap
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from movement.models import Notification
from rituals import timers
from rituals.models import ConflictCase
from rituals.services import conflicts
from tests.factories import MembershipFactory
from tests.rituals.test_timers import kill_in_handler

State = ConflictCase.State


def a_case(movement, now=None):
    filer = MembershipFactory(movement=movement)
    other = MembershipFactory(movement=movement)
    return conflicts.file_case(
        by=filer,
        others=[other],
        about="strategy",
        description="The date was moved",
        confirmed=True,
        now=now,
    )


def told(case):
    """How many "update" notifications its people got after filing (one each at filing)."""
    return Notification.objects.filter(
        kind=conflicts.NotificationKind.CASE_UPDATE, url=case.get_absolute_url()
    ).count()


def test_cooling_off_ends_at_the_first_sweep_after_its_due_time(postgres, tidewater):
    case = a_case(tidewater)
    due = case.cooling_off_ends_at
    assert timers.sweep(now=due - timedelta(seconds=1)) == 0
    assert timers.sweep(now=due) == 1
    assert timers.sweep(now=due + timedelta(hours=1)) == 0
    case.refresh_from_db()
    assert (case.state, case.awaiting_since) == (State.AWAITING_CIRCLE, due)


def _in_own_connection(fn, *args):
    try:
        return fn(*args)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_two_sweepers_end_each_cooling_off_exactly_once(postgres, tidewater):
    past = timezone.now() - timedelta(days=2)
    cases = [a_case(tidewater, now=past) for _ in range(20)]
    start_together = threading.Barrier(2, timeout=10)

    def sweep_when_both_ready():
        start_together.wait()
        return timers.sweep(batch=3)

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = [pool.submit(_in_own_connection, sweep_when_both_ready) for _ in range(2)]
        fired = [run.result(timeout=60) for run in runs]

    assert sum(fired) == 20
    states = Counter(ConflictCase.objects.values_list("state", flat=True))
    assert states == Counter({State.AWAITING_CIRCLE: 20})
    # At filing both parties heard once; at the end of cooling-off both again (no organizer
    # in this movement): never twice for one step.
    assert {told(case) for case in cases} == {4}


KILLED_SWEEPER = textwrap.dedent(
    """
    import sys, time
    import django

    django.setup()
    from django.db import connection
    from rituals import timers
    from rituals.services import conflicts

    def then_hang(timer):
        conflicts.cooling_off_ends(timer)  # the case moved and its people told, uncommitted
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            print(cursor.fetchone()[0], flush=True)
        time.sleep(60)

    timers.HANDLERS[conflicts.COOLING_OFF_ENDS] = then_hang
    timers.sweep()
    """
)


@pytest.mark.django_db(transaction=True)
def test_a_sweeper_killed_mid_cooling_off_leaves_it_for_the_next(postgres, tidewater, settings):
    case = a_case(tidewater, now=timezone.now() - timedelta(days=2))
    kill_in_handler(KILLED_SWEEPER, settings=settings)

    case.refresh_from_db()
    assert case.state == State.COOLING_OFF
    assert told(case) == 2  # only the filing

    assert timers.sweep() == 1
    case.refresh_from_db()
    assert case.state == State.AWAITING_CIRCLE
    assert told(case) == 4


@pytest.mark.django_db(transaction=True)
def test_withdrawing_while_the_sweep_ends_the_cooling_off_deadlocks_nobody(postgres, tidewater):
    """The sweep locks the timer, then the case; a withdrawal takes them in the same order,
    so it waits for the sweep instead of locking the case first and deadlocking with it."""
    from django.db import transaction

    from rituals.models import Timer

    case = a_case(tidewater, now=timezone.now() - timedelta(days=2))
    filer = case.filed_by
    timer_locked, go_on = threading.Event(), threading.Event()

    def sweep_slowly():
        with transaction.atomic():
            timer = Timer.objects.select_for_update(skip_locked=True).get(
                kind=conflicts.COOLING_OFF_ENDS, target_id=case.pk
            )
            timer_locked.set()
            assert go_on.wait(10)
            conflicts.cooling_off_ends(timer)
            timer.fired_at, timer.attempts = timezone.now(), 1
            timer.save()

    def withdraw():
        assert timer_locked.wait(10)
        threading.Timer(0.5, go_on.set).start()  # the withdrawal is waiting for a lock by then
        conflicts.withdraw_case(by=filer, case=case)

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = [pool.submit(_in_own_connection, fn) for fn in (sweep_slowly, withdraw)]
        for run in runs:
            run.result(timeout=30)  # a deadlock would raise here

    case.refresh_from_db()
    assert (case.state, case.outcome) == (State.CLOSED, ConflictCase.Outcome.WITHDRAWN)
