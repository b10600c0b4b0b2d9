"""Convergence: the rhythm, the cycles and gatherings it plans, answers, circle reports
and commitments, and the private calendar feeds."""

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from circles.models import CircleMembership
from movement import zones
from movement.models import Movement, Tactic
from movement.services import ensure_tactics, record_event
from movement.tactics import tactics_named
from movement.vocabulary import audit_verbs
from rituals import reminders, selectors
from rituals.models import CalendarFeed, CircleReport, Commitment, Cycle, Gathering, Rhythm, Rsvp
from rituals.recurrence import occurrences, parse_rrule
from rituals.timers import cancel_timers, move_timers, schedule_timer


@audit_verbs
class Verb(models.TextChoices):
    """What this app writes on the audit trail."""

    RHYTHM_SET = "rhythm.set", gettext_lazy("set the rhythm of convergence")
    REPORT_SUBMITTED = "report.submitted", gettext_lazy("reported for a circle")
    GATHERING_MOVED = "gathering.moved", gettext_lazy("moved a gathering")


logger = logging.getLogger(__name__)


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
        try:
            movement.time_zone = zones.check(time_zone)
        except ValidationError as error:
            raise ValidationError({"time_zone": error.messages}) from None
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
        Movement.objects.select_for_update(no_key=True).get(pk=movement.pk)
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
            verb=Verb.RHYTHM_SET,
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
        bump_version(gathering)
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
            verb=Verb.GATHERING_MOVED,
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
        Movement.objects.select_for_update(no_key=True).get(pk=movement.pk)
        # A gathering closed before its date (started by mistake, in older data) is not
        # the future: it neither counts as planned nor pushes the next ones back.
        closed_early = Q(state=Gathering.State.CLOSED, starts_at__gt=now)
        gatherings = Gathering.objects.filter(movement=movement).exclude(closed_early)
        missing = count - gatherings.filter(starts_at__gt=now).count()
        if missing <= 0:
            return []
        last = gatherings.order_by("-starts_at").first()
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


def tactics_in(movement, text):
    """The movement's tactics (its copy of the library, made if need be) that ``text``
    names, archived ones included: a tag records what was done."""
    if not text.strip():
        return []
    ensure_tactics(movement)
    return tactics_named(text, Tactic.objects.filter(movement=movement))


def tag_reports(movement, reports):
    """Tag reports written past ``submit_report`` (the seeds write them in bulk)."""
    ensure_tactics(movement)
    tactics = list(Tactic.objects.filter(movement=movement))
    through = CircleReport.tactic_tags.through
    rows = [
        through(circlereport_id=pk, tactic_id=tactic.pk)
        for pk, text in reports.exclude(tactics="").values_list("pk", "tactics")
        for tactic in tactics_named(text, tactics)
    ]
    through.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


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
        report.tactic_tags.set(tactics_in(gathering.movement, report.tactics))
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
            verb=Verb.REPORT_SUBMITTED,
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


def bump_version(gathering):
    """Every change to a gathering's agenda, minutes or details bumps the version its live
    pages poll."""
    Gathering.objects.filter(pk=gathering.pk).update(version=F("version") + 1)
