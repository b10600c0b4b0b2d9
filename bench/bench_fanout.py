"""Telling many people at once, and clearing a backlog of timers.

- a "gathering tomorrow" reminder to a movement of 20,000 members: one bulk insert and one
  drain of the outbox (issue 9 measured 16–24 s with one INSERT and one publish each);
- 10,000 timers due at once: one sweep clears them (the old sweep stopped at 1,000 per
  beat tick, so ten minutes for this backlog).
"""

import time
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.conftest import report
from movement.models import Membership, Movement, Notification, User
from rituals import reminders, timers
from rituals.models import Cycle, Gathering, Rsvp, Timer

MEMBERS = 20_000
TIMERS = 10_000


def _movement_of(size):
    movement = Movement.objects.create(name="Big City", slug="big-city", horizon="Homes.")
    users = User.objects.bulk_create(
        User(email=f"member{n}@bench.test", display_name=f"Member {n}", password="!")
        for n in range(size)
    )
    Membership.objects.bulk_create(Membership(movement=movement, user=user) for user in users)
    return movement


def _gathering(movement):
    cycle = Cycle.objects.create(movement=movement, number=1)
    starts = timezone.now() + timedelta(days=1)
    return Gathering.objects.create(
        cycle=cycle, movement=movement, starts_at=starts, ends_at=starts + timedelta(hours=2)
    )


@pytest.mark.django_db
def test_reminding_twenty_thousand_members(django_capture_on_commit_callbacks):
    movement = _movement_of(MEMBERS)
    gathering = _gathering(movement)
    timer = Timer.objects.create(
        kind=reminders.TOMORROW,
        due_at=timezone.now(),
        run_after=timezone.now(),
        movement=movement,
        target_type_id=None,
        target_id=gathering.pk,
    )
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        with django_capture_on_commit_callbacks() as published:
            reminders.remind_members(timer)
        elapsed = time.perf_counter() - started
        query_count = len(queries.captured_queries)
    assert Notification.objects.filter(movement=movement).count() == MEMBERS
    report(
        f"Gathering reminder to {MEMBERS:,} members ({connection.vendor})",
        [
            ("handler time", f"{elapsed:.2f} s"),
            ("SQL statements", query_count),
            ("broker publishes after commit", len(published)),
        ],
    )


@pytest.mark.django_db
def test_clearing_ten_thousand_due_timers():
    """Each timer is a real "gathering tomorrow" reminder for one of 100 gatherings of a
    movement of 10 members: the handler reads its gathering and tells 9 people (one said
    no), so the figure includes real handler work, not an empty loop."""
    movement = _movement_of(10)
    declined = Membership.objects.filter(movement=movement).first()
    gatherings = []
    for n in range(100):
        cycle = Cycle.objects.create(movement=movement, number=n + 1)
        starts = timezone.now() + timedelta(days=1, hours=n)
        gatherings.append(
            Gathering.objects.create(
                cycle=cycle,
                movement=movement,
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
            )
        )
    for gathering in gatherings:
        Rsvp.objects.create(gathering=gathering, member=declined, answer=Rsvp.Answer.NO)
    gathering_type = ContentType.objects.get_for_model(Gathering)
    due = timezone.now() - timedelta(minutes=10)
    Timer.objects.bulk_create(
        Timer(
            kind=reminders.TOMORROW,
            due_at=due,
            run_after=due,
            movement=movement,
            target_type=gathering_type,
            target_id=gatherings[n % 100].pk,
        )
        for n in range(TIMERS)
    )
    started = time.perf_counter()
    fired = timers.sweep()
    elapsed = time.perf_counter() - started
    left = Timer.objects.filter(fired_at__isnull=True, cancelled_at__isnull=True).count()
    report(
        f"One sweep over {TIMERS:,} due reminders ({connection.vendor})",
        [
            ("fired in one sweep", f"{fired:,}"),
            ("left for the next sweep", f"{left:,}"),
            ("notifications written", f"{Notification.objects.count():,}"),
            ("sweep time", f"{elapsed:.1f} s ({fired / elapsed:,.0f} timers/s)"),
        ],
    )
