"""The movement at a glance on its home: sovereignty gained cumulative per cycle, blind spots
with a spark, tactics becoming predictable; a fixed number of queries whatever the size."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from circles import services as circle_services
from constellation.overview import sovereignty
from movement.services import ensure_tactics
from rituals.models import CircleReport, Gathering
from rituals.services import sovereignty as records
from rituals.services.convergence import tag_reports
from tests.factories import CircleFactory, CircleMembershipFactory, GatheringFactory

HOME = reverse("movement:home", kwargs={"movement_slug": "tidewater"})


def cycles(movement, organizer, count, circles=3):
    """``count`` held cycles; each circle (all voluntarist) records a skill share and reports
    a mural in every one."""
    ensure_tactics(movement)
    made = [CircleFactory(movement=movement, lens="voluntarist") for _ in range(circles)]
    for circle in made:
        CircleMembershipFactory(circle=circle, member=organizer, is_convener=True)
    for index in range(count):
        gathering = GatheringFactory(
            movement=movement,
            starts_at=timezone.now() - timedelta(days=30 * (count - index)),
            state=Gathering.State.CLOSED,
        )
        for circle in made:
            records.record(
                by=organizer,
                cycle=gathering.cycle,
                circle=circle,
                kind="skills",
                what="x",
                people=2,
            )
            CircleReport.objects.create(
                cycle=gathering.cycle, circle=circle, did="x", intention="y", tactics="mural"
            )
    tag_reports(movement, CircleReport.objects.filter(cycle__movement=movement))


def test_sovereignty_adds_up_cycle_after_cycle(tidewater, alice):
    cycles(tidewater, alice, 3, circles=2)
    found = sovereignty(tidewater)
    assert [row["total"] for row in found.rows] == [2, 4, 6]
    assert found.chart["bars"][-1]["total"] == 6


def test_the_home_shows_the_movement_at_a_glance(login, tidewater, alice):
    cycles(tidewater, alice, 3)
    circle_services.post_spark(
        by=alice, passion="A rent escrow fund", lens="structuralist", horizon="Leverage"
    )
    html = login(alice).get(HOME).content.decode()
    assert "Sovereignty, not spectacle" in html
    assert "A rent escrow fund" in html  # under the structuralist blind spot
    assert "Street art: 3 cycles in a row" in html


@pytest.mark.parametrize("size", [3, 9])
def test_the_home_runs_a_fixed_number_of_queries(
    size, login, tidewater, alice, django_assert_num_queries
):
    cycles(tidewater, alice, size, circles=size)
    client = login(alice)
    client.get(HOME)
    with django_assert_num_queries(37):
        assert client.get(HOME).status_code == 200


def test_a_spark_that_became_a_circle_counts_as_a_new_initiative_of_its_cycle(tidewater, alice, mo):
    from circles.models import Spark
    from tests.factories import MembershipFactory

    upcoming = GatheringFactory(movement=tidewater)  # the cycle under way
    spark = circle_services.post_spark(
        by=mo, passion="A choir", lens="subjectivist", horizon="Songs"
    )
    for _ in range(3):
        circle_services.join_spark(by=MembershipFactory(movement=tidewater), spark=spark)
    circle_services.ignite_spark(by=mo, spark=Spark.objects.get(), name="Choir")
    (row,) = sovereignty(tidewater).rows
    assert row["cycle"] == upcoming.cycle.number
    assert [(kind.value, count) for kind, count in row["new"]] == [("initiative", 1)]


OVERVIEW = reverse("movement:overview", kwargs={"movement_slug": "tidewater"})


@pytest.mark.parametrize("size", [3, 9])
def test_the_overview_shows_the_constellation_in_a_fixed_number_of_queries(
    size, login, tidewater, alice, django_assert_num_queries
):
    cycles(tidewater, alice, size, circles=size)
    client = login(alice)
    client.get(OVERVIEW)  # the layout is computed and stored once
    with django_assert_num_queries(23):
        response = client.get(OVERVIEW)
    html = response.content.decode()
    assert html.count('class="graph-node') == size
    assert "Sovereignty, not spectacle" in html
