"""The lens map: the movement's lens mix three ways, and its blind spots.

- **Circles**: the primary lens of each active circle.
- **Members**: where the members who took the self-assessment lean (counts only: the
  answers stay with their authors).
- **Tactics used**: the lens of each tactic the circles' reports named in the last cycles
  held (``constellation.patterns.held_cycles``), once per report.

A lens is a **blind spot** when its share, averaged over the measures that have anything
to count, is below the movement's threshold (``Movement.blind_spot_below``, 20 % unless
its organizers choose otherwise). Exactly at the threshold is not below it. Each blind spot
comes with the library's tactics of that lens, the least used first, to consider.

Five queries at most, whatever the number of circles, members, reports and tactics: the
cycles, each measure counted in the database, and the suggested tactics.
"""

from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from circles import selectors as circle_selectors
from circles.models import Circle
from constellation.patterns import held_cycles
from movement.models import Lens, LensAssessment, Tactic
from rituals.models import CircleReport

SUGGESTED = 3
# Drawn as horizontal bars: one group per measure, one bar per lens.
WIDTH, BAR, GAP, GROUP_GAP, LABEL = 540, 16, 4, 22, 170


@dataclass
class Measure:
    key: str
    name: str
    counts: dict  # lens: count

    @property
    def total(self):
        return sum(self.counts.values())

    def share(self, lens):
        """Percent of this measure, one decimal; None when there is nothing to count."""
        if not self.total:
            return None
        return round(100 * self.counts.get(lens, 0) / self.total, 1)


@dataclass
class BlindSpot:
    lens: str
    share: float
    tactics: list = field(default_factory=list)
    sparks: list = field(default_factory=list)  # open sparks that would add this lens

    @property
    def label(self):
        return Lens(self.lens).label


@dataclass
class LensMap:
    measures: list
    threshold: int
    blind_spots: list
    cycles: list

    def mean_share(self, lens):
        shares = [m.share(lens) for m in self.measures if m.total]
        return round(sum(shares) / len(shares), 1) if shares else None

    @property
    def rows(self):
        """For the table: a row per lens, its share in each measure and on average."""
        return [
            {
                "lens": lens,
                "label": label,
                "cells": [(m.counts.get(lens, 0), m.share(lens)) for m in self.measures],
                "mean": self.mean_share(lens),
            }
            for lens, label in Lens.choices
        ]

    @property
    def chart(self):
        """SVG coordinates: a group of three bars per measure."""
        plot = WIDTH - LABEL - 48
        groups, y = [], 8
        for measure in self.measures:
            bars = []
            for lens, label in Lens.choices:
                share = measure.share(lens) or 0
                bars.append(
                    {
                        "lens": lens,
                        "label": label,
                        "y": y,
                        "width": round(plot * share / 100, 1),
                        "share": measure.share(lens),
                        "text_x": round(LABEL + plot * share / 100 + 6, 1),
                        "text_y": y + BAR - 4,
                    }
                )
                y += BAR + GAP
            groups.append({"measure": measure, "bars": bars, "label_y": bars[0]["y"] + BAR + 6})
            y += GROUP_GAP
        return {
            "width": WIDTH,
            "height": y,
            "left": LABEL,
            "groups": groups,
            "threshold_x": round(LABEL + plot * self.threshold / 100, 1),
        }


def lens_map(movement):
    cycles = held_cycles(movement)
    circles = Measure(
        "circles",
        _("Circles"),
        dict(
            Circle.objects.for_movement(movement)
            .active()
            .values("lens")
            .annotate(n=Count("id"))
            .values_list("lens", "n")
            .order_by()
        ),
    )
    members = Measure(
        "members",
        _("Members' self-assessments"),
        dict(
            LensAssessment.objects.filter(membership__movement=movement)
            .values("lens")
            .annotate(n=Count("id"))
            .values_list("lens", "n")
            .order_by()
        ),
    )
    used = {}
    if cycles:
        used = dict(
            CircleReport.tactic_tags.through.objects.filter(
                circlereport__cycle__movement=movement,
                circlereport__cycle__number__in=cycles,
            )
            .values("tactic__lens")
            .annotate(n=Count("id"))
            .values_list("tactic__lens", "n")
            .order_by()
        )
    tactics = Measure("tactics", _("Tactics used"), used)
    found = LensMap(
        measures=[circles, members, tactics],
        threshold=movement.blind_spot_below,
        blind_spots=[],
        cycles=cycles,
    )
    for lens, _label in Lens.choices:
        mean = found.mean_share(lens)
        if mean is not None and mean < found.threshold:
            found.blind_spots.append(BlindSpot(lens, mean))
    if found.blind_spots:
        _suggest(movement, found.blind_spots)
    return found


def _suggest(movement, blind_spots):
    """The library's tactics of each blind lens, the least named in reports first."""
    lenses = [spot.lens for spot in blind_spots]
    tactics = (
        Tactic.objects.filter(movement=movement, lens__in=lenses, archived_at__isnull=True)
        .annotate(uses=Count("reports"))
        .order_by("uses", "name")
    )
    for spot in blind_spots:
        spot.tactics = [tactic for tactic in tactics if tactic.lens == spot.lens][:SUGGESTED]


def with_sparks(found, movement, membership):
    """Each blind spot of ``found`` with the open sparks that would fill it: one query."""
    if found.blind_spots:
        waiting = circle_selectors.sparks_with_lens(
            movement, [spot.lens for spot in found.blind_spots], membership
        )
        for spot in found.blind_spots:
            spot.sparks = [spark for spark in waiting if spark.lens == spot.lens]
    return found
