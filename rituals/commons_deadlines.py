"""The commons' deadlines, kept on the durable timers (``commons.deadlines`` says why).

Each handler runs in the sweep's transaction: what it writes and the timer's ``fired_at``
commit together, so a pledge asks once and a round closes once, even with two sweepers.
"""

from datetime import date, datetime, time, timedelta

from commons import deadlines, services
from commons.services import pledges, rotation
from rituals import recurrence
from rituals.models import Rhythm
from rituals.timers import cancel_timers, handler, schedule_timer

# A custom rhythm's convergences are counted over this many days to say how many a year.
YEAR = timedelta(days=365)


@deadlines.keeps_deadlines
class Keeper:
    @staticmethod
    def schedule(kind, *, due_at, target, movement, payload):
        return schedule_timer(
            kind=kind, due_at=due_at, target=target, movement=movement, payload=payload
        )

    @staticmethod
    def cancel(kind, *, target):
        return cancel_timers(target=target, kind=kind)

    @staticmethod
    def next_convergence(movement, *, after):
        """The day of the first convergence after the day ``after``, in the movement's
        zone; None without a rhythm."""
        rhythm = Rhythm.objects.filter(movement=movement).first()
        if rhythm is None:
            return None
        zone = movement.zone
        end_of_day = datetime.combine(after, time.max, tzinfo=zone)
        starts = recurrence.occurrences(rhythm, after=end_of_day, count=1, zone=zone)
        return starts[0].astimezone(zone).date() if starts else None

    @staticmethod
    def convergences_per_year(movement):
        rhythm = Rhythm.objects.filter(movement=movement).first()
        if rhythm is None:
            return None
        if rhythm.kind == Rhythm.Kind.SEASONAL:
            return 4
        if rhythm.kind == Rhythm.Kind.MONTHLY:
            return 12
        if rhythm.kind == Rhythm.Kind.LUNAR:
            return 12.37
        zone = movement.zone
        start = datetime.combine(date.today(), time(0), tzinfo=zone)
        found = recurrence.occurrences(rhythm, after=start, count=60, zone=zone)
        return sum(1 for moment in found if moment < start + YEAR) or None


@handler(deadlines.PLEDGE_DUE)
def pledge_falls_due(timer):
    pledges.pledge_falls_due(
        pledge_id=timer.target_id, due_on=date.fromisoformat(timer.payload["due_on"])
    )


@handler(deadlines.ROUND_CLOSES)
def round_closes(timer):
    rotation.close_round(round_id=timer.target_id)


@handler(deadlines.BOOKING_SOON)
def booking_soon(timer):
    services.remind_booking(booking_id=timer.target_id)
