"""A sweep keeps claiming due timers until none is due or its time budget is spent, so a
backlog clears in one sweep instead of a thousand timers per beat tick."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rituals import timers
from rituals.models import SweepHeartbeat, Timer
from rituals.timers import handler

COUNTED = "test.counted_by_the_sweep"


@handler(COUNTED)
def _nothing_to_do(timer):
    pass


def _backlog(movement, count):
    due = timezone.now() - timedelta(minutes=5)
    Timer.objects.bulk_create(
        Timer(kind=COUNTED, due_at=due, run_after=due, movement=movement) for _ in range(count)
    )


@pytest.mark.django_db
def test_a_backlog_larger_than_a_thousand_clears_in_one_sweep(tidewater):
    _backlog(tidewater, 1_200)
    assert timers.sweep() == 1_200
    assert not Timer.objects.filter(fired_at__isnull=True).exists()
    assert SweepHeartbeat.objects.get().fired == 1_200


@pytest.mark.django_db
def test_a_spent_budget_leaves_the_rest_for_the_next_sweep(tidewater):
    _backlog(tidewater, 5)
    assert timers.sweep(budget=0, batch=2) == 2  # one claim, then the budget is gone
    assert Timer.objects.filter(fired_at__isnull=True).count() == 3
    assert timers.sweep() == 3


@pytest.mark.django_db
def test_the_budget_is_a_setting(tidewater, settings):
    settings.TIMER_SWEEP_BUDGET = 0
    _backlog(tidewater, 3)
    assert timers.sweep(batch=1) == 1
