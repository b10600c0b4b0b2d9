"""Who sprints with whom: the collaboration strength between two circles (their *ligament*)
and the sprint pairs that have collaborated least.

Pure functions over circle ids and counts: nothing here reads or writes the database
(``rituals.selectors.ligaments_between`` gathers the counts). Every function is
deterministic for a given ``seed``, so a round can be replayed and explained.

The pairing
===========

The proposal is an exact minimum-weight perfect matching of the opted-in circles on the
complete graph, the weight of two circles being their collaboration strength (0 when they
have no ligament). With an odd count, one group is a trio, and the total is exact over
every partition into pairs and one trio: the total strength inside the groups is the
smallest possible. That optimum is also "the odd circle joins the weakest pair": if moving
the trio's third circle to another pair made the total smaller, the partition would not
be the smallest.

Blossom on the complete graph (``networkx.min_weight_matching``) is cubic: about 500,000
edges and minutes of pure Python for 1,000 circles. Exactness does not need it, because
strengths are never negative and most pairs of circles have none:

1. **A pair of strength 0 costs nothing, and a partition of total 0 is optimal.** A circle
   with at most ``δ`` ligaments has a zero-cost partner among all but ``δ`` others. In a
   set of ``m`` circles each with at most ``δ`` ligaments, with ``m > 2δ`` and ``m`` even,
   a perfect matching of strength 0 always exists (Dirac's argument): take a maximal
   zero-cost matching greedily; two circles left over are tied to each other, and between
   them they have at least ``2(m - 1 - δ) > m - 2`` zero-cost edges into the matched
   pairs, so some pair ``(a, b)`` receives three of the four possible edges, and ``(u, a),
   (v, b)`` (or ``(u, b), (v, a)``) replaces it at cost 0. With ``m > 2δ + 3`` and ``m``
   odd, a trio of strength 0 exists too (``u``; a zero-cost partner ``v``; a third circle
   tied to neither), and the rest is matched as above.

2. **The busy circles are the only hard part.** Sort the circles by their number of
   ligaments, most first. Take the fewest busy circles ``B`` (the head of that order) such
   that the others, ``F`` (each with at most ``δ`` ligaments to other circles of ``F``:
   ties to busy circles do not matter to step 1), keep enough slack:
   ``|F| - |B| > 2δ`` (``2δ + 3`` for an odd count). Whatever partners the busy circles
   take, at most ``|B|`` free circles are used, and the free circles left over are matched
   (with the trio, for an odd count) at cost 0 by step 1. So the optimum is the cheapest
   way to *cover* ``B``: pairs inside ``B``, or a busy circle with a free one. In any
   partition, replacing a trio of one or two busy circles by one of its pairs (the third
   circle goes back to the free ones) costs no more, so the only trios worth trying are
   trios of three busy circles.

3. **Each busy circle needs only its ``|B|`` cheapest free partners.** If a busy circle
   were matched to a free circle outside its ``|B|`` cheapest, the other busy circles use
   at most ``|B| - 1`` free circles, so one of its cheapest is unused and costs no more.

4. **The cover is a maximum-weight matching** (``networkx.max_weight_matching``, the same
   blossom algorithm ``min_weight_matching`` calls after inverting the weights) on that
   small graph, with integer weights ``(C × busy circles covered - strength) × K + noise``:
   ``C`` exceeds every possible total strength, so covering every busy circle comes first,
   then the smallest strength; the noise, drawn from ``random.Random(seed)`` and smaller
   in total than ``K``, only orders partitions of equal strength. Integers keep blossom's
   dual variables exact. For an odd count, the trios of three busy circles are tried in
   order of a lower bound (below) and only while the bound can beat the best found.

When no split leaves that slack (a small round, or a round where nearly every circle is
tied to nearly every other), every circle is busy and step 4 runs on the complete graph:
still exact, and cubic in the number of circles, as with ``min_weight_matching``.

Ties are broken by the seed: the circles are shuffled with ``random.Random(seed)`` once
(after sorting the ids, so the order in which circles opted in changes nothing), the
zero-cost matching follows that order, and the cover's noise comes from the same draw.

For 1,000 circles with 5,000 random ligaments there are no busy circles at all, and the
proposal takes a few milliseconds (``make bench`` prints the figures).
"""

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date
from itertools import combinations

