"""Proposing sprint pairs: the circles that have collaborated least, exactly.

Generated movements are compared with a brute force over every partition into pairs (and
one trio for an odd count); larger ones with busy "hub" circles, which take the solver's
other path, with the same brute force and with networkx on the complete graph.
"""

import random
from datetime import date
from functools import cache
from itertools import combinations

import networkx as nx
import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from rituals import pairing
from rituals.pairing import Ligament, Proposal, propose, reasons, swap_cost, swapped


def brute_force_minimum(circle_ids, ligaments):
    """The least total strength over every partition of the circles into pairs, with exactly
    one trio when the count is odd."""

    def strength(*group):
        return pairing.group_strength(group, ligaments)

    @cache
    def least(rest, trio_left):
        if not rest:
            return 0 if not trio_left else float("inf")
        first, others = rest[0], rest[1:]
        best = float("inf")
        for index, partner in enumerate(others):
            remaining = others[:index] + others[index + 1 :]
            best = min(best, strength(first, partner) + least(remaining, trio_left))
        if trio_left:
            for i, j in combinations(range(len(others)), 2):
                remaining = tuple(c for k, c in enumerate(others) if k not in (i, j))
                best = min(best, strength(first, others[i], others[j]) + least(remaining, False))
        return best

    ids = tuple(sorted(circle_ids))
    return least(ids, len(ids) % 2 == 1)


def total(proposals):
    return sum(proposal.strength for proposal in proposals)


@st.composite
def movements(draw, min_circles=2, max_circles=10):
    """Circle ids and ligaments between some of them, often of equal strength."""
    ids = draw(
        st.lists(st.integers(1, 10_000), min_size=min_circles, max_size=max_circles, unique=True)
    )
    pairs = list(combinations(ids, 2))
    tied = draw(st.lists(st.sampled_from(pairs), unique=True)) if pairs else []
    kinds = st.builds(
        Ligament,
        sprints=st.integers(0, 2),
        shared_members=st.integers(0, 3),
        commitments=st.integers(0, 2),
        commons=st.integers(0, 3),
    )
    return ids, {frozenset(pair): draw(kinds) for pair in tied}


@st.composite
def movements_with_hubs(draw):
    """10 to 15 circles, one to four of them tied to nearly everyone else (lightly to each
    other), the others to one or two: the busy circles the solver covers with blossom, and
    sometimes groups as a trio, the rest grouped at no strength."""
    count = draw(st.integers(10, 15))
    ids = list(range(1, count + 1))
    hubs = ids[: draw(st.integers(1, 4))]
    ligaments = {}
    for hub, other in combinations(ids, 2):
        if hub in hubs and other in hubs:
            ligaments[frozenset((hub, other))] = Ligament(commons=draw(st.integers(0, 1)))
        elif hub in hubs and draw(st.integers(0, 19)) > 0:
            ligaments[frozenset((hub, other))] = Ligament(commons=draw(st.integers(2, 6)))
    quiet = ids[len(hubs) :]
    for _ in range(draw(st.integers(0, 3))):
        a, b = draw(st.sampled_from(list(combinations(quiet, 2))))
        ligaments[frozenset((a, b))] = Ligament(shared_members=draw(st.integers(1, 2)))
    return ids, ligaments


def groups_of(proposals):
    return sorted(proposal.circles for proposal in proposals)


# --- every circle in one group, the least total strength -------------------------------


@given(movements(), st.integers(0, 2**31))
def test_every_circle_is_in_exactly_one_group(movement, seed):
    ids, ligaments = movement
    proposals = propose(ids, ligaments, seed=seed)
    grouped = [circle for proposal in proposals for circle in proposal.circles]
    assert sorted(grouped) == sorted(ids)


@given(movements(), st.integers(0, 2**31))
def test_the_total_strength_is_the_least_possible(movement, seed):
    ids, ligaments = movement
    assert total(propose(ids, ligaments, seed=seed)) == brute_force_minimum(ids, ligaments)


@settings(max_examples=60, deadline=None)
@given(movements_with_hubs(), st.integers(0, 2**31))
def test_busy_circles_are_paired_exactly_too(movement, seed):
    ids, ligaments = movement
    proposals = propose(ids, ligaments, seed=seed)
    assert sorted(c for p in proposals for c in p.circles) == ids
    assert total(proposals) == brute_force_minimum(ids, ligaments)


def test_hub_movements_take_the_busy_circles_path():
    """Movements like the generated ones above do reach the cover of busy circles."""
    ids = list(range(1, 13))
    ligaments = {frozenset((1, other)): Ligament(commons=2) for other in ids[1:]}
    weights = pairing._Weights(ids, ligaments)
    assert pairing._busy_count(ids, weights, odd=False) == 1  # the hub; the rest are free


