"""Durable timers: schedule, move, cancel, and the sweep that fires them."""

import logging
import traceback
from datetime import timedelta
from zoneinfo import available_timezones

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from circles.models import CircleMembership
from movement.models import AuditEvent, Movement, User
from movement.services import notify_many, record_event
from rituals import reminders, selectors
from rituals.models import (
    AgendaItem,
    CalendarFeed,
    CircleReport,
    Commitment,
    Cycle,
    Decision,
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
    """Forget future gatherings the scheduler planned, unless someone already put work into
    them (a report, an answer, an agenda, a named facilitator): those stay, as they are."""
    now = now or timezone.now()
    planned = list(
        Gathering.objects.filter(
            movement=movement,
            from_rhythm=True,
            state=Gathering.State.SCHEDULED,
            starts_at__gt=now,
        )
        .exclude(cycle__reports__isnull=False)
        .exclude(rsvps__isnull=False)
        .exclude(agenda__isnull=False)
        .exclude(decisions__isnull=False)
        .exclude(commitments__isnull=False)
        .exclude(facilitators__isnull=False)
    )
    for gathering in planned:
        for kind in reminders.KINDS:
            cancel_timers(target=gathering, kind=kind)
    Cycle.objects.filter(gathering__in=planned).delete()


def _schedule_reminders(gathering, *, now):
    for kind, due_at in reminders.reminder_times(gathering).items():
        if due_at > now:  # a reminder whose moment has passed would only be noise
            schedule_timer(kind=kind, due_at=due_at, target=gathering, movement=gathering.movement)


def update_gathering(*, by, gathering, starts_at, ends_at, place="", call_link="", facilitators=()):
    """An organizer moves one gathering (its reminders follow), sets where it happens and
    names who facilitates it."""
    with transaction.atomic():
        if (starts_at, ends_at) != (gathering.starts_at, gathering.ends_at):
            gathering = move_gathering(
                by=by, gathering=gathering, starts_at=starts_at, ends_at=ends_at
            )
        gathering.place, gathering.call_link = place.strip(), call_link.strip()
        gathering.save(update_fields=["place", "call_link"])
        outsiders = [m for m in facilitators if m.movement_id != gathering.movement_id]
        if outsiders:
            raise ValidationError({"facilitators": _("Facilitators come from this movement.")})
        gathering.facilitators.set(facilitators)
        _changed(gathering)
    return gathering


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
            if due_at <= now:  # "reports due tomorrow" after the deadline is only noise
                cancel_timers(target=gathering, kind=kind)
            elif not move_timers(target=gathering, kind=kind, due_at=due_at):
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
    """The beat's hourly job: every movement with a rhythm keeps its next gatherings planned.
    One movement's broken rhythm (say, a custom rule that has run out) is logged and skipped;
    it never stops the others."""
    planned = 0
    for rhythm in Rhythm.objects.select_related("movement"):
        try:
            planned += len(schedule_ahead(movement=rhythm.movement, now=now))
        except Exception:
            logger.exception("Could not plan gatherings for %s", rhythm.movement.slug)
    return planned


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
            for c in selectors.commitments_to_review(
                circle=circle, gathering=gathering, report=report
            )
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


# --- facilitator mode ------------------------------------------------------------------------

REPORT_TIMEBOX = timedelta(minutes=10)
MAX_TIMEBOX = timedelta(hours=3)


def _check_timebox(timebox):
    if not timedelta(minutes=1) <= timebox <= MAX_TIMEBOX:
        raise ValidationError({"minutes": _("A timebox lasts between 1 minute and 3 hours.")})


def _changed(gathering):
    """Every facilitator action bumps the version the live pages poll."""
    Gathering.objects.filter(pk=gathering.pk).update(version=F("version") + 1)


def _lock(gathering, *, open_only=True):
    gathering = (
        Gathering.objects.select_for_update()
        .select_related("movement", "cycle")
        .get(pk=gathering.pk)
    )
    if open_only and gathering.state == Gathering.State.CLOSED:
        raise ValidationError(_("This gathering is closed."))
    return gathering


def build_agenda(*, by, gathering):
    """One timeboxed item per circle that reported, in the order reports came in; items
    already on the agenda stay. Returns the agenda."""
    with transaction.atomic():
        gathering = _lock(gathering)
        present = set(gathering.agenda.exclude(circle=None).values_list("circle_id", flat=True))
        position = gathering.agenda.aggregate(n=Max("position"))["n"] or 0
        reports = CircleReport.objects.filter(cycle=gathering.cycle_id).select_related("circle")
        for report in reports.order_by("submitted_at", "pk"):
            if report.circle_id in present:
                continue
            position += 1
            AgendaItem.objects.create(
                gathering=gathering,
                position=position,
                circle=report.circle,
                title=_("%(circle)s reports back") % {"circle": report.circle.name},
                timebox=REPORT_TIMEBOX,
            )
        _changed(gathering)
    return list(gathering.agenda.all())


def add_agenda_item(*, by, gathering, title, minutes):
    timebox = timedelta(minutes=minutes)
    _check_timebox(timebox)
    if not title.strip():
        raise ValidationError({"title": _("Give the item a title.")})
    with transaction.atomic():
        gathering = _lock(gathering)
        position = (gathering.agenda.aggregate(n=Max("position"))["n"] or 0) + 1
        item = AgendaItem.objects.create(
            gathering=gathering, position=position, title=title.strip(), timebox=timebox
        )
        _changed(gathering)
    return item


def move_agenda_item(*, by, item, up):
    """Swap an item with its neighbour above (``up``) or below."""
    with transaction.atomic():
        gathering = _lock(item.gathering)
        items = list(gathering.agenda.select_for_update().order_by("position", "pk"))
        index = next(i for i, other in enumerate(items) if other.pk == item.pk)
        other = index - 1 if up else index + 1
        if 0 <= other < len(items):
            items[index], items[other] = items[other], items[index]
            for position, row in enumerate(items, start=1):
                if row.position != position:
                    row.position = position
                    row.save(update_fields=["position"])
            _changed(gathering)


def start_gathering(*, by, gathering):
    with transaction.atomic():
        gathering = _lock(gathering)
        if gathering.state == Gathering.State.SCHEDULED:
            gathering.state, gathering.started_at = Gathering.State.LIVE, timezone.now()
            gathering.save(update_fields=["state", "started_at"])
            _changed(gathering)
    return gathering


def start_item(*, by, item):
    """Make ``item`` the current one; the item before it ends now."""
    with transaction.atomic():
        gathering = _lock(item.gathering)
        if gathering.state != Gathering.State.LIVE:
            raise ValidationError(_("Start the gathering first."))
        now = timezone.now()
        if gathering.current_item_id and gathering.current_item_id != item.pk:
            AgendaItem.objects.filter(pk=gathering.current_item_id, ended_at=None).update(
                ended_at=now
            )
        item = AgendaItem.objects.get(pk=item.pk)
        item.started_at, item.ended_at = now, None
        item.save(update_fields=["started_at", "ended_at"])
        gathering.current_item = item
        gathering.save(update_fields=["current_item"])
        _changed(gathering)
    return item


def extend_item(*, by, item, minutes):
    with transaction.atomic():
        gathering = _lock(item.gathering)
        item = AgendaItem.objects.select_for_update().get(pk=item.pk)
        timebox = item.timebox + timedelta(minutes=minutes)
        _check_timebox(timebox)
        item.timebox = timebox
        item.save(update_fields=["timebox"])
        _changed(gathering)
    return item


def end_item(*, by, item):
    with transaction.atomic():
        gathering = _lock(item.gathering)
        AgendaItem.objects.filter(pk=item.pk, ended_at=None).update(ended_at=timezone.now())
        if gathering.current_item_id == item.pk:
            gathering.current_item = None
            gathering.save(update_fields=["current_item"])
        _changed(gathering)


def save_notes(*, by, item, notes):
    with transaction.atomic():
        gathering = _lock(item.gathering)
        AgendaItem.objects.filter(pk=item.pk).update(notes=notes.strip())
        _changed(gathering)


def record_decision(*, by, gathering, text):
    if not text.strip():
        raise ValidationError({"text": _("Write the decision down.")})
    with transaction.atomic():
        gathering = _lock(gathering)
        decision = Decision.objects.create(
            gathering=gathering, agenda_item=gathering.current_item, text=text.strip()
        )
        _changed(gathering)
    return decision


def record_commitment(*, by, gathering, circle, text):
    if not text.strip():
        raise ValidationError({"text": _("Write the commitment down.")})
    if circle.movement_id != gathering.movement_id or circle.is_archived:
        raise ValidationError({"circle": _("Pick an active circle of this movement.")})
    with transaction.atomic():
        gathering = _lock(gathering)
        commitment = Commitment.objects.create(
            gathering=gathering, circle=circle, text=text.strip()
        )
        _changed(gathering)
    return commitment


def close_gathering(*, by, gathering):
    """End the gathering and publish its minutes to the movement; its commitments appear on
    the next cycle's report forms."""
    with transaction.atomic():
        gathering = _lock(gathering)
        if gathering.state != Gathering.State.LIVE:
            raise ValidationError(_("Only a gathering that has started can be closed."))
        now = timezone.now()
        gathering.agenda.filter(started_at__isnull=False, ended_at=None).update(ended_at=now)
        gathering.state, gathering.closed_at, gathering.current_item = (
            Gathering.State.CLOSED,
            now,
            None,
        )
        gathering.save(update_fields=["state", "closed_at", "current_item"])
        _changed(gathering)
        record_event(
            movement=gathering.movement,
            actor=by.user,
            verb=AuditEvent.Verb.GATHERING_CLOSED,
            target=str(gathering.cycle.number),
        )
        notify_many(
            recipients=User.objects.filter(memberships__movement=gathering.movement),
            movement=gathering.movement,
            subject=_("Minutes of cycle %(n)s's gathering") % {"n": gathering.cycle.number},
            body=_("The minutes are published: agenda, notes, decisions and commitments."),
            url=gathering.get_absolute_url(),
        )
    return gathering
