"""Facilitator mode: the agenda with timeboxes, the current item, notes, decisions and
commitments, and closing a gathering with its minutes."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from circles.models import Circle
from movement.models import User
from movement.services import notify_many, record_event
from movement.vocabulary import audit_verbs, notification_kinds
from rituals.models import AgendaItem, CircleReport, Commitment, Decision, Gathering
from rituals.naming import Names
from rituals.services.convergence import bump_version


@audit_verbs
class Verb(models.TextChoices):
    """What this app writes on the audit trail."""

    GATHERING_CLOSED = (
        "gathering.closed",
        gettext_lazy("closed a gathering and published its minutes"),
    )


@notification_kinds
class NotificationKind(models.TextChoices):
    """What this app tells people about."""

    MINUTES_PUBLISHED = "rituals.minutes_published", gettext_lazy("minutes were published")


REPORT_TIMEBOX = timedelta(minutes=10)
MAX_TIMEBOX = timedelta(hours=3)


def _check_timebox(timebox):
    if not timedelta(minutes=1) <= timebox <= MAX_TIMEBOX:
        raise ValidationError({"minutes": _("A timebox lasts between 1 minute and 3 hours.")})


def _lock(gathering, *, open_only=True):
    gathering = (
        Gathering.objects.select_for_update(of=("self",))
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
        bump_version(gathering)
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
        bump_version(gathering)
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
            bump_version(gathering)


def start_gathering(*, by, gathering, now=None):
    """Go live: only on the gathering's own clock, from a little before it begins until it
    ends, so nobody holds next month's gathering by mistake. Starting twice is harmless."""
    now = now or timezone.now()
    with transaction.atomic():
        gathering = _lock(gathering)
        if gathering.state == Gathering.State.LIVE:
            return gathering
        if now < gathering.opens_at:
            local = timezone.localtime(gathering.opens_at, gathering.movement.zone)
            raise ValidationError(
                _(
                    "This gathering can be started from %(when)s (%(zone)s), shortly before "
                    "it begins."
                )
                % {
                    "when": formats.date_format(local, "j F Y, H:i"),
                    "zone": gathering.movement.time_zone,
                }
            )
        if now >= gathering.ends_at:
            raise ValidationError(
                _("This gathering's time has passed. Move it to a new time to hold it.")
            )
        gathering.state, gathering.started_at = Gathering.State.LIVE, now
        gathering.save(update_fields=["state", "started_at"])
        bump_version(gathering)
    return gathering


def nothing_recorded(gathering):
    """True while a live gathering holds nothing anyone could lose: no item started, no
    notes, no decision, no commitment."""
    return not (
        gathering.agenda.filter(Q(started_at__isnull=False) | ~Q(notes="")).exists()
        or gathering.decisions.exists()
        or gathering.commitments.exists()
    )


def put_back_to_planned(*, by, gathering):
    """Undo a start made by mistake, while nothing was recorded."""
    with transaction.atomic():
        gathering = _lock(gathering)
        if gathering.state != Gathering.State.LIVE:
            raise ValidationError(_("Only a live gathering can be put back to planned."))
        if not nothing_recorded(gathering):
            raise ValidationError(
                _("Something was already recorded in this gathering: close it instead.")
            )
        gathering.state, gathering.started_at, gathering.current_item = (
            Gathering.State.SCHEDULED,
            None,
            None,
        )
        gathering.save(update_fields=["state", "started_at", "current_item"])
        bump_version(gathering)
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
        bump_version(gathering)
    return item


def extend_item(*, by, item, minutes):
    with transaction.atomic():
        gathering = _lock(item.gathering)
        item = AgendaItem.objects.select_for_update().get(pk=item.pk)
        timebox = item.timebox + timedelta(minutes=minutes)
        _check_timebox(timebox)
        item.timebox = timebox
        item.save(update_fields=["timebox"])
        bump_version(gathering)
    return item


def end_item(*, by, item):
    with transaction.atomic():
        gathering = _lock(item.gathering)
        AgendaItem.objects.filter(pk=item.pk, ended_at=None).update(ended_at=timezone.now())
        if gathering.current_item_id == item.pk:
            gathering.current_item = None
            gathering.save(update_fields=["current_item"])
        bump_version(gathering)


def save_notes(*, by, item, notes):
    with transaction.atomic():
        gathering = _lock(item.gathering)
        AgendaItem.objects.filter(pk=item.pk).update(notes=notes.strip())
        bump_version(gathering)


def record_decision(*, by, gathering, text):
    if not text.strip():
        raise ValidationError({"text": _("Write the decision down.")})
    with transaction.atomic():
        gathering = _lock(gathering)
        decision = Decision.objects.create(
            gathering=gathering, agenda_item=gathering.current_item, text=text.strip()
        )
        bump_version(gathering)
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
        commitment.named_circles.set(circles_named(gathering.movement, commitment))
        bump_version(gathering)
    return commitment


def circles_named(movement, commitment):
    """The movement's other active circles the commitment's text names."""
    names = Names(dict(Circle.objects.for_movement(movement).active().values_list("pk", "name")))
    return names.named_in(commitment.text, besides=commitment.circle_id)


def name_circles_in(movement, commitments):
    """Work out, in one pass, the circles each of ``commitments`` names (seeds write
    commitments in bulk, past this service)."""
    names = Names(dict(Circle.objects.for_movement(movement).active().values_list("pk", "name")))
    through = Commitment.named_circles.through
    rows = [
        through(commitment_id=pk, circle_id=other)
        for pk, author, text in commitments.values_list("pk", "circle_id", "text")
        for other in names.named_in(text, besides=author)
    ]
    through.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


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
        bump_version(gathering)
        record_event(
            movement=gathering.movement,
            actor=by.user,
            verb=Verb.GATHERING_CLOSED,
            target=str(gathering.cycle.number),
        )
        notify_many(
            recipients=User.objects.filter(memberships__movement=gathering.movement),
            kind=NotificationKind.MINUTES_PUBLISHED,
            movement=gathering.movement,
            subject=gettext_lazy("Minutes of cycle %(n)s's gathering"),
            body=gettext_lazy(
                "The minutes are published: agenda, notes, decisions and commitments."
            ),
            params={"n": gathering.cycle.number},
            url=gathering.get_absolute_url(),
        )
    return gathering
