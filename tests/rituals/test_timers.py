"""Durable timers: each due timer fires exactly once, whatever happens to the sweepers.

The handlers below are registered for timer kinds only these tests use. Each firing
appends an ``AuditEvent`` row, so "fired once" is counted from real writes, not
from a flag the code under test sets on itself.
"""

import os
import select
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from movement.models import AuditEvent
from rituals import timers
from rituals.models import SweepHeartbeat, Timer
from rituals.tasks import sweep_timers
from rituals.timers import UnknownTimerKind, handler

FIRED = "test.timer_fired"
PARTIAL = "test.handler_partial_write"

RECORD = "test.record"
FLAKY = "test.flaky"
DIES = "test.dies"
SLOW_RECORD = "test.slow_record"
KILLED = "test.killed_mid_handler"

# Switches for the handlers' outside world, reset by the fixtures below.
calendar_down = threading.Event()
sweeper_dies = threading.Event()


def _record(timer, **data):
    AuditEvent.objects.create(movement=timer.movement, verb=FIRED, target=str(timer.pk), data=data)


@handler(RECORD)
def _record_firing(timer):
    _record(timer)


@handler(FLAKY)
def _fire_unless_calendar_down(timer):
    _record(timer)  # written before the failure: must be rolled back with it
    if calendar_down.is_set():
        raise ConnectionError("calendar service unreachable")


@handler(DIES)
def _fire_unless_sweeper_dies(timer):
    AuditEvent.objects.create(movement=timer.movement, verb=PARTIAL, target=str(timer.pk))
    if sweeper_dies.is_set():
        raise SystemExit("worker shut down mid-handler")
    _record(timer)


@handler(SLOW_RECORD)
def _record_slowly(timer):
    _record(timer, sweeper=threading.current_thread().name)
    time.sleep(0.01)  # keep both sweepers busy at the same time


@handler(KILLED)
def _record_after_kill(timer):
    # In this process the handler succeeds; the subprocess below registers one that hangs.
    _record(timer)


@pytest.fixture
def outage():
    calendar_down.set()
    yield calendar_down
    calendar_down.clear()


@pytest.fixture
def dying_sweeper():
    sweeper_dies.set()
    yield sweeper_dies
    sweeper_dies.clear()


def firings(timer):
    return AuditEvent.objects.filter(verb=FIRED, target=str(timer.pk)).count()


def ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)


def ahead(**kwargs):
    return timezone.now() + timedelta(**kwargs)


# --- one sweeper ----------------------------------------------------------------------


def test_due_timer_fires_once(tidewater):
    timer = timers.schedule_timer(kind=RECORD, due_at=ago(minutes=1), movement=tidewater)

    assert timers.sweep() == 1
    assert timers.sweep() == 0

    timer.refresh_from_db()
    assert timer.fired_at is not None
    assert timer.attempts == 1
    assert firings(timer) == 1


def test_timer_not_yet_due_waits(tidewater):
    timer = timers.schedule_timer(kind=RECORD, due_at=ahead(hours=1), movement=tidewater)

    assert timers.sweep() == 0

    timer.refresh_from_db()
    assert (timer.fired_at, timer.attempts, firings(timer)) == (None, 0, 0)
    assert timers.sweep(now=timer.due_at) == 1
    assert firings(timer) == 1


def test_cancelled_timer_never_fires(tidewater):
    timer = timers.schedule_timer(
        kind=RECORD, due_at=ago(minutes=1), target=tidewater, movement=tidewater
    )

    assert timers.cancel_timers(target=tidewater, kind=RECORD) == 1
    assert timers.sweep() == 0

    timer.refresh_from_db()
    assert timer.cancelled_at is not None
    assert (timer.fired_at, firings(timer)) == (None, 0)


