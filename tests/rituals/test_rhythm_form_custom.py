"""Custom rhythms from plain choices ("every second Saturday", "the first Sunday of each
season"), a rule written out as the advanced way, and bad rules answered in plain words."""

import time as clock
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from movement.models import AuditEvent
from rituals.models import Gathering, Rhythm
from rituals.recurrence import (
    every_few_months_rule,
    every_few_weeks_rule,
    months_from,
    occurrences,
    parse_rrule,
    plain_choices,
)
from tests.bad_input import assert_field_error

URL = reverse("rituals:rhythm", kwargs={"movement_slug": "tidewater"})
PARIS = ZoneInfo("Europe/Paris")
CUSTOM = {
    "time_zone": "Europe/Paris",
    "kind": "custom",
    "local_time": "18:00",
    "duration_minutes": "120",
    "report_days_before": "3",
}
EVERY_SECOND_SATURDAY = {"repeat": "weeks", "every_weeks": "2", "on_weekday": "5"}
FIRST_SUNDAY_OF_EACH_SEASON = {
    "repeat": "months",
    "nth_week": "1",
    "nth_weekday": "6",
    "every_months": "3",
    "first_month": "3",
}


def planned(movement):
    return [
        g.starts_at.astimezone(PARIS)
        for g in Gathering.objects.filter(movement=movement).order_by("starts_at")
    ]


@pytest.mark.django_db
def test_every_second_saturday_at_six(login, alice):
    response = login(alice).post(URL, {**CUSTOM, **EVERY_SECOND_SATURDAY})
    assert response.status_code == 302
    assert Rhythm.objects.get().rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA"
    starts = planned(alice.movement)
    assert len(starts) == 3
    assert {(s.weekday(), s.hour, s.minute) for s in starts} == {(5, 18, 0)}
    assert [b - a for a, b in zip(starts, starts[1:], strict=False)] == [timedelta(days=14)] * 2


@pytest.mark.django_db
def test_the_first_sunday_of_each_season(login, alice):
    response = login(alice).post(URL, {**CUSTOM, **FIRST_SUNDAY_OF_EACH_SEASON})
    assert response.status_code == 302
    assert Rhythm.objects.get().rrule == "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYDAY=1SU"
    for start in planned(alice.movement):
        assert start.month in (3, 6, 9, 12)
        assert start.weekday() == 6 and start.day <= 7
        assert (start.hour, start.minute) == (18, 0)


@pytest.mark.django_db
def test_a_rule_written_out_is_used_instead_of_the_choices(login, alice):
    rule = "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"  # the last working day
    response = login(alice).post(URL, {**CUSTOM, **EVERY_SECOND_SATURDAY, "rrule": rule})
    assert response.status_code == 302
    assert Rhythm.objects.get().rrule == rule


def test_plain_choices_make_rules_and_read_them_back():
    weeks = every_few_weeks_rule(weeks=6, weekday=5)
    assert weeks == "FREQ=WEEKLY;INTERVAL=6;BYDAY=SA"
    assert plain_choices(weeks) == {"repeat": "weeks", "every_weeks": 6, "on_weekday": 5}
    months = every_few_months_rule(week=-1, weekday=4, months=4, first_month=2)
    assert months == "FREQ=MONTHLY;BYMONTH=2,6,10;BYDAY=-1FR"
    assert plain_choices(months) == {
        "repeat": "months",
        "nth_week": -1,
        "nth_weekday": 4,
        "every_months": 4,
        "first_month": 2,
    }
    assert every_few_months_rule(week=2, weekday=0, months=1, first_month=1) == (
        "FREQ=MONTHLY;BYDAY=2MO"
    )
    assert months_from(11, 6) == [5, 11]


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        "FREQ=MONTHLY;BYMONTH=1,2,9;BYDAY=3TU",  # not "every N months from M"
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA,SU",
        "FREQ=DAILY",
    ],
)
def test_other_rules_are_shown_as_they_are_written(rule):
    assert plain_choices(rule) is None


