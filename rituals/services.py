"""Durable timers: schedule, move, cancel, and the sweep that fires them."""

import logging
import traceback
from datetime import timedelta
from zoneinfo import available_timezones

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from circles.models import CircleMembership
from movement.models import AuditEvent, Movement
from movement.services import record_event
from rituals import reminders
from rituals.models import (
    CalendarFeed,
    CircleReport,
    Commitment,
    Cycle,
    Gathering,
    Rhythm,
    Rsvp,
    SweepHeartbeat,
    Timer,
)
from rituals.recurrence import occurrences, parse_rrule
from rituals.timers import handler_for

logger = logging.getLogger(__name__)

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


def fire_next_due_timer(now=None):
    """Claim one due timer, run its handler and mark it fired, all in one transaction.

    Returns the timer it worked on, or None when nothing is due (or everything due
    is being handled by another sweeper right now).
    """
    now = now or timezone.now()
    with transaction.atomic():
        timer = (
            Timer.objects.select_for_update(skip_locked=True)
            .filter(fired_at__isnull=True, cancelled_at__isnull=True, run_after__lte=now)
            .order_by("run_after", "pk")
            .first()
        )
        if timer is None:
            return None
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
        return timer


def sweep(*, limit=1000, now=None):
    """Fire every due timer (up to ``limit``); returns how many fired."""
    fired = 0
    for _attempt in range(limit):
        timer = fire_next_due_timer(now=now)
        if timer is None:
            break
        fired += timer.fired_at is not None
    SweepHeartbeat.objects.update_or_create(
        pk=1, defaults={"swept_at": timezone.now(), "fired": fired}
    )
    return fired


# --- convergence: the rhythm and the cycles it creates ------------------------------------

CYCLES_AHEAD = 3


def set_rhythm(
    *,
    by,
    kind,
    local_time,
    duration,
    time_zone=None,
    week=None,
    weekday=None,
    moon_phase="",
    rrule="",
    place="",
    call_link="",
    report_days_before=3,
    now=None,
):
    """An organizer sets how the movement converges. Gatherings the scheduler made that
    have not started are re-planned to the new rhythm; gatherings already held, live, or
    set by hand stay as they are."""
    movement = by.movement
    if time_zone:
        if time_zone not in available_timezones():
            raise ValidationError({"time_zone": _("Pick a time zone such as Europe/Paris.")})
        movement.time_zone = time_zone
    rhythm = Rhythm(
        movement=movement,
        kind=kind,
        local_time=local_time,
        duration=duration,
        week=week,
        weekday=weekday,
        moon_phase=moon_phase,
        rrule=rrule.strip(),
        place=place.strip(),
        call_link=call_link.strip(),
        report_days_before=report_days_before,
    )
    _check_rhythm(rhythm, now=now or timezone.now())
    with transaction.atomic():
        Movement.objects.select_for_update().get(pk=movement.pk)
        movement.save(update_fields=["time_zone"])
        existing = Rhythm.objects.filter(movement=movement).first()
        if existing:
            rhythm.pk = existing.pk
        rhythm.updated_at = timezone.now()
        rhythm.save()
        _drop_unheld_planned_gatherings(movement, now=now)
        record_event(
            movement=movement,
            actor=by.user,
            verb=AuditEvent.Verb.RHYTHM_SET,
            target=rhythm.get_kind_display(),
        )
        schedule_ahead(movement=movement, now=now)
    return rhythm


def _check_rhythm(rhythm, *, now):
    errors = {}
    if rhythm.kind == Rhythm.Kind.MONTHLY:
        if rhythm.week is None:
            errors["week"] = _("Pick which week of the month.")
        if rhythm.weekday is None:
            errors["weekday"] = _("Pick the day of the week.")
    elif rhythm.kind == Rhythm.Kind.LUNAR and rhythm.moon_phase not in Rhythm.MoonPhase.values:
        errors["moon_phase"] = _("Pick the new moon or the full moon.")
    elif rhythm.kind == Rhythm.Kind.CUSTOM:
        local = now.astimezone(rhythm.movement.zone).replace(tzinfo=None)
        try:
            parse_rrule(rhythm.rrule, start=local)
        except ValidationError as error:
            errors.update(error.message_dict)
    elif rhythm.kind not in Rhythm.Kind.values:
        errors["kind"] = _("Pick a rhythm.")
    if not timedelta(minutes=15) <= rhythm.duration <= timedelta(hours=12):
        errors["duration"] = _("A gathering lasts between 15 minutes and 12 hours.")
    if errors:
        raise ValidationError(errors)


def _drop_unheld_planned_gatherings(movement, *, now=None):
    now = now or timezone.now()
    planned = list(
        Gathering.objects.filter(
            movement=movement,
            from_rhythm=True,
            state=Gathering.State.SCHEDULED,
            starts_at__gt=now,
        )
    )
    for gathering in planned:
        for kind in reminders.KINDS:
            cancel_timers(target=gathering, kind=kind)
    Cycle.objects.filter(gathering__in=planned).delete()


def _schedule_reminders(gathering, *, now):
    for kind, due_at in reminders.reminder_times(gathering).items():
        if due_at > now:  # a reminder whose moment has passed would only be noise
            schedule_timer(kind=kind, due_at=due_at, target=gathering, movement=gathering.movement)


