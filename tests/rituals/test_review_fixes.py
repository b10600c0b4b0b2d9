"""Edge cases a review found: hanging rules, lost work, one broken movement, bad posts."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from rituals.models import CircleReport, Gathering, Rhythm, Rsvp
from rituals.services import convergence, facilitation

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 24, 12, tzinfo=PARIS)


@pytest.fixture
def planned(alice):
    convergence.set_rhythm(
        by=alice,
        kind="monthly",
        week=1,
        weekday=5,
        local_time=time(18),
        duration=timedelta(hours=2),
        time_zone="Europe/Paris",
        now=NOW,
    )
    return list(Gathering.objects.order_by("starts_at"))


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=MONTHLY;INTERVAL=0;BYMONTHDAY=1",
        "FREQ=MONTHLY;INTERVAL=-1;BYMONTHDAY=1",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=WEEKLY;BYMONTH=4;BYMONTHDAY=31",
    ],
)
@pytest.mark.django_db
def test_rules_that_would_loop_for_ever_are_refused_at_once(alice, rule):
    with pytest.raises(ValidationError) as error:
        convergence.set_rhythm(
            by=alice, kind="custom", rrule=rule, local_time=time(18), duration=timedelta(hours=2)
        )
    assert "rrule" in error.value.message_dict


@pytest.mark.django_db
def test_a_new_rhythm_keeps_gatherings_people_already_worked_on(alice, mo, cora, medics, planned):
    convergence.submit_report(
        by=cora, gathering=planned[0], circle=medics, did="Staffed actions.", intention="More."
    )
    convergence.answer_gathering(by=mo, gathering=planned[1], answer="yes")
    convergence.set_rhythm(
        by=alice, kind="seasonal", local_time=time(17), duration=timedelta(hours=2), now=NOW
    )
    assert CircleReport.objects.count() == 1
    assert Rsvp.objects.count() == 1
    assert Gathering.objects.filter(pk__in=[planned[0].pk, planned[1].pk]).count() == 2
    assert not Gathering.objects.filter(pk=planned[2].pk).exists()


@pytest.mark.django_db
def test_one_broken_rhythm_does_not_stop_the_others(alice, otto, caplog):
    convergence.set_rhythm(
        by=otto,
        kind="lunar",
        moon_phase="full",
        local_time=time(20),
        duration=timedelta(hours=2),
        now=NOW,
    )
    convergence.set_rhythm(
        by=alice,
        kind="custom",
        rrule="FREQ=WEEKLY;UNTIL=20261231T000000",
        local_time=time(18),
        duration=timedelta(hours=2),
        now=NOW,
    )
    Rhythm.objects.filter(movement=alice.movement).update(rrule="FREQ=WEEKLY;INTERVAL=0")
    later = NOW + timedelta(days=100)
    planned = convergence.schedule_all_movements(now=later)
    assert planned >= 1
    assert Gathering.objects.filter(movement=otto.movement, starts_at__gt=later).count() == 3


@pytest.mark.django_db
def test_a_call_link_longer_than_the_column_is_refused_next_to_the_field(login, alice, planned):
    url = reverse(
        "rituals:gathering_edit",
        kwargs={"movement_slug": "tidewater", "gathering_id": planned[0].pk},
    )
    response = login(alice).post(
        url,
        {
            "starts_at": "2026-12-05T18:00",
            "ends_at": "2026-12-05T20:00",
            "call_link": "https://meet.example.org/" + "x" * 200,
        },
    )
    assert response.status_code == 200
    assert "call_link" in response.context["form"].errors


@pytest.mark.parametrize("item", ["abc", "", "-1"])
@pytest.mark.django_db
def test_a_bad_item_value_gets_a_message_not_a_500(login, fay, planned, item):
    facilitation.start_gathering(by=fay, gathering=planned[0])
    url = reverse(
        "rituals:facilitate_action",
        kwargs={
            "movement_slug": "tidewater",
            "gathering_id": planned[0].pk,
            "action": "start_item",
        },
    )
    response = login(fay).post(url, {"item": item}, follow=True)
    assert response.status_code == 200
    assert "Pick an agenda item." in response.content.decode()


@pytest.mark.django_db
def test_a_gathering_that_never_started_cannot_be_closed(login, fay, planned):
    url = reverse(
        "rituals:facilitate_action",
        kwargs={"movement_slug": "tidewater", "gathering_id": planned[0].pk, "action": "close"},
    )
    response = login(fay).post(url, follow=True)
    planned[0].refresh_from_db()
    assert planned[0].state == "scheduled"
    assert "Only a gathering that has started can be closed." in response.content.decode()


@pytest.mark.django_db
def test_moving_a_gathering_close_to_now_drops_reminders_already_past(alice, planned):
    from django.utils import timezone

    from rituals.models import Timer

    soon = timezone.now() + timedelta(hours=3)
    convergence.move_gathering(
        by=alice, gathering=planned[0], starts_at=soon, ends_at=soon + timedelta(hours=2)
    )
    live = Timer.objects.filter(target_id=planned[0].pk, cancelled_at=None, fired_at=None)
    assert not live.exists()
