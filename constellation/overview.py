"""The movement at a glance, beside "what needs you" on its home: sovereignty gained cycle
after cycle (a cumulative chart), its blind spots with the sparks that would fill them, and
the tactics becoming predictable. Every number is counted in the database; a fixed number of
queries whatever the size (``tests/constellation/test_overview.py``).
"""

from dataclasses import dataclass

from constellation import lenses, patterns
from rituals import charts
from rituals import selectors as rituals_selectors
from rituals.models import SovereigntyRecord

CYCLES_SHOWN = 24


@dataclass
class Sovereignty:
    cycles: list  # the cycle numbers held, oldest first
    rows: list  # per cycle: the records of each kind, and the running total
    chart: dict | None
    legend: list
    total: int


def sovereignty(movement):
    totals = rituals_selectors.sovereignty_by_cycle(movement)
    held = [
        c.number for c in rituals_selectors.held_cycles_newest_first(movement, limit=CYCLES_SHOWN)
    ]
    cycles = sorted(set(held) | {number for number, _kind in totals})[-CYCLES_SHOWN:]
    kinds = list(SovereigntyRecord.Kind)
    running = dict.fromkeys(kinds, 0)
    cumulative, rows = {}, []
    for number in cycles:
        new = [(kind, totals.get((number, kind), (0, 0))[0]) for kind in kinds]
        for kind, count in new:
            running[kind] += count
            cumulative[(number, kind)] = running[kind]
        rows.append(
            {
                "cycle": number,
                "new": [(kind, count) for kind, count in new if count],
                "total": sum(running.values()),
            }
        )
    return Sovereignty(
        cycles=cycles,
        rows=rows,
        chart=charts.stacked_bars(cycles, kinds, cumulative) if cycles else None,
        legend=[
            {"kind": kind, "fill": charts.fill(position)} for position, kind in enumerate(kinds)
        ],
        total=sum(running.values()),
    )


def at_a_glance(movement, membership):
    found = lenses.with_sparks(lenses.lens_map(movement), movement, membership)
    return {
        "sovereignty": sovereignty(movement),
        "blind_spots": found.blind_spots,
        "lenses": found,
        "decaying": patterns.patterns(movement).warnings,
    }