# Bad rules: the page comes back with the message next to the rule, in words a person
# reads, never Python's ("not enough values to unpack"), and nothing is written.
BAD_RULES = [
    pytest.param("FREQ", "Each part of a rule is a name, “=” and a value", id="no-value"),
    pytest.param("FREQ=WEEKLY;BYDAY=XX", "Write days as MO, TU, WE, TH, FR, SA or SU", id="day"),
    pytest.param("garbage", "Each part of a rule is a name, “=” and a value", id="garbage"),
    pytest.param("FREQ=SOMETIMES", "FREQ is DAILY, WEEKLY, MONTHLY or YEARLY.", id="freq"),
    pytest.param("BYDAY=SA", "Start with how often", id="no-freq"),
    pytest.param("FREQ=WEEKLY;FOO=1", "A rule can use FREQ, INTERVAL, BYDAY", id="unknown-part"),
    pytest.param("FREQ=WEEKLY;INTERVAL=x", "INTERVAL must be between 1 and 60.", id="interval"),
    pytest.param("FREQ=WEEKLY;COUNT=3", "use UNTIL to end it on a day", id="count"),
    pytest.param("FREQ=DAILY;BYHOUR=18", "Leave the time out of the rule", id="time"),
    pytest.param("FREQ=MONTHLY;BYDAY=99SA", "numbered days run from 1 to 5", id="ordinal"),
    pytest.param("FREQ=MONTHLY;BYMONTHDAY=40", "BYMONTHDAY takes numbers from 1 to 31", id="40th"),
    pytest.param("FREQ=WEEKLY;UNTIL=garbage", "Write UNTIL as a date", id="until"),
    pytest.param("FREQ=WEEKLY\nRRULE:FREQ=DAILY", "Write one rule on one line", id="two-lines"),
    pytest.param(
        "FREQ=DAILY;UNTIL=20200101T000000", "This rule yields no gathering", id="no-future-date"
    ),
    pytest.param(
        "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=-31", "This rule yields no gathering", id="april-31"
    ),
    pytest.param(
        "FREQ=WEEKLY;" + "BYDAY=SA;" * 110,
        "Ensure this value has at most 500 characters (it has 1002).",
        id="1000-characters",
    ),
]


@pytest.mark.parametrize(("rule", "message"), BAD_RULES)
@pytest.mark.django_db
def test_a_bad_rule_is_refused_in_plain_words_next_to_it(login, alice, rule, message):
    response = login(alice).post(URL, {**CUSTOM, "rrule": rule})
    errors = response.context["form"].errors.get("rrule", [])
    assert len(errors) == 1 and message in errors[0], errors
    assert_field_error(response, "rrule", errors[0])
    assert "unpack" not in errors[0] and "invalid '" not in errors[0]
    assert not Rhythm.objects.exists() and not Gathering.objects.exists()
    assert not AuditEvent.objects.filter(verb="rhythm.set").exists()
    # The advanced part opens by itself, so the message is seen.
    assert "<details open>" in response.content.decode()


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;BYSETPOS=2",
        "FREQ=WEEKLY;BYDAY=MO;BYSETPOS=2",
        "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6",
        "FREQ=YEARLY;BYYEARDAY=366;BYMONTH=1",
        "FREQ=DAILY;BYWEEKNO=53;BYMONTH=6",
        "FREQ=DAILY;BYMONTHDAY=-31;BYMONTH=2",
    ],
)
def test_rules_that_ask_for_days_that_never_come_are_refused_at_once(rule):
    # dateutil would look for them day by day up to the year 9999: seconds of work.
    started = clock.monotonic()
    with pytest.raises(ValidationError) as error:
        parse_rrule(rule, start=datetime(2026, 11, 24, 12))
    assert clock.monotonic() - started < 1
    assert "rrule" in error.value.message_dict


def test_a_rule_stored_before_the_parts_were_limited_still_plans_gatherings():
    # BYHOUR was accepted once: the rhythm's own time wins, as it always did.
    stored = Rhythm(
        kind="custom",
        rrule="FREQ=WEEKLY;BYDAY=SA;BYHOUR=10",
        local_time=time(18),
        duration=timedelta(hours=2),
    )
    dates = occurrences(stored, after=datetime(2026, 11, 24, 12, tzinfo=PARIS), count=2, zone=PARIS)
    assert [d.isoformat() for d in dates] == [
        "2026-11-28T18:00:00+01:00",
        "2026-12-05T18:00:00+01:00",
    ]
