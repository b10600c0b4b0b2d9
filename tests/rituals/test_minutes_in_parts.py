"""The minutes of a gathering where hundreds of circles reported come a part at a time."""

from datetime import timedelta

import pytest
from django.urls import reverse

from rituals.models import AgendaItem, Commitment, Gathering
from tests.factories import CircleFactory, GatheringFactory


@pytest.fixture
def big_minutes(tidewater):
    gathering = GatheringFactory(movement=tidewater, state=Gathering.State.CLOSED)
    circle = CircleFactory(movement=tidewater)
    AgendaItem.objects.bulk_create(
        AgendaItem(
            gathering=gathering, position=n, title=f"Item {n:02}", timebox=timedelta(minutes=5)
        )
        for n in range(1, 61)
    )
    Commitment.objects.bulk_create(
        Commitment(gathering=gathering, circle=circle, text=f"Promise {n:02}") for n in range(1, 61)
    )
    return gathering


@pytest.mark.django_db
def test_minutes_come_25_items_at_a_time(login, mo, big_minutes):
    client = login(mo)
    first = client.get(big_minutes.get_absolute_url()).content.decode()
    assert "Item 25" in first and "Item 26" not in first
    assert "Promise 25" in first and "Promise 26" not in first
    assert "Part 1 of 3" in first
    last = client.get(big_minutes.get_absolute_url(), {"minutes": "3"}).content.decode()
    assert "Item 60" in last and "Item 51" in last and "Item 50" not in last
    assert "Promise 60" in last


@pytest.mark.django_db
def test_the_polled_panel_shows_the_same_part(login, mo, big_minutes):
    url = reverse(
        "rituals:live", kwargs={"movement_slug": "tidewater", "gathering_id": big_minutes.pk}
    )
    panel = login(mo).get(url, {"minutes": "2"}).content.decode()
    assert "Item 26" in panel and "Item 51" not in panel
