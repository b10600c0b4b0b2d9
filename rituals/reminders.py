"""Gathering reminders, kept as durable timers and sent through the notification outbox.

Each handler runs inside the sweep's transaction, so its notifications and the timer's
``fired_at`` commit together: a reminder goes out once, even across worker restarts.
"""

from datetime import timedelta

from django.db import models
from django.utils import dateformat, timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy

from circles.models import CircleMembership
from movement.models import User
from movement.services import notify_each, notify_many
from movement.vocabulary import notification_kinds
from rituals.models import CircleReport, Gathering, Rhythm, Rsvp
from rituals.timers import handler

REPORT_DUE = "gathering.report_due"
TOMORROW = "gathering.tomorrow"
KINDS = (REPORT_DUE, TOMORROW)


@notification_kinds
class NotificationKind(models.TextChoices):
    """What the reminders tell people about."""

    REPORT_DUE = "rituals.report_due", gettext_lazy("a circle report I owe is due")
    GATHERING_TOMORROW = "rituals.gathering_tomorrow", gettext_lazy("a gathering is tomorrow")


def reminder_times(gathering):
    """When each reminder should fire: a day before reports are due, a day before it starts."""
    rhythm = Rhythm.objects.filter(movement=gathering.movement_id).first()
    report_days = rhythm.report_days_before if rhythm else 0
    # Aware arithmetic within one zone is wall-clock arithmetic: "the day before, same hour",
    # even when the gathering comes back from the database in UTC.
    starts = gathering.starts_at.astimezone(gathering.movement.zone)
    report_due = starts - timedelta(days=report_days)
    return {
        REPORT_DUE: report_due - timedelta(days=1),
        TOMORROW: starts - timedelta(days=1),
    }


def _when(gathering):
    """The gathering's start in the movement's zone, in words of the reader's language
    (lazy: it is written when each notification is)."""
    local = timezone.localtime(gathering.starts_at, gathering.movement.zone)
    return lazy(lambda: dateformat.format(local, "l j F Y, H:i"), str)()


def _gathering(timer):
    return (
        Gathering.objects.select_related("movement", "cycle")
        .filter(pk=timer.target_id, state=Gathering.State.SCHEDULED)
        .first()
    )


@handler(REPORT_DUE)
def remind_conveners(timer):
    """Conveners of circles that have not reported yet hear that reports are due, each about
    their own circle: one bulk insert, one drain of the outbox."""
    gathering = _gathering(timer)
    if gathering is None:
        return
    reported = CircleReport.objects.filter(cycle=gathering.cycle_id).values("circle")
    seats = (
        CircleMembership.objects.filter(
            is_convener=True,
            circle__movement=gathering.movement,
            circle__archived_at__isnull=True,
        )
        .exclude(circle__in=reported)
        .select_related("circle", "member__user")
        .order_by("circle_id")
    )
    when = _when(gathering)
    notify_each(
        deliveries=(
            (seat.member.user, {"when": when, "circle": seat.circle.name}) for seat in seats
        ),
        kind=NotificationKind.REPORT_DUE,
        movement=gathering.movement,
        subject=gettext_lazy("%(circle)s's report is due tomorrow"),
        body=gettext_lazy(
            "The convergence gathering is on %(when)s. Please send what %(circle)s did, "
            "learned and needs, and its intention for the next phase."
        ),
        url=gathering.get_absolute_url(),
    )


@handler(TOMORROW)
def remind_members(timer):
    """Everyone who has not said no hears that the gathering is tomorrow: one bulk insert,
    one drain of the outbox, however many members."""
    gathering = _gathering(timer)
    if gathering is None:
        return
    declined = Rsvp.objects.filter(gathering=gathering, answer=Rsvp.Answer.NO).values("member")
    recipients = User.objects.filter(memberships__movement=gathering.movement).exclude(
        memberships__in=declined
    )
    notify_many(
        recipients=recipients,
        kind=NotificationKind.GATHERING_TOMORROW,
        movement=gathering.movement,
        subject=gettext_lazy("Convergence tomorrow: %(when)s"),
        body=gettext_lazy("Cycle %(n)s's gathering of %(movement)s. %(place)s"),
        params={
            "when": _when(gathering),
            "n": gathering.cycle.number,
            "movement": gathering.movement.name,
            "place": gathering.place,
        },
        url=gathering.get_absolute_url(),
    )
