"""Rhythms: monthly, seasonal, lunar and custom; daylight saving; bad rules."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from rituals.models import CircleReport, Gathering, Rhythm, Rsvp
from rituals.recurrence import occurrences
from rituals.services import convergence

PARIS = ZoneInfo("Europe/Paris")
NOV_24 = datetime(2026, 11, 24, 12, tzinfo=PARIS)


def rhythm(**kwargs):
    return Rhythm(local_time=time(18), duration=timedelta(hours=2), **kwargs)


def test_monthly_first_saturday_at_six():
    dates = occurrences(
        rhythm(kind="monthly", week=1, weekday=5), after=NOV_24, count=3, zone=PARIS
    )
    assert [d.isoformat() for d in dates] == [
        "2026-12-05T18:00:00+01:00",
        "2027-01-02T18:00:00+01:00",
        "2027-02-06T18:00:00+01:00",
    ]


def test_last_friday_of_the_month():
    dates = occurrences(
        rhythm(kind="monthly", week=-1, weekday=4), after=NOV_24, count=2, zone=PARIS
    )
    assert [d.date().isoformat() for d in dates] == ["2026-11-27", "2026-12-25"]


def test_wall_clock_time_survives_daylight_saving():
    # Paris moves its clocks on 28 March and 31 October 2027.
    dates = occurrences(
        rhythm(kind="monthly", week=1, weekday=5),
        after=datetime(2027, 2, 10, tzinfo=PARIS),
        count=9,
        zone=PARIS,
    )
    assert {d.astimezone(PARIS).hour for d in dates} == {18}
    offsets = [d.utcoffset() for d in dates]
    assert offsets[0] == timedelta(hours=1)  # 6 March, winter time
    assert offsets[1] == timedelta(hours=2)  # 3 April, summer time
    assert offsets[-1] == timedelta(hours=1)  # 6 November, winter again


def test_seasons_are_the_solstices_and_equinoxes():
    dates = occurrences(rhythm(kind="seasonal"), after=NOV_24, count=4, zone=PARIS)
    assert [d.date().isoformat() for d in dates] == [
        "2026-12-21",
        "2027-03-20",
        "2027-06-21",
        "2027-09-23",
    ]


def test_full_moon_gatherings_fall_on_the_full_moon():
    dates = occurrences(rhythm(kind="lunar", moon_phase="full"), after=NOV_24, count=2, zone=PARIS)
    # 24 November 2026 (14:53 UTC) and 24 December 2026 (01:28 UTC).
    assert [d.date().isoformat() for d in dates] == ["2026-11-24", "2026-12-24"]


def test_custom_rule_every_six_weeks():
    dates = occurrences(
        rhythm(kind="custom", rrule="FREQ=WEEKLY;INTERVAL=6;BYDAY=SA"),
        after=NOV_24,
        count=3,
        zone=PARIS,
    )
    assert [d.date().isoformat() for d in dates] == ["2026-11-28", "2027-01-09", "2027-02-20"]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=31", "yields no gathering"),
        ("FREQ=HOURLY", "at most daily"),
        ("FREQ=SOMETIMES", "FREQ is DAILY, WEEKLY, MONTHLY or YEARLY"),
        ("", "Write a rule"),
        ("FREQ=DAILY;UNTIL=20200101T000000", "yields no gathering"),
    ],
)
@pytest.mark.django_db
def test_bad_rules_get_a_clear_message(alice, rule, message):
    with pytest.raises(ValidationError) as error:
        convergence.set_rhythm(
            by=alice, kind="custom", rrule=rule, local_time=time(18), duration=timedelta(hours=2)
        )
    assert message in " ".join(error.value.message_dict["rrule"])


@pytest.mark.django_db
def test_setting_the_rhythm_plans_the_next_three_gatherings(alice):
    convergence.set_rhythm(
        by=alice,
        kind="monthly",
        week=1,
        weekday=5,
        local_time=time(18),
        duration=timedelta(hours=2),
        time_zone="Europe/Paris",
        now=NOV_24,
    )
    gatherings = list(Gathering.objects.order_by("starts_at"))
    assert [g.cycle.number for g in gatherings] == [1, 2, 3]
    assert gatherings[0].starts_at == datetime(2026, 12, 5, 18, tzinfo=PARIS)
    assert gatherings[0].ends_at - gatherings[0].starts_at == timedelta(hours=2)


@pytest.mark.django_db
def test_scheduling_is_idempotent_and_keeps_counting(alice):
    convergence.set_rhythm(
        by=alice,
        kind="lunar",
        moon_phase="new",
        local_time=time(19),
        duration=timedelta(hours=2),
        now=NOV_24,
    )
    assert convergence.schedule_ahead(movement=alice.movement, now=NOV_24) == []
    later = NOV_24 + timedelta(days=40)
    new = convergence.schedule_ahead(movement=alice.movement, now=later)
    assert [g.cycle.number for g in new] == [4]


@pytest.mark.django_db
def test_changing_the_rhythm_replans_only_unheld_gatherings(alice):
    convergence.set_rhythm(
        by=alice,
        kind="monthly",
        week=1,
        weekday=5,
        local_time=time(18),
        duration=timedelta(hours=2),
        now=NOV_24,
    )
    first = Gathering.objects.order_by("starts_at").first()
    Gathering.objects.filter(pk=first.pk).update(state="live")
    convergence.set_rhythm(
        by=alice, kind="seasonal", local_time=time(17), duration=timedelta(hours=3), now=NOV_24
    )
    kept = Gathering.objects.order_by("starts_at")
    assert kept[0].pk == first.pk
    assert kept.count() == 3
    assert {g.starts_at.astimezone(ZoneInfo("UTC")).hour for g in kept[1:]} == {17}


@pytest.mark.django_db
def test_only_organizers_set_the_rhythm(login, mo):
    url = reverse("rituals:rhythm", kwargs={"movement_slug": "tidewater"})
    assert login(mo).get(url).status_code == 403


@pytest.mark.django_db
def test_the_form_sets_the_rhythm_and_time_zone(login, alice):
    url = reverse("rituals:rhythm", kwargs={"movement_slug": "tidewater"})
    response = login(alice).post(
        url,
        {
            "time_zone": "America/Mexico_City",
            "kind": "monthly",
            "week": "1",
            "weekday": "5",
            "local_time": "18:00",
            "duration_minutes": "120",
            "report_days_before": "3",
        },
    )
    assert response.status_code == 302
    alice.movement.refresh_from_db()
    assert alice.movement.time_zone == "America/Mexico_City"
    page = login(alice).get(reverse("rituals:convergence", kwargs={"movement_slug": "tidewater"}))
    assert "18:00" in page.content.decode()
    assert Gathering.objects.count() == 3


@pytest.mark.django_db
def test_a_monthly_rhythm_without_a_day_is_refused_next_to_the_field(login, alice):
    url = reverse("rituals:rhythm", kwargs={"movement_slug": "tidewater"})
    response = login(alice).post(
        url,
        {
            "time_zone": "UTC",
            "kind": "monthly",
            "local_time": "18:00",
            "duration_minutes": "120",
            "report_days_before": "3",
        },
    )
    assert response.status_code == 200
    assert "weekday" in response.context["form"].errors
    assert not Gathering.objects.exists()


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
def test_a_new_rhythm_keeps_gatherings_people_already_worked_on(
    alice, mo, cora, medics, gatherings
):
    convergence.submit_report(
        by=cora, gathering=gatherings[0], circle=medics, did="Staffed actions.", intention="More."
    )
    convergence.answer_gathering(by=mo, gathering=gatherings[1], answer="yes")
    convergence.set_rhythm(
        by=alice, kind="seasonal", local_time=time(17), duration=timedelta(hours=2), now=NOV_24
    )
    assert CircleReport.objects.count() == 1
    assert Rsvp.objects.count() == 1
    assert Gathering.objects.filter(pk__in=[gatherings[0].pk, gatherings[1].pk]).count() == 2
    assert not Gathering.objects.filter(pk=gatherings[2].pk).exists()


@pytest.mark.django_db
def test_one_broken_rhythm_does_not_stop_the_others(alice, otto, caplog):
    convergence.set_rhythm(
        by=otto,
        kind="lunar",
        moon_phase="full",
        local_time=time(20),
        duration=timedelta(hours=2),
        now=NOV_24,
    )
    convergence.set_rhythm(
        by=alice,
        kind="custom",
        rrule="FREQ=WEEKLY;UNTIL=20261231T000000",
        local_time=time(18),
        duration=timedelta(hours=2),
        now=NOV_24,
    )
    Rhythm.objects.filter(movement=alice.movement).update(rrule="FREQ=WEEKLY;INTERVAL=0")
    later = NOV_24 + timedelta(days=100)
    planned = convergence.schedule_all_movements(now=later)
    assert planned >= 1
    assert Gathering.objects.filter(movement=otto.movement, starts_at__gt=later).count() == 3


@pytest.mark.django_db
def test_the_time_zone_is_typed_with_the_zones_listed_once(login, alice):
    url = reverse("rituals:rhythm", kwargs={"movement_slug": "tidewater"})
    client = login(alice)
    html = client.get(url).content.decode()
    assert '<select name="time_zone"' not in html
    assert 'list="id_time_zone-options"' in html
    assert '<option value="Europe/Paris"></option>' in html
    refused = client.post(url, {"time_zone": "Mars/Olympus", "kind": "lunar"})
    assert refused.context["form"].errors["time_zone"] == ["Pick a time zone such as Europe/Paris."]
