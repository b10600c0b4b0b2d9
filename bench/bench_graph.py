"""Laying out the constellation graph (issue 12: 1,000 circles and 5,000 ligaments).

- What the page computes when the graph changed, for 1,000 circles with 5,000 random
  ligaments: the circles shown chosen and sized (``constellation.graph.SHOWN``, 200), the
  fingerprint, then the spring layout of those circles and the ligaments between them with
  the pass that pulls stray parts in and pushes overlapping circles apart. From nothing,
  and from the stored positions (what happens when one ligament changed).
- The same layout with fewer and more iterations, to show what ``ITERATIONS`` buys.
- For scale, networkx's spring layout of all 1,000 circles and 5,000 ligaments (past 500
  circles networkx needs SciPy: skipped when it is not installed).
- What every view computes besides the layout: the fingerprint, the drawing at zoom 1 and 4.
- In the database: the graph of a movement of 1,000 circles tied by 5,000 shared members,
  read and laid out (cold: the cache emptied first) and read with its stored layout (warm):
  what the page costs besides rendering.

Each figure is the best of three runs.
"""

import random

import networkx as nx
import pytest
from django.core.cache import cache
from django.db import connection

from bench.conftest import best_of, report
from circles.models import Circle, CircleMembership
from constellation import graph
from movement.models import Membership, User
from rituals.pairing import Ligament
from tests.factories import MovementFactory

CIRCLES, LIGAMENTS = 1_000, 5_000


def _ms(seconds):
    return f"{seconds * 1000:8.1f} ms"


def _random_graph(rng):
    ids = list(range(1, CIRCLES + 1))
    circles = [(pk, f"Circle {pk}", f"circle-{pk}", rng.randint(1, 40)) for pk in ids]
    ligaments = {}
    while len(ligaments) < LIGAMENTS:
        a, b = rng.sample(ids, 2)
        ligaments[frozenset((a, b))] = Ligament(
            sprints=rng.randint(0, 1),
            shared_members=rng.randint(0, 3),
            commitments=rng.randint(0, 2),
            commons=rng.randint(1, 3),
        )
    return circles, ligaments


def test_layout_figures(monkeypatch):
    rng = random.Random(2026)
    circles, ligaments = _random_graph(rng)
    arranged, shape = best_of(lambda: graph.arrange(circles, ligaments))
    laid_out, positions = best_of(lambda: graph.layout_of(shape))
    moved, _again = best_of(lambda: graph.layout_of(shape, previous=positions))
    shape.positions = positions
    fingerprint, _hash = best_of(lambda: graph.fingerprint_of(shape.shown, shape.edges))
    drawn_1, _drawing = best_of(lambda: graph.drawing(shape, zoom=1))
    drawn_4, _drawing = best_of(lambda: graph.drawing(shape, zoom=4))
    size = f"{len(shape.shown)} shown, {len(shape.edges):,} ligaments between them"
    rows = [
        (
            f"choose, size, fingerprint: {CIRCLES:,} circles, {LIGAMENTS:,} ligaments",
            _ms(arranged),
        ),
        (f"layout ({graph.ITERATIONS} iterations, {size})", _ms(laid_out)),
        ("layout again from the stored positions", _ms(moved)),
        ("page's layout in all (choose + layout)", _ms(arranged + laid_out)),
    ]
    for iterations in (25, 100):
        monkeypatch.setattr(graph, "ITERATIONS", iterations)
        elapsed, _positions = best_of(lambda: graph.layout_of(shape))
        rows.append((f"layout with {iterations} iterations", _ms(elapsed)))
    monkeypatch.undo()

    everything = nx.Graph()
    everything.add_nodes_from(pk for pk, *_rest in circles)
    everything.add_edges_from(tuple(pair) for pair in ligaments)
    try:
        import scipy  # noqa: F401
    except ImportError:
        rows.append((f"networkx.spring_layout, all {CIRCLES:,} circles", "skipped: needs SciPy"))
    else:
        elapsed, _positions = best_of(
            lambda: nx.spring_layout(everything, seed=graph.SEED, iterations=graph.ITERATIONS)
        )
        rows.append((f"networkx.spring_layout, all {CIRCLES:,} circles", _ms(elapsed)))
    rows += [
        ("every view: fingerprint", _ms(fingerprint)),
        ("every view: drawing at zoom 1", _ms(drawn_1)),
        ("every view: drawing at zoom 4", _ms(drawn_4)),
    ]
    report("The constellation graph's layout (constellation.graph)", rows)


def _movement_of_shared_members(rng):
    """1,000 circles; 5,000 people, each sitting in two circles: 5,000 ligaments at most
    (a pair drawn twice is one ligament of two shared members)."""
    movement = MovementFactory(name="Bench graph", slug="bench-graph")
    Circle.objects.bulk_create(
        Circle(
            movement=movement,
            name=f"Circle {n}",
            name_key=f"circle {n}",
            slug=f"circle-{n}",
            initiative="-",
            theory_of_change="-",
            lens="voluntarist",
        )
        for n in range(CIRCLES)
    )
    ids = list(Circle.objects.filter(movement=movement).values_list("pk", flat=True))
    users = User.objects.bulk_create(
        User(email=f"graph{n}@example.org", display_name=f"Person {n}") for n in range(LIGAMENTS)
    )
    members = Membership.objects.bulk_create(
        Membership(movement=movement, user=user) for user in users
    )
    seats = []
    for member in members:
        a, b = rng.sample(ids, 2)
        seats += [CircleMembership(circle_id=a, member=member)]
        seats += [CircleMembership(circle_id=b, member=member)]
    CircleMembership.objects.bulk_create(seats, batch_size=2_000)
    if connection.vendor == "postgresql":
        # Rows bulk-inserted a moment ago have no statistics yet (autovacuum would gather
        # them within a minute): without them the shared-members query is planned as
        # nested loops and takes seconds instead of milliseconds.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return movement


@pytest.mark.django_db
def test_page_figures():
    movement = _movement_of_shared_members(random.Random(12))

    def cold():
        cache.clear()
        return graph.constellation(movement)

    cold_time, shape = best_of(cold)
    warm_time, _shape = best_of(lambda: graph.constellation(movement))
    report(
        "The constellation graph in the database (constellation.graph.constellation)",
        [
            (
                f"laid out and stored: {len(shape.circles):,} circles, "
                f"{shape.ligament_count:,} ligaments",
                _ms(cold_time),
            ),
            ("read with the stored layout", _ms(warm_time)),
        ],
    )
