"""The cycle retrospective: one page per cycle held, and the same numbers as CSV.

What the cycle left behind first (sovereignty gained, by kind and by circle), then the
commitments its reports marked kept or broken, its sprints and their frictions, what flowed
through the commons, the conflict ritual's anonymous figures — and attendance last and
small: headcounts are not the measure.

The cycle runs from the end of the previous gathering held (or the cycle's creation) to the
end of its own. A fixed number of queries, each counted in the database.
"""

from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from circles.models import Spark
from commons.models import LedgerEntry
from rituals.models import (
    Commitment,
    ConflictCase,
    Cycle,
    Gathering,
    Rsvp,
    SovereigntyRecord,
    Sprint,
    SprintLogEntry,
)

CIRCLES_SHOWN = 50


@dataclass
class Retrospective:
    cycle: object
    gathering: object
    starts: object
    ends: object
    by_kind: list  # (kind, records, people)
    by_circle: list  # {"circle", "records", "people"}
    commitments: dict  # outcome: count
    sprints: dict
    frictions: list  # (category, count)
    flows: list  # {"pool", "contributed", "drawn"}
    conflicts: dict
    attendance: dict


def cycle_or_404(movement, number):
    return get_object_or_404(
        Cycle.objects.filter(
            movement=movement, gathering__state=Gathering.State.CLOSED
        ).select_related("gathering"),
        number=number,
    )


def retrospective(movement, number):
    cycle = cycle_or_404(movement, number)
    gathering = cycle.gathering
    previous = (
        Gathering.objects.filter(movement=movement, cycle__number__lt=number)
        .order_by("-cycle__number")
        .values_list("ends_at", flat=True)
        .first()
    )
    starts, ends = previous or cycle.created_at, gathering.ends_at
    during = {"created_at__gte": starts, "created_at__lt": ends}

    records = SovereigntyRecord.objects.filter(cycle=cycle)
    kinds = {
        kind: (count, people or 0)
        for kind, count, people in records.values_list("kind")
        .annotate(count=Count("id"), people=Sum("people"))
        .order_by()
    }
    ignited = Spark.objects.filter(
        movement=movement, ignited_at__gte=starts, ignited_at__lt=ends
    ).count()
    if ignited:  # sparks that became circles in the cycle: new initiatives
        records_, people = kinds.get(SovereigntyRecord.Kind.INITIATIVE, (0, 0))
        kinds[SovereigntyRecord.Kind.INITIATIVE] = (records_ + ignited, people)
    by_circle = list(
        records.values("circle__name", "circle__slug")
        .annotate(records=Count("id"), people=Sum("people"))
        .order_by("-records", "circle__name")[:CIRCLES_SHOWN]
    )
    commitments = dict(
        Commitment.objects.filter(reviewed_in__cycle=cycle)
        .values_list("outcome")
        .annotate(count=Count("id"))
        .order_by()
    )
    sprints = Sprint.objects.filter(
        movement=movement, starts_at__gte=starts, starts_at__lt=ends
    ).aggregate(started=Count("id"), closed=Count("id", filter=Q(state=Sprint.State.CLOSED)))
    frictions = list(
        SprintLogEntry.objects.for_movement(movement)
        .frictions()
        .filter(**during)
        .values_list("category")
        .annotate(count=Count("id"))
        .order_by("-count", "category")
    )
    flows = list(
        LedgerEntry.objects.filter(pool__movement=movement, **during)
        .values("pool__name", "pool__kind", "pool__currency", "pool__unit")
        .annotate(
            contributed=Sum("amount", filter=Q(kind=LedgerEntry.Kind.CONTRIBUTION)),
            drawn=Sum("amount", filter=Q(kind=LedgerEntry.Kind.DRAW)),
            entries=Count("id"),
        )
        .order_by("pool__name")
    )
    for flow in flows:  # drawn as a positive amount, in the pool's own unit
        flow["contributed"] = flow["contributed"] or 0
        flow["drawn"] = -(flow["drawn"] or 0)
        flow["unit"] = flow["pool__currency"] or flow["pool__unit"] or ""
    conflicts = ConflictCase.objects.filter(movement=movement).aggregate(
        opened=Count("id", filter=Q(is_practice=False, **during)),
        resolved=Count(
            "id",
            filter=Q(
                is_practice=False,
                outcome=ConflictCase.Outcome.RESOLVED,
                closed_at__gte=starts,
                closed_at__lt=ends,
            ),
        ),
        drills=Count("id", filter=Q(is_practice=True, **during)),
    )
    attendance = Rsvp.objects.filter(gathering=gathering).aggregate(
        yes=Count("id", filter=Q(answer=Rsvp.Answer.YES)),
        maybe=Count("id", filter=Q(answer=Rsvp.Answer.MAYBE)),
    )
    return Retrospective(
        cycle=cycle,
        gathering=gathering,
        starts=starts,
        ends=ends,
        by_kind=[(kind, *kinds.get(kind, (0, 0))) for kind in SovereigntyRecord.Kind],
        by_circle=by_circle,
        commitments={
            outcome: commitments.get(outcome, 0)
            for outcome in (
                Commitment.Outcome.DONE,
                Commitment.Outcome.PARTLY,
                Commitment.Outcome.NOT_DONE,
            )
        },
        sprints=sprints,
        frictions=[(SprintLogEntry.Category(category), count) for category, count in frictions],
        flows=flows,
        conflicts=conflicts,
        attendance=attendance,
    )


def csv_rows(found):
    """The same numbers as the page, a row each: section, item, value; in the reader's
    words (the rows are written when this is read: read it all in the request)."""
    yield (_("section"), _("item"), _("value"))
    for kind, records, people in found.by_kind:
        yield (_("sovereignty"), str(kind.label), records)
        if people:
            yield (_("sovereignty: people"), str(kind.label), people)
    for row in found.by_circle:
        yield (_("sovereignty by circle"), row["circle__name"], row["records"])
    for outcome, count in found.commitments.items():
        yield (_("commitments"), str(Commitment.Outcome(outcome).label), count)
    yield (_("sprints"), _("started"), found.sprints["started"])
    yield (_("sprints"), _("closed"), found.sprints["closed"])
    for category, count in found.frictions:
        yield (_("frictions"), str(category.label), count)
    for flow in found.flows:
        yield (_("commons: contributed"), flow["pool__name"], flow["contributed"])
        yield (_("commons: drawn"), flow["pool__name"], flow["drawn"])
    conflict_items = {"opened": _("opened"), "resolved": _("resolved"), "drills": _("drills")}
    for name, value in found.conflicts.items():
        yield (_("conflict ritual"), conflict_items.get(name, name), value)
    yield (_("attendance"), _("yes"), found.attendance["yes"])
    yield (_("attendance"), _("maybe"), found.attendance["maybe"])
