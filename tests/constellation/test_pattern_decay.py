"""Pattern decay on constructed histories: a tactic named in three or more cycles in a row,
up to the last one held, is flagged, with less-used tactics of the same aim; the edges
(exactly three, two, a gap, a cycle not held yet) and a fixed number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from constellation.patterns import DECAY_AFTER, patterns
from movement.services import ensure_tactics
from rituals.models import CircleReport, Gathering
from rituals.services.convergence import tag_reports
from tests.factories import CircleFactory, GatheringFactory

URL = reverse("movement:patterns", kwargs={"movement_slug": "tidewater"})


def history(movement, *cycles, held=True):
    """One gathering per entry of ``cycles`` (oldest first), each with a report per text:
    ``history(m, ["mural"], ["mural, phone tree"])``."""
    ensure_tactics(movement)
    circles = {}
    for index, texts in enumerate(cycles):
        gathering = GatheringFactory(
            movement=movement,
            starts_at=timezone.now() - timedelta(days=30 * (len(cycles) - index)),
            state=Gathering.State.CLOSED if held else Gathering.State.SCHEDULED,
        )
        for position, text in enumerate(texts):
            circle = circles.get(position) or CircleFactory(movement=movement)
            circles[position] = circle
            CircleReport.objects.create(
                cycle=gathering.cycle, circle=circle, did="x", intention="y", tactics=text
            )
    tag_reports(movement, CircleReport.objects.filter(cycle__movement=movement))


def warned(movement):
    return {usage.tactic.name: usage.run for usage in patterns(movement).warnings}


def test_three_cycles_in_a_row_is_exactly_enough(tidewater):
    assert DECAY_AFTER == 3
    history(tidewater, ["mural"], ["paste-ups and stencils"], ["a mural on Main St"])
    assert warned(tidewater) == {"Street art": 3}


def test_two_cycles_are_not(tidewater):
    history(tidewater, ["bail fund"], ["mural"], ["mural"])
    assert warned(tidewater) == {}


def test_a_gap_breaks_the_run(tidewater):
    history(tidewater, ["mural"], ["mural"], ["podcast"], ["mural"], ["mural"])
    assert warned(tidewater) == {}


def test_the_run_counts_up_to_the_last_cycle_held(tidewater):
    history(tidewater, ["mural"], ["mural"], ["mural"], ["podcast"])
    assert warned(tidewater) == {}  # it was predictable; the last cycle did something else


def test_a_cycle_not_held_yet_does_not_count(tidewater):
    history(tidewater, ["mural"], ["mural"])
    history(tidewater, ["mural"], held=False)
    assert warned(tidewater) == {}


def test_suggestions_share_the_aim_and_are_the_least_used(tidewater):
    history(tidewater, ["mural, podcast"], ["mural, podcast"], ["mural, video"])
    (usage,) = patterns(tidewater).warnings
    assert usage.tactic.name == "Street art"
    names = [tactic.name for tactic in usage.suggestions]
    assert names[0] == "Teach-in"  # change minds too, and never named
    assert {tactic.aim for tactic in usage.suggestions} == {"persuade"}
    assert "Street art" not in names


def test_an_archived_tactic_is_not_suggested(tidewater, alice):
    from movement.models import Tactic
    from movement.services import archive_tactic

    history(tidewater, ["mural"], ["mural"], ["mural"])
    archive_tactic(by=alice, tactic=Tactic.objects.get(movement=tidewater, name="Teach-in"))
    (usage,) = patterns(tidewater).warnings
    assert "Teach-in" not in [tactic.name for tactic in usage.suggestions]


@pytest.mark.parametrize("size", [3, 12])
def test_the_page_runs_a_fixed_number_of_queries(
    size, tidewater, mo, login, django_assert_num_queries
):
    history(tidewater, *[["mural, phone tree, bail fund"] * size for _ in range(size)])
    client = login(mo)
    # the session, the membership, the header's count; the cycles, the tactics, the tags
    with django_assert_num_queries(6):
        response = client.get(URL)
    assert response.status_code == 200
    assert "Becoming predictable" in response.content.decode()