import networkx as nx
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

# A sprint is 72 hours of deliberate work together; a shared member is a standing bridge;
# a commitment naming the other circle is a stated intent; approving the other's commons
# draw is the lightest touch.
SPRINT_WEIGHT = 3
SHARED_MEMBER_WEIGHT = 2
COMMITMENT_WEIGHT = 2
COMMONS_WEIGHT = 1


@dataclass(frozen=True)
class Ligament:
    """The collaboration between two circles, counted (``rituals.selectors.ligaments_between``):
    sprints they shared, members they share, commitments one made at a gathering naming the
    other, and commons draws one circle received with an approval from the other."""

    sprints: int = 0
    shared_members: int = 0
    commitments: int = 0
    commons: int = 0
    last_commitment_on: date | None = None

    @property
    def strength(self) -> int:
        """sprints × 3 + shared members × 2 + commitments × 2 + commons draws × 1."""
        return (
            SPRINT_WEIGHT * self.sprints
            + SHARED_MEMBER_WEIGHT * self.shared_members
            + COMMITMENT_WEIGHT * self.commitments
            + COMMONS_WEIGHT * self.commons
        )


NO_LIGAMENT = Ligament()


@dataclass(frozen=True)
class Proposal:
    """One proposed sprint: two circles (three for the odd one out), ids in ascending
    order, and the total collaboration strength between them."""

    circles: tuple[int, ...]
    strength: int

    @property
    def is_trio(self) -> bool:
        return len(self.circles) == 3


Ligaments = dict[frozenset[int], Ligament]


def group_strength(circles, ligaments: Ligaments) -> int:
    """The total strength between every two circles of a group."""
    return sum(
        ligaments.get(frozenset(pair), NO_LIGAMENT).strength for pair in combinations(circles, 2)
    )


def propose(circle_ids, ligaments: Ligaments, *, seed: int) -> list[Proposal]:
    """The sprints that have collaborated least: every circle in exactly one group, the
    total strength inside the groups as small as it can be (see the module's docstring).
    Weakest groups first. Raises ``ValueError`` for fewer than two circles."""
    ids = sorted(set(circle_ids))
    if len(ids) < 2:
        raise ValueError(gettext("A sprint round needs at least two circles."))
    rng = random.Random(seed)
    order = list(ids)
    rng.shuffle(order)
    weights = _Weights(order, ligaments)
    groups = _solve(order, weights, rng)
    proposals = [Proposal(tuple(sorted(group)), weights.within(group)) for group in groups]
    return sorted(proposals, key=lambda proposal: (proposal.strength, proposal.circles))


def swapped(proposals, ligaments: Ligaments, a: int, b: int) -> list[Proposal]:
    """The proposals after circles ``a`` and ``b`` trade places, in the same order.
    Raises ``ValueError`` for a circle with itself, a circle not in the proposals, or two
    circles of the same group."""
    if a == b:
        raise ValueError(gettext("A circle cannot swap places with itself."))
    group_of = {circle: index for index, p in enumerate(proposals) for circle in p.circles}
    if a not in group_of or b not in group_of:
        raise ValueError(gettext("Both circles must be in the proposed sprints."))
    if group_of[a] == group_of[b]:
        raise ValueError(
            gettext("These circles are already in the same sprint: pick circles of two sprints.")
        )
    trade = {a: b, b: a}
    after = list(proposals)
    for index in (group_of[a], group_of[b]):
        circles = tuple(sorted(trade.get(circle, circle) for circle in proposals[index].circles))
        after[index] = Proposal(circles, group_strength(circles, ligaments))
    return after