def test_moved_timer_fires_at_its_new_time(tidewater):
    timer = timers.schedule_timer(
        kind=RECORD, due_at=ago(minutes=1), target=tidewater, movement=tidewater
    )
    new_due_at = ahead(days=2)

    assert timers.move_timers(target=tidewater, kind=RECORD, due_at=new_due_at) == 1
    assert timers.sweep() == 0
    assert timers.sweep(now=new_due_at - timedelta(seconds=1)) == 0
    assert timers.sweep(now=new_due_at) == 1

    timer.refresh_from_db()
    assert timer.due_at == new_due_at
    assert firings(timer) == 1


def test_moving_leaves_other_kinds_and_targets_alone(tidewater, elsewhere):
    reminder = timers.schedule_timer(
        kind=RECORD, due_at=ago(minutes=1), target=elsewhere, movement=elsewhere
    )
    other_kind = timers.schedule_timer(
        kind=FLAKY, due_at=ago(minutes=1), target=tidewater, movement=tidewater
    )

    assert timers.move_timers(target=tidewater, kind=RECORD, due_at=ahead(days=1)) == 0
    assert timers.sweep() == 2
    assert firings(reminder) == firings(other_kind) == 1


def test_unknown_kind_is_refused_when_scheduling(db):
    with pytest.raises(UnknownTimerKind):
        timers.schedule_timer(kind="test.nobody_handles_this", due_at=ago(minutes=1))
    assert not Timer.objects.exists()


# --- a failing handler ---------------------------------------------------------------


def test_failing_handler_is_retried_with_backoff(tidewater, outage):
    timer = timers.schedule_timer(kind=FLAKY, due_at=ago(minutes=1), movement=tidewater)

    before = timezone.now()
    assert timers.sweep() == 0
    after = timezone.now()

    timer.refresh_from_db()
    assert timer.fired_at is None
    assert timer.attempts == 1
    assert timer.last_error == "ConnectionError: calendar service unreachable"
    assert before + timedelta(seconds=30) <= timer.run_after <= after + timedelta(seconds=30)
    assert firings(timer) == 0  # the handler's own write was rolled back

    # Not retried before its back-off is over.
    assert timers.sweep() == 0
    timer.refresh_from_db()
    assert timer.attempts == 1

    # Second failure: the back-off doubles.
    before = timezone.now()
    assert timers.sweep(now=timer.run_after) == 0
    timer.refresh_from_db()
    assert timer.attempts == 2
    assert timer.run_after >= before + timedelta(seconds=60)

    # The calendar comes back: the next due sweep fires it, once.
    outage.clear()
    assert timers.sweep(now=timer.run_after) == 1
    timer.refresh_from_db()
    assert timer.fired_at is not None
    assert timer.attempts == 3
    assert firings(timer) == 1


def test_failing_timer_does_not_hold_up_the_others(tidewater, outage):
    failing = timers.schedule_timer(kind=FLAKY, due_at=ago(minutes=2), movement=tidewater)
    healthy = timers.schedule_timer(kind=RECORD, due_at=ago(minutes=1), movement=tidewater)

    assert timers.sweep() == 1

    assert firings(healthy) == 1
    failing.refresh_from_db()
    assert (failing.fired_at, failing.attempts) == (None, 1)


