"""Durable timers: deadlines kept in the database, and the sweep that fires them.

``@handler("kind")`` registers a function ``fn(timer)`` for a kind of timer.
Handlers must be idempotent: a timer whose handler succeeded but whose
transaction did not commit runs again on the next sweep.
"""

import logging
import time
import traceback
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from rituals.models import SweepHeartbeat, Timer

logger = logging.getLogger(__name__)


HANDLERS = {}


def handler(kind):
    def register(fn):
        if kind in HANDLERS and HANDLERS[kind] is not fn:
            raise ValueError(f"A handler for timer kind {kind!r} is already registered.")
        HANDLERS[kind] = fn
        return fn

    return register


class UnknownTimerKind(LookupError):
    pass


def handler_for(kind):
    try:
        return HANDLERS[kind]
    except KeyError:
        raise UnknownTimerKind(f"No handler is registered for timer kind {kind!r}.") from None


MAX_BACKOFF = timedelta(hours=1)


def schedule_timer(*, kind, due_at, target=None, movement=None, payload=None):
    """A timer that fires ``kind``'s handler once, at ``due_at`` or at the first sweep after."""
    handler_for(kind)  # refuse kinds nobody handles, at scheduling time
    return Timer.objects.create(
        kind=kind,
        due_at=due_at,
        run_after=due_at,
        movement=movement,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=target.pk if target is not None else None,
        payload=payload or {},
    )


def move_timers(*, target, kind, due_at):
    """Move the unfired timers of ``kind`` for ``target`` (e.g. a gathering was moved)."""
    return _pending_for(target, kind).update(
        due_at=due_at, run_after=due_at, attempts=0, last_error=""
    )


def lock_pending_timers(target):
    """Lock every unfired timer of ``target``. The sweep locks a timer, then its target: a
    service that changes the target and its timers locks in the same order (this first)."""
    list(
        Timer.objects.select_for_update()
        .filter(
            target_type=ContentType.objects.get_for_model(target),
            target_id=target.pk,
            fired_at__isnull=True,
            cancelled_at__isnull=True,
        )
        .values_list("pk", flat=True)
    )


def cancel_timers(*, target, kind):
    return _pending_for(target, kind).update(cancelled_at=timezone.now())


def _pending_for(target, kind):
    return Timer.objects.filter(
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        kind=kind,
        fired_at__isnull=True,
        cancelled_at__isnull=True,
    )


def backoff(attempts):
    """30 s, 1 min, 2 min, … capped at an hour."""
    doublings = min(max(attempts - 1, 0), 7)  # 30 s × 2⁷ already passes the hour
    return min(timedelta(seconds=30 * 2**doublings), MAX_BACKOFF)


def fire_due_timers(*, now=None, limit=1):
    """Claim up to ``limit`` due timers, run each handler and mark each fired, all in one
    transaction; returns the timers worked on (empty when nothing is due, or everything
    due is being handled by another sweeper right now).

    Each handler runs in a savepoint of its own: a failing one is rolled back alone, its
    error kept and its next attempt put off. A sweeper killed half-way commits nothing,
    and the next sweep claims the same timers again (handlers are idempotent).
    """
    now = now or timezone.now()
    with transaction.atomic():
        claimed = list(
            Timer.objects.select_for_update(skip_locked=True)
            .filter(fired_at__isnull=True, cancelled_at__isnull=True, run_after__lte=now)
            .order_by("run_after", "pk")[:limit]
        )
        for timer in claimed:
            _fire(timer, now)
        return claimed


def fire_next_due_timer(now=None):
    """Claim one due timer and fire it: the single step, for tests and for tracing."""
    claimed = fire_due_timers(now=now, limit=1)
    return claimed[0] if claimed else None


def _fire(timer, now):
    timer.attempts += 1
    try:
        with transaction.atomic():  # a savepoint: the handler's writes go or stay together
            handler_for(timer.kind)(timer)
    except Exception as error:
        timer.last_error = "".join(traceback.format_exception_only(error)).strip()[:4000]
        timer.run_after = max(now, timezone.now()) + backoff(timer.attempts)
        timer.save(update_fields=["attempts", "last_error", "run_after"])
        logger.warning("Timer %s (%s) failed: %s", timer.pk, timer.kind, timer.last_error)
    else:
        timer.fired_at = timezone.now()
        timer.save(update_fields=["attempts", "fired_at"])


# Timers claimed per transaction: one commit for many timers, and a lock held for little
# longer than a few handlers take.
SWEEP_BATCH = 50


def sweep(*, budget=None, now=None, batch=SWEEP_BATCH):
    """Fire due timers until none is due or ``budget`` seconds (TIMER_SWEEP_BUDGET) are
    spent; returns how many fired. A backlog clears in one sweep, not one beat tick per
    thousand; what the budget leaves is claimed by the next sweep."""
    budget = settings.TIMER_SWEEP_BUDGET if budget is None else budget
    deadline = time.monotonic() + budget
    fired = 0
    while True:
        claimed = fire_due_timers(now=now, limit=batch)
        fired += sum(timer.fired_at is not None for timer in claimed)
        if len(claimed) < batch or time.monotonic() >= deadline:
            break
    SweepHeartbeat.objects.update_or_create(
        pk=1, defaults={"swept_at": timezone.now(), "fired": fired}
    )
    return fired
