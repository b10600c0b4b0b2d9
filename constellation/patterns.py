"""Pattern decay: a tactic used cycle after cycle becomes predictable.

The essay: a movement that keeps doing what worked last time is easy to read and easy to
contain. A tactic that circles' reports name in ``DECAY_AFTER`` or more consecutive cycles,
up to the latest cycle held, is flagged, with the least-used tactics of the same aim
(what it is for) to consider instead.

The cycles counted are those whose gathering was held (closed): a cycle still under way
has not said yet what it did. The window is the last ``WINDOW`` of them; a run longer than
the window is shown as the window's length ("every one of the last 8 cycles").
Three queries, whatever the number of cycles, circles, reports and tactics.
"""

from dataclasses import dataclass, field

from django.db.models import Count

from movement.models import Tactic
from rituals import selectors as rituals_selectors
from rituals.models import CircleReport

DECAY_AFTER = 3
WINDOW = 8
SUGGESTED = 3


@dataclass
class Usage:
    tactic: Tactic
    cycles: set = field(default_factory=set)  # numbers of the cycles whose reports named it
    reports: int = 0
    run: int = 0  # consecutive cycles, up to the latest held, that named it
    suggestions: list = field(default_factory=list)

    @property
    def decaying(self):
        return self.run >= DECAY_AFTER


@dataclass
class Patterns:
    cycles: list  # cycle numbers held, oldest first (the window)
    usages: list  # a Usage per tactic named in the window, most used first
    warnings: list  # the usages that are decaying, longest run first


def held_cycles(movement, *, window=WINDOW):
    """The numbers of the last ``window`` cycles whose gathering was held, oldest first."""
    return sorted(
        cycle.number for cycle in rituals_selectors.held_cycles_newest_first(movement, limit=window)
    )


def patterns(movement, *, window=WINDOW):
    cycles = held_cycles(movement, window=window)
    tactics = {tactic.pk: tactic for tactic in Tactic.objects.filter(movement=movement)}
    usages = {}
    if cycles:
        tagged = (
            CircleReport.tactic_tags.through.objects.filter(
                circlereport__cycle__movement=movement,
                circlereport__cycle__number__in=cycles,
            )
            .values_list("tactic", "circlereport__cycle__number")
            .annotate(reports=Count("circlereport"))
            .order_by()
        )
        for tactic_id, number, reports in tagged:
            usage = usages.setdefault(tactic_id, Usage(tactics[tactic_id]))
            usage.cycles.add(number)
            usage.reports += reports
    for usage in usages.values():
        for number in reversed(cycles):
            if number not in usage.cycles:
                break
            usage.run += 1
    warnings = sorted(
        (usage for usage in usages.values() if usage.decaying),
        key=lambda usage: (-usage.run, -usage.reports, usage.tactic.name),
    )
    for usage in warnings:
        usage.suggestions = _less_used(usage.tactic, tactics.values(), usages)
    ordered = sorted(usages.values(), key=lambda usage: (-usage.reports, usage.tactic.name))
    return Patterns(cycles=cycles, usages=ordered, warnings=warnings)


def _less_used(tactic, tactics, usages):
    """Tactics of the same aim, in the library, not archived and not decaying themselves,
    least used first."""
    same_aim = [
        other
        for other in tactics
        if other.aim == tactic.aim
        and other.pk != tactic.pk
        and other.archived_at is None
        and not (other.pk in usages and usages[other.pk].decaying)
    ]

    def used(other):
        usage = usages.get(other.pk)
        return usage.reports if usage else 0

    return sorted(same_aim, key=lambda other: (used(other), other.name))[:SUGGESTED]