def test_backoff_doubles_and_stops_at_an_hour():
    assert [timers.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert timers.backoff(8) == timers.backoff(43) == timers.backoff(10_000)
    assert timers.backoff(8) == timedelta(hours=1)


def test_timer_failing_for_days_does_not_wedge_the_sweep(tidewater, outage):
    # Regression: the back-off once overflowed timedelta on the 43rd attempt, inside the
    # sweep's except branch, so the oldest failing timer crashed every sweep after it.
    stuck = timers.schedule_timer(kind=FLAKY, due_at=ago(minutes=2), movement=tidewater)
    for _attempt in range(42):  # ~36 hours of failures, one due sweep after another
        stuck.refresh_from_db()
        timers.sweep(now=stuck.run_after)
    stuck.refresh_from_db()
    assert stuck.attempts == 42
    # Due at the same moment but queued behind the stuck timer.
    healthy = timers.schedule_timer(kind=RECORD, due_at=stuck.run_after, movement=tidewater)

    assert timers.sweep(now=stuck.run_after) == 1

    assert firings(healthy) == 1
    stuck.refresh_from_db()
    assert stuck.attempts == 43


# --- a sweeper that dies half-way ------------------------------------------------------


def test_sweeper_dying_mid_handler_loses_nothing(tidewater, dying_sweeper):
    first = timers.schedule_timer(kind=RECORD, due_at=ago(minutes=3), movement=tidewater)
    dies_on = timers.schedule_timer(kind=DIES, due_at=ago(minutes=2), movement=tidewater)
    last = timers.schedule_timer(kind=RECORD, due_at=ago(minutes=1), movement=tidewater)

    with pytest.raises(SystemExit):
        timers.sweep()

    # The three were claimed together: the crash commits none of them, and loses none.
    assert firings(first) == 0
    dies_on.refresh_from_db()
    assert (dies_on.fired_at, dies_on.attempts, dies_on.last_error) == (None, 0, "")
    assert not AuditEvent.objects.filter(verb=PARTIAL).exists()
    assert firings(last) == 0

    dying_sweeper.clear()  # the worker restarts
    assert timers.sweep() == 3
    assert firings(first) == firings(dies_on) == firings(last) == 1


def test_a_sweeper_dying_after_one_batch_keeps_that_batch(tidewater, dying_sweeper):
    first = timers.schedule_timer(kind=RECORD, due_at=ago(minutes=3), movement=tidewater)
    dies_on = timers.schedule_timer(kind=DIES, due_at=ago(minutes=2), movement=tidewater)

    with pytest.raises(SystemExit):
        timers.sweep(batch=1)

    assert firings(first) == 1  # its batch committed before the crash
    dying_sweeper.clear()
    assert timers.sweep() == 1
    assert firings(first) == firings(dies_on) == 1


def _database_url():
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def kill_in_handler(script, *args, settings):
    """Run ``script`` (a sweeper whose handler prints its backend's pid, then hangs) and
    kill it there; returns once PostgreSQL has rolled its transaction back."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "constellation.settings",
    }
    sweeper = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready, _, _ = select.select([sweeper.stdout], [], [], 30)
        assert ready, "the subprocess never reached the handler"
        backend_pid = int(sweeper.stdout.readline())
    finally:
        sweeper.kill()
        sweeper.wait()
        sweeper.stdout.close()
    wait_for_backend_to_go(backend_pid)


def wait_for_backend_to_go(backend_pid):
    """PostgreSQL rolls back a dead client's transaction when it notices the socket closed."""
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [backend_pid])
            if cursor.fetchone()[0] == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.05)


HANGING_SWEEPER = textwrap.dedent(
    """
    import sys, time
    import django

    django.setup()
    from django.db import connection
    from movement.models import AuditEvent
    from rituals import timers
    from rituals.timers import handler

    @handler(sys.argv[1])
    def hang(timer):
        AuditEvent.objects.create(movement=timer.movement, verb=sys.argv[2], target=str(timer.pk))
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            print(cursor.fetchone()[0], flush=True)
        time.sleep(60)

    timers.sweep()
    """
)


@pytest.mark.django_db(transaction=True)
def test_sweeper_killed_mid_handler_leaves_timer_for_the_next(postgres, tidewater, settings):
    timer = timers.schedule_timer(kind=KILLED, due_at=ago(minutes=1), movement=tidewater)
    kill_in_handler(HANGING_SWEEPER, KILLED, PARTIAL, settings=settings)

    timer.refresh_from_db()
    assert (timer.fired_at, timer.attempts) == (None, 0)
    assert not AuditEvent.objects.filter(verb=PARTIAL).exists()

    assert timers.sweep() == 1
    assert firings(timer) == 1


