"""Proposing sprint pairs (issue 12: pairing 1,000 circles well under a second).

- 100 and 1,000 circles with five random ligaments per circle (about 500 and 5,000);
- 1,000 circles with ten busy "hub" circles tied to every other, which the solver covers
  with blossom before grouping the rest at no strength;
- an odd count (1,001 circles: one trio);
- for scale, ``networkx.min_weight_matching`` on the complete graph of 100 circles, as is
  and with a seeded tie-break in the weights: what the proposal would cost without the
  reduction in ``rituals/pairing.py`` (cubic: minutes for 1,000 circles with the tie-break).

Pure computation: no database. Each figure is the best of three runs.
"""

import random
from itertools import combinations

import networkx as nx

from bench.conftest import best_of, report
from rituals.pairing import Ligament, group_strength, propose


def _random_ligaments(ids, count, rng):
    ligaments = {}
    while len(ligaments) < count:
        a, b = rng.sample(ids, 2)
        ligaments[frozenset((a, b))] = Ligament(
            sprints=rng.randint(0, 1),
            shared_members=rng.randint(0, 3),
            commitments=rng.randint(0, 2),
            commons=rng.randint(1, 3),
        )
    return ligaments


def _with_hubs(ids, ligaments, hubs, rng):
    ligaments = dict(ligaments)
    for hub in ids[:hubs]:
        for other in ids:
            if other != hub:
                ligaments[frozenset((hub, other))] = Ligament(commons=rng.randint(1, 5))
    return ligaments


def _row(label, ids, ligaments):
    elapsed, proposals = best_of(lambda: propose(ids, ligaments, seed=12))
    strength = sum(proposal.strength for proposal in proposals)
    return (
        f"{label}: {len(ids):,} circles, {len(ligaments):,} ligaments",
        f"{elapsed * 1000:8.1f} ms  ({len(proposals):,} sprints, total strength {strength})",
    )


def test_pairing_figures():
    rng = random.Random(2026)
    hundred = list(range(1, 101))
    thousand = list(range(1, 1001))
    odd = list(range(1, 1002))
    sparse_thousand = _random_ligaments(thousand, 5000, rng)
    rows = [
        _row("sparse", hundred, _random_ligaments(hundred, 500, rng)),
        _row("sparse", thousand, sparse_thousand),
        _row("10 hubs", thousand, _with_hubs(thousand, sparse_thousand, 10, rng)),
        _row("odd count", odd, _random_ligaments(odd, 5000, rng)),
    ]

    ligaments = _random_ligaments(hundred, 500, rng)
    plain, seeded = nx.Graph(), nx.Graph()
    for a, b in combinations(hundred, 2):
        strength = group_strength((a, b), ligaments)
        plain.add_edge(a, b, weight=strength)
        seeded.add_edge(a, b, weight=strength * 2**30 + rng.randrange(2**20))
    for label, graph in (("", plain), (", seeded tie-break", seeded)):
        elapsed, _matching = best_of(lambda graph=graph: nx.min_weight_matching(graph))
        rows.append(
            (
                f"networkx.min_weight_matching, complete graph{label}: 100 circles",
                f"{elapsed * 1000:8.1f} ms",
            )
        )
    report("Proposing sprint pairs (rituals.pairing.propose)", rows)
