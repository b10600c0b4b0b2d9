"""Gatherings follow their clock: a facilitator starts one only from a little before it
begins until it ends, can undo a mistaken start while nothing was recorded, confirms before
closing (without JavaScript), and the scheduler plans from the gatherings still to come."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from rituals.models import Cycle, Gathering
from rituals.services import convergence, facilitation
from tests.factories import RhythmFactory


def planned(movement, *, starts_in, lasts=timedelta(hours=2)):
    number = Cycle.objects.filter(movement=movement).count() + 1
    cycle = Cycle.objects.create(movement=movement, number=number)
    starts_at = timezone.now() + starts_in
    return Gathering.objects.create(
        cycle=cycle, movement=movement, starts_at=starts_at, ends_at=starts_at + lasts
    )


def action(name, gathering):
    return reverse(
        "rituals:facilitate_action",
        kwargs={"movement_slug": "tidewater", "gathering_id": gathering.pk, "action": name},
    )


def facilitate(gathering):
    return reverse(
        "rituals:facilitate", kwargs={"movement_slug": "tidewater", "gathering_id": gathering.pk}
    )


@pytest.mark.django_db
@pytest.mark.parametrize("starts_in", [timedelta(days=5), timedelta(days=33), timedelta(hours=2)])
def test_a_gathering_cannot_be_started_long_before_it_begins(fay, tidewater, starts_in):
    gathering = planned(tidewater, starts_in=starts_in)
    with pytest.raises(ValidationError, match="can be started from"):
        facilitation.start_gathering(by=fay, gathering=gathering)
    gathering.refresh_from_db()
    assert gathering.state == Gathering.State.SCHEDULED


@pytest.mark.django_db
@pytest.mark.parametrize("starts_in", [timedelta(minutes=50), timedelta(minutes=-30)])
def test_it_starts_from_an_hour_before_until_it_ends(fay, tidewater, starts_in):
    gathering = facilitation.start_gathering(
        by=fay, gathering=planned(tidewater, starts_in=starts_in)
    )
    assert gathering.state == Gathering.State.LIVE


@pytest.mark.django_db
def test_a_gathering_whose_time_has_passed_cannot_be_started(fay, tidewater):
    gathering = planned(tidewater, starts_in=-timedelta(hours=3))
    with pytest.raises(ValidationError, match="time has passed"):
        facilitation.start_gathering(by=fay, gathering=gathering)


@pytest.mark.django_db
def test_how_early_is_a_setting(fay, tidewater, settings):
    settings.GATHERING_OPENS_MINUTES_BEFORE = 24 * 60
    gathering = planned(tidewater, starts_in=timedelta(hours=20))
    assert facilitation.start_gathering(by=fay, gathering=gathering).state == "live"


@pytest.mark.django_db
def test_the_page_says_when_it_can_start_instead_of_offering_to(login, fay, tidewater):
    gathering = planned(tidewater, starts_in=timedelta(days=5))
    client = login(fay)
    html = client.get(facilitate(gathering)).content.decode()
    assert "Start the gathering" not in html
    assert "You can start this gathering from" in html
    response = client.post(action("start", gathering), follow=True)
    assert "can be started from" in response.content.decode()
    gathering.refresh_from_db()
    assert gathering.state == Gathering.State.SCHEDULED


@pytest.mark.django_db
def test_a_mistaken_start_is_undone_while_nothing_was_recorded(login, fay, tidewater):
    gathering = facilitation.start_gathering(
        by=fay, gathering=planned(tidewater, starts_in=timedelta(minutes=30))
    )
    client = login(fay)
    assert "Put it back to planned" in client.get(facilitate(gathering)).content.decode()
    client.post(action("unstart", gathering))
    gathering.refresh_from_db()
    assert (gathering.state, gathering.started_at) == (Gathering.State.SCHEDULED, None)


@pytest.mark.django_db
@pytest.mark.parametrize("record", ["decision", "started item", "notes"])
def test_once_something_is_recorded_the_start_stays(fay, tidewater, record):
    gathering = facilitation.start_gathering(
        by=fay, gathering=planned(tidewater, starts_in=timedelta(minutes=30))
    )
    item = facilitation.add_agenda_item(by=fay, gathering=gathering, title="Opening", minutes=5)
    if record == "decision":
        facilitation.record_decision(by=fay, gathering=gathering, text="Meet at the harbor.")
    elif record == "started item":
        facilitation.start_item(by=fay, item=item)
    else:
        facilitation.save_notes(by=fay, item=item, notes="Bring chairs.")
    with pytest.raises(ValidationError, match="close it instead"):
        facilitation.put_back_to_planned(by=fay, gathering=gathering)
    gathering.refresh_from_db()
    assert gathering.state == Gathering.State.LIVE


@pytest.mark.django_db
def test_closing_asks_first_without_javascript(login, fay, tidewater):
    gathering = facilitation.start_gathering(
        by=fay, gathering=planned(tidewater, starts_in=timedelta(minutes=30))
    )
    client = login(fay)
    asked = client.post(action("close", gathering))
    assert asked.status_code == 200
    assert "publishes its minutes to the whole movement" in asked.content.decode()
    assert 'name="confirm" value="yes"' in asked.content.decode()
    gathering.refresh_from_db()
    assert gathering.state == Gathering.State.LIVE

    closed = client.post(action("close", gathering), {"confirm": "yes"})
    assert closed.status_code == 302
    gathering.refresh_from_db()
    assert gathering.state == Gathering.State.CLOSED


@pytest.mark.django_db
def test_gatherings_closed_before_their_date_are_not_the_future(alice, tidewater):
    RhythmFactory(by=alice)
    # Older data: three future gatherings started and closed by mistake.
    Gathering.objects.filter(movement=tidewater).update(state=Gathering.State.CLOSED)
    planned_now = convergence.schedule_ahead(movement=tidewater)
    assert len(planned_now) == 3
    still_to_come = Gathering.objects.filter(
        movement=tidewater, state=Gathering.State.SCHEDULED, starts_at__gt=timezone.now()
    )
    assert still_to_come.count() == 3