# --- two sweepers at once (PostgreSQL: SQLite has no row locks) --------------------------


def _in_own_connection(fn, *args):
    try:
        return fn(*args)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_two_sweepers_at_once_fire_each_timer_exactly_once(postgres, tidewater):
    due = [
        timers.schedule_timer(kind=SLOW_RECORD, due_at=ago(seconds=n), movement=tidewater)
        for n in range(1, 51)
    ]
    start_together = threading.Barrier(2, timeout=10)

    def sweep_when_both_ready():
        start_together.wait()
        return timers.sweep(batch=5)  # small batches, so the two sweepers interleave

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = [pool.submit(_in_own_connection, sweep_when_both_ready) for _ in range(2)]
        fired = [run.result(timeout=60) for run in runs]

    per_timer = Counter(AuditEvent.objects.filter(verb=FIRED).values_list("target", flat=True))
    assert per_timer == Counter({str(timer.pk): 1 for timer in due})
    assert sum(fired) == 50
    assert not Timer.objects.filter(fired_at__isnull=True).exists()
    assert set(Timer.objects.values_list("attempts", flat=True)) == {1}
    sweepers = {event.data["sweeper"] for event in AuditEvent.objects.filter(verb=FIRED)}
    assert len(sweepers) == 2, "both sweepers should have fired some timers"


@pytest.mark.django_db(transaction=True)
def test_sweep_skips_a_timer_locked_by_another_transaction(postgres, tidewater):
    locked = timers.schedule_timer(kind=RECORD, due_at=ago(minutes=2), movement=tidewater)
    others = [
        timers.schedule_timer(kind=RECORD, due_at=ago(minutes=1), movement=tidewater)
        for _ in range(3)
    ]
    holding, release = threading.Event(), threading.Event()

    def hold_lock():
        from django.db import transaction

        with transaction.atomic():
            Timer.objects.select_for_update().get(pk=locked.pk)
            holding.set()
            release.wait(timeout=10)

    with ThreadPoolExecutor(max_workers=1) as pool:
        holder = pool.submit(_in_own_connection, hold_lock)
        assert holding.wait(timeout=10)
        started = time.monotonic()
        try:
            fired = timers.sweep()
        finally:
            elapsed = time.monotonic() - started
            release.set()
        holder.result(timeout=10)

    assert elapsed < 2, f"the sweep waited {elapsed:.1f} s for the lock instead of skipping"
    assert fired == 3
    assert all(firings(timer) == 1 for timer in others)
    locked.refresh_from_db()
    assert (locked.fired_at, locked.attempts) == (None, 0)

    assert timers.sweep() == 1  # once the lock is gone, the next sweep takes it
    assert firings(locked) == 1


# --- heartbeat and the Celery task -----------------------------------------------------------


def test_sweep_writes_the_heartbeat_healthz_reads(client, db):
    assert client.get(reverse("healthz")).json()["timer_sweep_age_seconds"] is None

    before = timezone.now()
    timers.sweep()  # nothing due: the heartbeat is written all the same

    heartbeat = SweepHeartbeat.objects.get()
    assert heartbeat.swept_at >= before
    assert heartbeat.fired == 0
    response = client.get(reverse("healthz"))
    assert 0 <= response.json()["timer_sweep_age_seconds"] <= 5
    assert response.status_code == 200


def test_stale_heartbeat_makes_healthz_unhealthy(client, db, settings):
    timers.sweep()
    SweepHeartbeat.objects.update(swept_at=ago(seconds=settings.TIMER_SWEEP_STALE_AFTER + 60))

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"


def test_celery_task_runs_the_real_sweep(tidewater):
    timer = timers.schedule_timer(kind=RECORD, due_at=ago(minutes=1), movement=tidewater)

    result = sweep_timers.delay()

    assert result.get() == 1
    assert firings(timer) == 1
    assert SweepHeartbeat.objects.get().fired == 1
