"""Circles that stop reporting are flagged, to organizers only, as drifting."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from rituals.models import Cycle, Gathering
from rituals.selectors import drifting_circles
from tests.factories import CircleFactory, CircleReportFactory, GatheringFactory

URL = reverse("rituals:convergence", kwargs={"movement_slug": "tidewater"})


def held(movement, number, days_ago):
    return GatheringFactory(
        movement=movement,
        cycle__number=number,
        starts_at=timezone.now() - timedelta(days=days_ago),
        state=Gathering.State.CLOSED,
    )


@pytest.fixture
def two_cycles(tidewater):
    old = timezone.now() - timedelta(days=200)
    quiet = CircleFactory(movement=tidewater, name="Quiet", created_at=old)
    steady = CircleFactory(movement=tidewater, name="Steady", created_at=old)
    CircleFactory(movement=tidewater, name="Newborn")  # too young to have drifted
    first, second = held(tidewater, 1, 60), held(tidewater, 2, 30)
    CircleReportFactory(cycle=first.cycle, circle=steady)
    CircleReportFactory(cycle=second.cycle, circle=steady)
    return quiet


@pytest.mark.django_db
def test_circles_silent_for_two_cycles_are_flagged(tidewater, two_cycles):
    assert list(drifting_circles(tidewater)) == [two_cycles]


@pytest.mark.django_db
def test_one_report_in_two_cycles_is_enough(tidewater, two_cycles):
    CircleReportFactory(cycle=Cycle.objects.get(number=1), circle=two_cycles)
    assert list(drifting_circles(tidewater)) == []


@pytest.mark.django_db
def test_only_organizers_see_the_flag(login, alice, mo, two_cycles):
    assert "Drifting into separate orbits" in login(alice).get(URL).content.decode()
    assert "Drifting into separate orbits" not in login(mo).get(URL).content.decode()