def move_gathering(*, by, gathering, starts_at, ends_at):
    """Move one gathering; its reminders move with it."""
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("A gathering ends after it starts.")})
    if ends_at - starts_at > timedelta(hours=12):
        raise ValidationError({"ends_at": _("A gathering lasts at most 12 hours.")})
    if gathering.state != Gathering.State.SCHEDULED:
        raise ValidationError(_("Only a gathering that has not started can be moved."))
    with transaction.atomic():
        gathering = Gathering.objects.select_for_update().get(pk=gathering.pk)
        gathering.starts_at, gathering.ends_at, gathering.from_rhythm = starts_at, ends_at, False
        gathering.save(update_fields=["starts_at", "ends_at", "from_rhythm"])
        now = timezone.now()
        for kind, due_at in reminders.reminder_times(gathering).items():
            if not move_timers(target=gathering, kind=kind, due_at=due_at) and due_at > now:
                schedule_timer(
                    kind=kind, due_at=due_at, target=gathering, movement=gathering.movement
                )
        record_event(
            movement=gathering.movement,
            actor=by.user,
            verb=AuditEvent.Verb.GATHERING_MOVED,
            target=str(gathering.cycle.number),
            starts_at=starts_at.isoformat(),
        )
    return gathering


def schedule_ahead(*, movement, count=CYCLES_AHEAD, now=None):
    """Keep ``count`` future gatherings planned from the rhythm. Idempotent; returns the new
    gatherings. Cycle numbers keep counting from the last one."""
    now = now or timezone.now()
    rhythm = Rhythm.objects.filter(movement=movement).select_related("movement").first()
    if rhythm is None:
        return []
    with transaction.atomic():
        Movement.objects.select_for_update().get(pk=movement.pk)
        upcoming = Gathering.objects.filter(movement=movement, starts_at__gt=now)
        missing = count - upcoming.count()
        if missing <= 0:
            return []
        last = Gathering.objects.filter(movement=movement).order_by("-starts_at").first()
        after = max(now, last.starts_at) if last else now
        number = Cycle.objects.filter(movement=movement).aggregate(n=Max("number"))["n"] or 0
        created = []
        for starts_at in occurrences(rhythm, after=after, count=missing, zone=movement.zone):
            number += 1
            cycle = Cycle.objects.create(movement=movement, number=number)
            gathering = Gathering.objects.create(
                cycle=cycle,
                movement=movement,
                starts_at=starts_at,
                ends_at=starts_at + rhythm.duration,
                place=rhythm.place,
                call_link=rhythm.call_link,
            )
            _schedule_reminders(gathering, now=now)
            created.append(gathering)
        return created


def schedule_all_movements(now=None):
    """The beat's daily job: every movement with a rhythm keeps its next gatherings planned."""
    return sum(
        len(schedule_ahead(movement=rhythm.movement, now=now))
        for rhythm in Rhythm.objects.select_related("movement")
    )


def answer_gathering(*, by, gathering, answer):
    """A member says yes, maybe or no; answering again changes the answer."""
    if answer not in Rsvp.Answer.values:
        raise ValidationError({"answer": _("Answer yes, maybe or no.")})
    if gathering.state == Gathering.State.CLOSED:
        raise ValidationError(_("This gathering is over."))
    rsvp, _created = Rsvp.objects.update_or_create(
        gathering=gathering, member=by, defaults={"answer": answer, "updated_at": timezone.now()}
    )
    return rsvp


# --- circle reports and commitments ---------------------------------------------------------


def commitments_to_review(*, circle, gathering, report=None):
    """The circle's earlier commitments its report for ``gathering`` should mark."""
    earlier = Commitment.objects.filter(
        circle=circle, gathering__starts_at__lt=gathering.starts_at
    ).select_related("gathering__cycle")
    pending = Q(outcome=Commitment.Outcome.OPEN)
    if report is not None:
        pending |= Q(reviewed_in=report)
    return earlier.filter(pending).order_by("created_at", "pk")


def submit_report(
    *, by, gathering, circle, did, intention, lessons="", needs="", tactics="", outcomes=None
):
    """A convener writes (or rewrites) the circle's report for this cycle and marks how
    last cycle's commitments went."""
    seat = CircleMembership.objects.filter(circle=circle, member=by, is_convener=True).first()
    if seat is None or circle.movement_id != gathering.movement_id:
        raise ValidationError(_("Only this circle's conveners can report for it."))
    if gathering.state == Gathering.State.CLOSED:
        raise ValidationError(_("This gathering is closed; its reports are part of the minutes."))
    if not did.strip():
        raise ValidationError({"did": _("Say what the circle did this cycle.")})
    if not intention.strip():
        raise ValidationError({"intention": _("Say what the circle intends next.")})
    outcomes = outcomes or {}
    with transaction.atomic():
        report, _created = CircleReport.objects.update_or_create(
            cycle=gathering.cycle,
            circle=circle,
            defaults={
                "did": did.strip(),
                "lessons": lessons.strip(),
                "needs": needs.strip(),
                "intention": intention.strip(),
                "tactics": tactics.strip(),
                "submitted_by": by,
                "submitted_at": timezone.now(),
            },
        )
        reviewable = {
            c.pk: c
            for c in commitments_to_review(circle=circle, gathering=gathering, report=report)
        }
        for commitment_id, outcome in outcomes.items():
            commitment = reviewable.get(commitment_id)
            if commitment is None or outcome not in Commitment.Outcome.values:
                continue
            commitment.outcome, commitment.reviewed_in = outcome, report
            commitment.save(update_fields=["outcome", "reviewed_in"])
        record_event(
            movement=gathering.movement,
            actor=by.user,
            verb=AuditEvent.Verb.REPORT_SUBMITTED,
            target=circle.name,
            cycle=gathering.cycle.number,
        )
    return report


# --- private calendar feeds ----------------------------------------------------------------


def calendar_feed_for(user):
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


def renew_calendar_feed(*, user):
    """A new private link; the old one stops working at once."""
    with transaction.atomic():
        CalendarFeed.objects.filter(user=user).delete()
        return CalendarFeed.objects.create(user=user)