def test_three_busy_circles_loosely_tied_to_each_other_make_the_trio():
    ids = list(range(1, 14))
    ligaments = {
        frozenset((hub, other)): Ligament(commons=5) for hub in (1, 2, 3) for other in ids[3:]
    }
    proposals = propose(ids, ligaments, seed=1)
    assert Proposal((1, 2, 3), 0) in proposals
    assert total(proposals) == 0


def test_a_large_round_with_hubs_matches_networkx_on_the_complete_graph():
    rng = random.Random(7)
    ids = list(range(40))
    ligaments = {}
    for hub in range(4):
        for other in ids:
            if other != hub:
                ligaments[frozenset((hub, other))] = Ligament(commons=rng.randint(1, 9))
    for _ in range(60):
        a, b = rng.sample(ids[4:], 2)
        ligaments[frozenset((a, b))] = Ligament(shared_members=rng.randint(1, 3))
    graph = nx.Graph()
    for a, b in combinations(ids, 2):
        graph.add_edge(a, b, weight=pairing.group_strength((a, b), ligaments))
    matching = nx.min_weight_matching(graph)
    expected = sum(graph.edges[a, b]["weight"] for a, b in matching)

    assert total(propose(ids, ligaments, seed=1)) == expected


def test_pairs_without_ligaments_come_first_and_a_tied_pair_is_split():
    ligaments = {frozenset((1, 2)): Ligament(shared_members=1)}
    proposals = propose([1, 2, 3, 4], ligaments, seed=0)
    assert (1, 2) not in groups_of(proposals)
    assert total(proposals) == 0


def test_when_every_pair_is_tied_the_weakest_pairs_are_chosen():
    ligaments = {
        frozenset((1, 2)): Ligament(sprints=1),
        frozenset((3, 4)): Ligament(sprints=1),
        frozenset((1, 3)): Ligament(commons=1),
        frozenset((2, 4)): Ligament(commons=1),
        frozenset((1, 4)): Ligament(shared_members=1),
        frozenset((2, 3)): Ligament(shared_members=1),
    }
    assert groups_of(propose([1, 2, 3, 4], ligaments, seed=5)) == [(1, 3), (2, 4)]


def test_a_thousand_circles_without_hubs_are_grouped_at_no_strength():
    rng = random.Random(3)
    ids = list(range(1, 1002))
    ligaments = {frozenset(rng.sample(ids, 2)): Ligament(shared_members=1) for _ in range(5000)}
    proposals = propose(ids, ligaments, seed=9)
    assert sorted(c for p in proposals for c in p.circles) == ids
    assert total(proposals) == 0


# --- the seed ------------------------------------------------------------------------------


@given(movements(), st.integers(0, 2**31))
def test_the_same_seed_gives_the_same_pairs(movement, seed):
    ids, ligaments = movement
    assert propose(ids, ligaments, seed=seed) == propose(ids, ligaments, seed=seed)


@given(movements(), st.integers(0, 2**31), st.randoms())
def test_the_order_circles_opted_in_changes_nothing(movement, seed, shuffler):
    ids, ligaments = movement
    shuffled = list(ids)
    shuffler.shuffle(shuffled)
    assert propose(shuffled, ligaments, seed=seed) == propose(ids, ligaments, seed=seed)


def test_different_seeds_can_give_different_pairs_among_equal_ones():
    ids = [1, 2, 3, 4, 5, 6]
    outcomes = {tuple(groups_of(propose(ids, {}, seed=seed))) for seed in range(20)}
    assert len(outcomes) > 1


def test_different_seeds_break_ties_among_tied_circles_too():
    """No slack, every pair tied with the same strength: blossom's noise breaks the tie."""
    ids = [1, 2, 3, 4]
    ligaments = {frozenset(pair): Ligament(commons=1) for pair in combinations(ids, 2)}
    outcomes = {tuple(groups_of(propose(ids, ligaments, seed=seed))) for seed in range(20)}
    assert len(outcomes) > 1


# --- the odd one out -------------------------------------------------------------------------


@given(movements(), st.integers(0, 2**31))
def test_a_trio_forms_only_for_an_odd_count(movement, seed):
    ids, ligaments = movement
    trios = [p for p in propose(ids, ligaments, seed=seed) if p.is_trio]
    assert len(trios) == len(ids) % 2
    assert all(len(p.circles) == 2 for p in propose(ids, ligaments, seed=seed) if not p.is_trio)


def test_the_odd_circle_joins_the_weakest_pair():
    ligaments = {
        frozenset((5, 1)): Ligament(sprints=2),
        frozenset((5, 2)): Ligament(sprints=2),
        frozenset((1, 2)): Ligament(shared_members=1),
        frozenset((3, 4)): Ligament(shared_members=1),
        frozenset((1, 3)): Ligament(shared_members=1),
        frozenset((2, 4)): Ligament(shared_members=1),
        frozenset((1, 4)): Ligament(shared_members=1),
        frozenset((2, 3)): Ligament(shared_members=1),
    }
    trio = next(p for p in propose([1, 2, 3, 4, 5], ligaments, seed=0) if p.is_trio)
    assert trio.circles == (3, 4, 5)
    assert trio.strength == 2


