"""The cycle retrospective: sovereignty first, commitments, sprints and frictions, commons
flows, the conflict ritual's anonymous figures, attendance last; the same numbers as CSV; a
fixed number of queries; only cycles held, only the movement's own."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from commons import services as commons_services
from rituals.models import Gathering
from rituals.services import sovereignty
from tests.factories import CircleMembershipFactory, GatheringFactory, PoolFactory


def url(number, name="retrospective", slug="tidewater"):
    return reverse(f"movement:{name}", kwargs={"movement_slug": slug, "number": number})


@pytest.fixture
def held(tidewater, alice, medics):
    CircleMembershipFactory(circle=medics, member=alice, is_convener=True)
    # Closed early, an hour in: what happens now still belongs to its cycle.
    gathering = GatheringFactory(
        movement=tidewater,
        starts_at=timezone.now() - timedelta(hours=1),
        state=Gathering.State.CLOSED,
    )
    sovereignty.record(
        by=alice, cycle=gathering.cycle, circle=medics, kind="skills", what="First aid", people=12
    )
    pool = PoolFactory(movement=tidewater, name="=Bail fund", instant_limit=Decimal("10"))
    commons_services.contribute(by=alice, pool=pool, amount=Decimal("40"))
    return gathering


def test_the_page_puts_sovereignty_first_and_attendance_last(login, mo, held):
    html = login(mo).get(url(held.cycle.number)).content.decode()
    assert html.index("Sovereignty gained") < html.index("Attendance")
    assert "Skills distributed" in html and "Street Medics" in html
    assert "40" in html  # the contribution, in the commons flows


def test_the_csv_has_the_same_numbers_and_no_formula(login, mo, held):
    response = login(mo).get(url(held.cycle.number, "retrospective_csv"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert ["sovereignty", "skills distributed", "1"] in rows
    assert ["sovereignty: people", "skills distributed", "12"] in rows
    (contributed,) = [row for row in rows if row[0] == "commons: contributed"]
    assert contributed[1] == "'=Bail fund"  # quoted: a spreadsheet will not run it
    assert Decimal(contributed[2]) == Decimal("40")


def test_a_cycle_not_held_or_another_movement_s_is_not_found(login, mo, otto, tidewater, held):
    upcoming = GatheringFactory(movement=tidewater)
    assert login(mo).get(url(upcoming.cycle.number)).status_code == 404
    assert login(otto).get(url(held.cycle.number, slug="elsewhere")).status_code == 404


@pytest.mark.parametrize("size", [1, 8])
def test_the_page_runs_a_fixed_number_of_queries(
    size, login, alice, tidewater, medics, held, django_assert_num_queries
):
    for _ in range(size):
        sovereignty.record(
            by=alice, cycle=held.cycle, circle=medics, kind="institution", what="A co-op"
        )
    client = login(alice)
    with django_assert_num_queries(14):
        assert client.get(url(held.cycle.number)).status_code == 200