def swap_cost(proposals, ligaments: Ligaments, a: int, b: int) -> int:
    """How much the total strength inside the groups changes if ``a`` and ``b`` trade
    places: positive means the swap pairs circles that already collaborate more."""
    after = swapped(proposals, ligaments, a, b)
    changed = [index for index, p in enumerate(after) if p != proposals[index]]
    return sum(
        group_strength(after[index].circles, ligaments)
        - group_strength(proposals[index].circles, ligaments)
        for index in changed
    )


def reasons(ligament: Ligament | None, *, today: date | None = None) -> str:
    """Why two circles were paired, in words: "never in a sprint together; no shared
    members; one commitment to each other in March; no commons draws between them".
    The month gets its year when it is not this year's (``today``, by default the current
    date in the active time zone)."""
    ligament = ligament or NO_LIGAMENT
    parts = []
    if ligament.sprints:
        count = ligament.sprints
        parts.append(
            ngettext("one sprint together", "%(count)d sprints together", count) % {"count": count}
        )
    else:
        parts.append(gettext("never in a sprint together"))
    if ligament.shared_members:
        count = ligament.shared_members
        parts.append(
            ngettext("one shared member", "%(count)d shared members", count) % {"count": count}
        )
    else:
        parts.append(gettext("no shared members"))
    if ligament.commitments:
        count = ligament.commitments
        if ligament.last_commitment_on is not None:
            month = _month(ligament.last_commitment_on, today)
            parts.append(
                ngettext(
                    "one commitment to each other in %(month)s",
                    "%(count)d commitments to each other, the last in %(month)s",
                    count,
                )
                % {"count": count, "month": month}
            )
        else:
            parts.append(
                ngettext(
                    "one commitment to each other", "%(count)d commitments to each other", count
                )
                % {"count": count}
            )
    else:
        parts.append(gettext("no commitments to each other"))
    if ligament.commons:
        count = ligament.commons
        parts.append(
            ngettext(
                "one commons draw approved by the other circle",
                "%(count)d commons draws approved by the other circle",
                count,
            )
            % {"count": count}
        )
    else:
        parts.append(gettext("no commons draws between them"))
    # Translators: between the reasons two circles were paired.
    return gettext("; ").join(parts)


def _month(day, today):
    today = today or timezone.localdate()
    return date_format(day, "F" if day.year == today.year else "F Y")


# --- the solver ---------------------------------------------------------------------------


class _Weights:
    """The positive strengths between the opted-in circles, as adjacency sets."""

    def __init__(self, circles, ligaments):
        self.tied = {circle: {} for circle in circles}
        for pair, ligament in ligaments.items():
            if len(pair) != 2:
                continue
            a, b = pair
            if a in self.tied and b in self.tied and ligament.strength > 0:
                self.tied[a][b] = self.tied[b][a] = ligament.strength

    def __call__(self, a, b):
        return self.tied[a].get(b, 0)

    def within(self, group):
        return sum(self(a, b) for a, b in combinations(group, 2))

    def degree(self, circle):
        return len(self.tied[circle])


def _solve(order, weights, rng):
    """Groups of ``order`` (shuffled by the seed) of the smallest total strength."""
    odd = len(order) % 2 == 1
    position = {circle: index for index, circle in enumerate(order)}
    by_degree = sorted(order, key=lambda circle: (-weights.degree(circle), position[circle]))
    busy_count = _busy_count(by_degree, weights, odd)
    if busy_count is None:
        return _solve_all_busy(order, weights, rng)
    busy = by_degree[:busy_count]
    busy_set = set(busy)
    free = [circle for circle in order if circle not in busy_set]
    partners = {circle: _cheapest_free(circle, free, weights, busy_count) for circle in busy}
    pairs, cost = _cover(busy, partners, weights, rng)
    trio = None
    if odd and busy_count >= 3:
        trio, pairs = _best_busy_trio(busy, partners, weights, rng, pairs, cost)
    groups = [*pairs, *([trio] if trio else [])]
    used = {circle for group in groups for circle in group}
    rest = [circle for circle in free if circle not in used]
    zero = _zero_groups(rest, weights, with_trio=odd and trio is None)
    if zero is None:  # the slack makes this impossible; stay exact all the same
        return _solve_all_busy(order, weights, rng)
    return groups + zero