def test_a_group_strength_counts_every_pair_inside_it():
    ligaments = {
        frozenset((1, 2)): Ligament(sprints=1),
        frozenset((2, 3)): Ligament(commons=2),
    }
    assert propose([1, 2, 3], ligaments, seed=0) == [Proposal((1, 2, 3), 5)]


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("circle_ids", [[], [7], [7, 7]])
def test_fewer_than_two_circles_are_refused(circle_ids):
    with pytest.raises(ValueError, match="at least two circles"):
        propose(circle_ids, {}, seed=0)


# --- swaps -----------------------------------------------------------------------------------


SWAP_LIGAMENTS = {
    frozenset((1, 3)): Ligament(sprints=1),  # 3
    frozenset((2, 4)): Ligament(shared_members=1),  # 2
    frozenset((1, 5)): Ligament(commons=1),  # 1
    frozenset((2, 5)): Ligament(commitments=2),  # 4
}
SWAP_PROPOSALS = [Proposal((1, 2), 0), Proposal((3, 4, 5), 0)]


def test_a_swap_costs_the_change_in_total_strength():
    # (1, 2) and (3, 4, 5) become (2, 3) and (1, 4, 5): 0 + 1 against 0 + 0.
    assert swap_cost(SWAP_PROPOSALS, SWAP_LIGAMENTS, 1, 3) == 1


def test_a_swap_can_lower_the_strength():
    before = [Proposal((1, 3), 3), Proposal((2, 4), 2)]
    # (1, 3), (2, 4) become (1, 2), (3, 4): nothing between them any more.
    assert swap_cost(before, SWAP_LIGAMENTS, 3, 2) == -5


@given(movements(min_circles=4), st.integers(0, 2**31), st.data())
def test_a_swap_costs_what_the_new_groups_add_up_to(movement, seed, data):
    ids, ligaments = movement
    proposals = propose(ids, ligaments, seed=seed)
    first, second = data.draw(st.sampled_from(list(combinations(proposals, 2))))
    a = data.draw(st.sampled_from(first.circles))
    b = data.draw(st.sampled_from(second.circles))
    after = swapped(proposals, ligaments, a, b)
    assert swap_cost(proposals, ligaments, a, b) == total(after) - total(proposals)
    assert total(after) >= total(proposals)  # the proposal was already the least


def test_a_swap_with_itself_is_refused():
    with pytest.raises(ValueError, match="itself"):
        swap_cost(SWAP_PROPOSALS, SWAP_LIGAMENTS, 1, 1)


def test_a_swap_inside_one_group_is_refused():
    with pytest.raises(ValueError, match="same sprint"):
        swap_cost(SWAP_PROPOSALS, SWAP_LIGAMENTS, 3, 4)


def test_a_swap_with_a_circle_not_proposed_is_refused():
    with pytest.raises(ValueError, match="proposed sprints"):
        swap_cost(SWAP_PROPOSALS, SWAP_LIGAMENTS, 1, 99)


# --- strength and reasons ---------------------------------------------------------------------


def test_strength_weighs_sprints_most():
    ligament = Ligament(sprints=1, shared_members=1, commitments=1, commons=1)
    assert ligament.strength == 3 + 2 + 2 + 1


TODAY = date(2027, 6, 1)


def test_reasons_for_circles_that_never_worked_together():
    with translation.override("en"):
        text = reasons(None, today=TODAY)
    assert text == (
        "never in a sprint together; no shared members; no commitments to each other; "
        "no commons draws between them"
    )


def test_reasons_name_the_month_of_the_commitment():
    ligament = Ligament(commitments=1, last_commitment_on=date(2027, 3, 6))
    with translation.override("en"):
        text = reasons(ligament, today=TODAY)
    assert text == (
        "never in a sprint together; no shared members; one commitment to each other in "
        "March; no commons draws between them"
    )


def test_reasons_count_in_words_and_numbers():
    ligament = Ligament(
        sprints=2,
        shared_members=1,
        commitments=3,
        commons=4,
        last_commitment_on=date(2026, 11, 7),
    )
    with translation.override("en"):
        text = reasons(ligament, today=TODAY)
    assert text == (
        "2 sprints together; one shared member; 3 commitments to each other, the last in "
        "November 2026; 4 commons draws approved by the other circle"
    )


def test_reasons_name_the_month_in_the_reader_s_language():
    ligament = Ligament(commitments=1, last_commitment_on=date(2027, 3, 6))
    with translation.override("fr"):
        text = reasons(ligament, today=TODAY)
    assert "mars" in text
