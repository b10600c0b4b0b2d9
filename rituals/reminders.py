"""Gathering reminders, kept as durable timers and sent through the notification outbox.

Each handler runs inside the sweep's transaction, so its notifications and the timer's
``fired_at`` commit together: a reminder goes out once, even across worker restarts.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from circles.models import CircleMembership
from movement.models import Membership
from movement.services import notify
from rituals.models import CircleReport, Gathering, Rhythm, Rsvp
from rituals.timers import handler

REPORT_DUE = "gathering.report_due"
TOMORROW = "gathering.tomorrow"
KINDS = (REPORT_DUE, TOMORROW)


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
    local = timezone.localtime(gathering.starts_at, gathering.movement.zone)
    return local.strftime("%A %d %B %Y, %H:%M")


def _gathering(timer):
    return (
        Gathering.objects.select_related("movement", "cycle")
        .filter(pk=timer.target_id, state=Gathering.State.SCHEDULED)
        .first()
    )


@handler(REPORT_DUE)
def remind_conveners(timer):
    """Conveners of circles that have not reported yet hear that reports are due."""
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
    )
    for seat in seats:
        notify(
            recipient=seat.member.user,
            movement=gathering.movement,
            subject=_("%(circle)s's report is due tomorrow") % {"circle": seat.circle.name},
            body=_(
                "The convergence gathering is on %(when)s. Please send what %(circle)s did, "
                "learned and needs, and its intention for the next phase."
            )
            % {"when": _when(gathering), "circle": seat.circle.name},
            url=gathering.get_absolute_url(),
        )


@handler(TOMORROW)
def remind_members(timer):
    """Everyone who has not said no hears that the gathering is tomorrow."""
    gathering = _gathering(timer)
    if gathering is None:
        return
    declined = Rsvp.objects.filter(gathering=gathering, answer=Rsvp.Answer.NO).values("member")
    members = (
        Membership.objects.filter(movement=gathering.movement)
        .exclude(pk__in=declined)
        .select_related("user")
    )
    for member in members:
        notify(
            recipient=member.user,
            movement=gathering.movement,
            subject=_("Convergence tomorrow: %(when)s") % {"when": _when(gathering)},
            body=_("Cycle %(n)s's gathering of %(movement)s. %(place)s")
            % {
                "n": gathering.cycle.number,
                "movement": gathering.movement.name,
                "place": gathering.place,
            },
            url=gathering.get_absolute_url(),
        )