def _busy_count(by_degree, weights, odd):
    """The fewest busy circles (the head of ``by_degree``) that leave the others enough
    slack to be grouped at zero cost (step 2 of the module's docstring), or None when no
    split does. Ties to busy circles do not count against the slack."""
    n = len(by_degree)
    among_free = {circle: weights.degree(circle) for circle in by_degree}
    how_many = Counter(among_free.values())
    most = max(how_many)
    for busy, circle in enumerate(by_degree):
        while not how_many[most]:
            most -= 1
        if (n - busy) - busy - (3 if odd else 0) > 2 * most:
            return busy
        how_many[among_free.pop(circle)] -= 1
        for other in weights.tied[circle]:
            if other in among_free:
                how_many[among_free[other]] -= 1
                among_free[other] -= 1
                how_many[among_free[other]] += 1
    return None


def _cheapest_free(circle, free, weights, count):
    """The ``count`` free circles that cost ``circle`` least, in the seeded order."""
    tied = weights.tied[circle]
    chosen = []
    for other in free:
        if other not in tied:
            chosen.append(other)
            if len(chosen) == count:
                return chosen
    costly = sorted((other for other in free if other in tied), key=lambda other: tied[other])
    return chosen + costly[: count - len(chosen)]


NOISE = 1 << 20


def _cover(required, partners, weights, rng):
    """The cheapest set of pairs covering as many of ``required`` as possible (all of them
    when it can): pairs inside ``required``, or a required circle with one of its
    ``partners``. Returns (pairs, total strength)."""
    edges = {}
    for a, b in combinations(required, 2):
        edges[a, b] = (2, weights(a, b))
    for circle in required:
        for partner in partners.get(circle, ()):
            edges[circle, partner] = (1, weights(circle, partner))
    if not edges:
        return [], 0
    # Nodes in the seeded order: it orders the pairs, and so the ties of whoever reads them.
    rank = {
        circle: index for index, circle in enumerate(dict.fromkeys(c for e in edges for c in e))
    }
    above_any_total = sum(strength for _covered, strength in edges.values()) + 1
    spread = NOISE * (len(rank) + 1)  # more than the noise of any matching, in total
    graph = nx.Graph()
    graph.add_nodes_from(rank)
    for (a, b), (covered, strength) in edges.items():
        weight = (covered * above_any_total - strength) * spread + rng.randrange(NOISE)
        graph.add_edge(a, b, weight=weight)
    pairs = sorted(
        (tuple(sorted(pair, key=rank.get)) for pair in nx.max_weight_matching(graph)),
        key=lambda pair: rank[pair[0]],
    )
    return pairs, sum(weights(a, b) for a, b in pairs)


def _best_busy_trio(busy, partners, weights, rng, pairs, cost):
    """For an odd count with slack: whether a trio of three busy circles beats covering the
    busy circles with pairs (the trio then forms among the free circles at cost 0).

    Lower bound for a trio T = {x, a, b}, with ``m(t)`` the strength of t's costliest kept
    free partner: covering the busy circles with pairs costs at most covering those outside
    T plus ``m(t)`` for each t in T, and at most ``w(a, b)`` plus covering those outside T
    plus ``m(x)``. So the trio's total is at least its own strength plus ``cost`` minus the
    smaller of the two."""
    spare = {circle: weights(circle, partners[circle][-1]) for circle in busy}
    bounds = []
    for index, trio in enumerate(combinations(busy, 3)):
        strength = weights.within(trio)
        x, a, b = trio
        relief = min(
            spare[x] + spare[a] + spare[b],
            spare[x] + weights(a, b),
            spare[a] + weights(x, b),
            spare[b] + weights(x, a),
        )
        bound = max(strength, strength + cost - relief)
        if bound < cost:
            bounds.append((bound, index, trio, strength))
    best_trio, best_pairs, best = None, pairs, cost
    for bound, _index, trio, strength in sorted(bounds):
        if bound >= best:
            break
        rest = [circle for circle in busy if circle not in trio]
        rest_pairs, rest_cost = _cover(rest, partners, weights, rng)
        if strength + rest_cost < best:
            best_trio, best_pairs, best = trio, rest_pairs, strength + rest_cost
    return best_trio, best_pairs


def _solve_all_busy(order, weights, rng):
    """No slack: the exact matching on the complete graph; for an odd count, the best trio.

    Let Q be the strength of the best matching that leaves one circle out (what
    ``networkx.min_weight_matching`` returns for an odd count). A partition with the trio
    {x, a, b} totals at least Q plus the trio's strength minus its weakest tie: that tie,
    as a pair, with the other pairs, is a matching that leaves one circle out. Trios are
    tried in order of that bound, starting from Q's leftover joining its weakest pair, and
    only while the bound can beat the best found."""
    pairs, cost = _cover(order, {}, weights, rng)
    if len(order) % 2 == 0:
        return pairs
    leftover = next(iter(set(order) - {circle for pair in pairs for circle in pair}))
    joined = min(pairs, key=lambda pair: weights(leftover, pair[0]) + weights(leftover, pair[1]))
    best_groups = [pair for pair in pairs if pair != joined] + [(*joined, leftover)]
    best = cost + weights(leftover, joined[0]) + weights(leftover, joined[1])
    bounds = []
    for index, trio in enumerate(combinations(order, 3)):
        x, a, b = trio
        edges = (weights(x, a), weights(x, b), weights(a, b))
        strength = sum(edges)
        bound = max(strength, cost + strength - min(edges))
        if bound < best:
            bounds.append((bound, index, trio, strength))
    for bound, _index, trio, strength in sorted(bounds):
        if bound >= best:
            break
        rest = [circle for circle in order if circle not in trio]
        rest_pairs, rest_cost = _cover(rest, {}, weights, rng)
        if strength + rest_cost < best:
            best_groups, best = [*rest_pairs, trio], strength + rest_cost
    return best_groups


def _zero_groups(circles, weights, *, with_trio):
    """Groups of strength 0 for circles with enough slack (step 1 of the module's
    docstring), in the seeded order; None if none were found."""
    circles = list(circles)
    groups = []
    if with_trio:
        trio = _zero_trio(circles, weights)
        if trio is None:
            return None
        groups.append(trio)
        circles = [circle for circle in circles if circle not in trio]
    pairs = _zero_matching(circles, weights)
    if pairs is None:
        return None
    return groups + pairs


def _zero_trio(circles, weights):
    for u in circles:
        tied_u = weights.tied[u]
        for v in circles:
            if v == u or v in tied_u:
                continue
            tied_v = weights.tied[v]
            for z in circles:
                if z not in (u, v) and z not in tied_u and z not in tied_v:
                    return (u, v, z)
    return None


def _zero_matching(circles, weights):
    """A perfect matching of strength 0: greedy in the seeded order, then each two circles
    left over (tied to each other) take over a matched pair both reach at cost 0."""
    waiting_room = dict.fromkeys(circles)
    pairs, left_over = [], []
    while waiting_room:
        u = next(iter(waiting_room))
        del waiting_room[u]
        tied = weights.tied[u]
        partner = next((v for v in waiting_room if v not in tied), None)
        if partner is None:
            left_over.append(u)  # tied to every circle still waiting: they are all tied
        else:
            del waiting_room[partner]
            pairs.append((u, partner))
    while len(left_over) >= 2:
        u, v = left_over.pop(), left_over.pop()
        tied_u, tied_v = weights.tied[u], weights.tied[v]
        for index, (a, b) in enumerate(pairs):
            if a not in tied_u and b not in tied_v:
                pairs[index] = (u, a)
                pairs.append((v, b))
                break
            if b not in tied_u and a not in tied_v:
                pairs[index] = (u, b)
                pairs.append((v, a))
                break
        else:
            return None
    return None if left_over else pairs
