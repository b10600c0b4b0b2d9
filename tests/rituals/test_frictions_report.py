"""The frictions report: across every sprint of the movement, frictions counted by category
and month (in the movement's zone) as a chart and a table with the same numbers, the
entries behind each count, and the pools and tools most involved.

Street Medics (cora convenes) and Tenants Union (mo convenes) forge together; Tidewater
counts its months in Paris.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rituals import selectors
from rituals.models import SprintLogEntry
from tests.factories import (
    CircleFactory,
    CircleMembershipFactory,
    PoolFactory,
    SprintFactory,
    SprintLogEntryFactory,
)

Kind = SprintLogEntry.Kind
Category = SprintLogEntry.Category


@pytest.fixture
def paris(tidewater):
    tidewater.time_zone = "Europe/Paris"
    tidewater.save(update_fields=["time_zone"])
    return tidewater


@pytest.fixture
def sprint(paris, fay, medics, cora, tenants, mo):
    return SprintFactory(by=fay, conveners={medics: cora, tenants: mo})


def logged(sprint, circle, at, **fields):
    return SprintLogEntryFactory(sprint=sprint, circle=circle, created_at=at, **fields)


def report_url(slug="tidewater"):
    return reverse("rituals:frictions", kwargs={"movement_slug": slug})


def month_of(moment, zone):
    local = moment.astimezone(zone)
    return local.date().replace(day=1)


# --- the counts --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_frictions_are_counted_by_month_in_the_movements_zone(sprint, medics, paris):
    # 23:30 UTC on 31 October is already 1 November in Paris.
    logged(sprint, medics, datetime(2026, 10, 31, 23, 30, tzinfo=UTC))
    logged(sprint, medics, datetime(2026, 10, 31, 22, 30, tzinfo=UTC), category=Category.ROLES)
    months, counts = selectors.friction_counts(paris, now=datetime(2026, 11, 15, 12, tzinfo=UTC))
    assert months == [datetime(2026, 10, 1).date(), datetime(2026, 11, 1).date()]
    assert counts == {
        (months[0], Category.ROLES): 1,
        (months[1], Category.TEMPO): 1,
    }


@pytest.mark.django_db
def test_breakthroughs_and_other_movements_are_not_counted(sprint, medics, paris, elsewhere, otto):
    now = timezone.now()
    logged(sprint, medics, now, kind=Kind.BREAKTHROUGH)
    pantry = CircleFactory(movement=elsewhere, name="Night Pantry")
    clinic = CircleFactory(movement=elsewhere, name="Rent Clinic")
    for circle in (pantry, clinic):
        CircleMembershipFactory(circle=circle, member=otto, is_convener=True)
    theirs = SprintFactory(by=otto, conveners={pantry: otto, clinic: otto})
    logged(theirs, pantry, now)
    assert selectors.friction_counts(paris) == ([], {})


@pytest.mark.django_db
def test_the_months_run_from_the_first_friction_to_now_within_two_years(sprint, medics, paris):
    now = datetime(2026, 11, 15, 12, tzinfo=UTC)
    logged(sprint, medics, datetime(2024, 5, 10, tzinfo=UTC))  # too old for the report
    logged(sprint, medics, datetime(2025, 12, 10, tzinfo=UTC))
    months, counts = selectors.friction_counts(paris, now=now)
    assert (months[0], months[-1], len(months)) == (
        datetime(2025, 12, 1).date(),
        datetime(2026, 11, 1).date(),
        12,
    )
    months, counts = selectors.friction_counts(paris, now=now, months=36)
    assert months[0] == datetime(2024, 5, 1).date()


@pytest.mark.django_db
def test_the_pools_and_tools_most_involved(sprint, medics, paris):
    now = timezone.now()
    pools = [PoolFactory(movement=paris, name=f"Pool {letter}") for letter in "ABCDEF"]
    for times, pool in zip((5, 4, 3, 2, 1, 1), pools, strict=True):
        for _ in range(times):
            logged(sprint, medics, now, pool=pool)
    logged(sprint, medics, now, pool=pools[5], kind=Kind.BREAKTHROUGH)
    for tool, times in (("Signal", 2), ("signal", 1), ("Etherpad", 2), ("Zoom", 1)):
        for _ in range(times):
            logged(sprint, medics, now, tool=tool)
    assert [(row["pool__name"], row["count"]) for row in selectors.pools_most_involved(paris)] == [
        ("Pool A", 5),
        ("Pool B", 4),
        ("Pool C", 3),
        ("Pool D", 2),
        ("Pool E", 1),
    ]
    assert [(row["tool"], row["count"]) for row in selectors.tools_most_involved(paris)] == [
        ("Signal", 3),
        ("Etherpad", 2),
        ("Zoom", 1),
    ]


# --- the page ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_chart_and_the_table_show_the_same_numbers(login, sprint, medics, tenants, alice):
    now = timezone.now()
    for _ in range(3):
        logged(sprint, medics, now, category=Category.COMMONS_ACCESS)
    logged(sprint, tenants, now, category=Category.LANGUAGE)
    page = login(alice).get(report_url()).content.decode()
    month = month_of(now, sprint.movement.zone)
    label = f"{month:%B %Y}"
    assert f"<title>{label}, commons access: 3</title>" in page
    assert f"<title>{label}, language and jargon: 1</title>" in page
    row = page.split(f'<th scope="row">{label}</th>')[1].split("</tr>")[0]
    assert (
        f'Commons access: <a href="?category=commons_access&amp;month={month:%Y-%m}#entries">3</a>'
        in row
    )
    assert (
        f'Language and jargon: <a href="?category=language&amp;month={month:%Y-%m}#entries">1</a>'
        in row
    )
    assert f'<a href="?month={month:%Y-%m}#entries">4 in all</a>' in row
    assert "Tempo" not in row  # none counted: no zero to read past


@pytest.mark.django_db
def test_a_movement_without_frictions_says_so(login, alice):
    page = login(alice).get(report_url()).content.decode()
    assert "No friction logged in the last two years." in page
    assert "<svg viewBox" not in page


@pytest.mark.django_db
def test_the_entries_behind_a_count(login, sprint, medics, alice):
    now = timezone.now()
    last_month = now - timedelta(days=40)
    logged(sprint, medics, now, category=Category.TEMPO, text="Replies took a day.")
    logged(sprint, medics, now, category=Category.ROLES, text="Nobody knew who decides.")
    logged(sprint, medics, last_month, category=Category.TEMPO, text="A week of silence.")
    logged(sprint, medics, now, kind=Kind.BREAKTHROUGH, category=Category.TEMPO, text="Fast!")
    month = month_of(now, sprint.movement.zone)
    client = login(alice)

    page = client.get(report_url(), {"category": "tempo", "month": f"{month:%Y-%m}"})
    body = page.content.decode().split('id="entries"')[1]
    assert "Replies took a day." in body
    assert "Nobody knew who decides." not in body  # another category
    assert "A week of silence." not in body  # another month
    assert "Fast!" not in body  # a breakthrough, not a friction

    body = client.get(report_url(), {"category": "tempo"}).content.decode()
    assert "A week of silence." in body.split('id="entries"')[1]


@pytest.mark.django_db
def test_the_entries_come_alone_for_htmx(login, sprint, medics, alice):
    logged(sprint, medics, timezone.now(), text="Replies took a day.")
    response = login(alice).get(report_url(), {"category": "tempo"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="entries"')
    assert "Replies took a day." in body and "<h1>" not in body


@pytest.mark.django_db
def test_the_entries_are_paged_newest_first(login, sprint, medics, alice):
    start = timezone.now() - timedelta(hours=2)
    for number in range(30):
        logged(sprint, medics, start + timedelta(minutes=number), text=f"Friction {number:02d}.")
    client = login(alice)
    first = client.get(report_url(), {"category": "tempo"}).content.decode()
    assert "Friction 29." in first and "Friction 05." in first and "Friction 04." not in first
    older = first.split("category=tempo&amp;older=")[1].split('"')[0]
    second = client.get(report_url(), {"category": "tempo", "older": older}).content.decode()
    assert "Friction 04." in second and "Friction 05." not in second


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"category": "vibes"}, "Unknown category: pick one of commons access, "),
        ({"month": "November"}, "Give the month as year and month, like 2026-11."),
        ({"month": "2026-13"}, "Give the month as year and month, like 2026-11."),
    ],
)
def test_a_bad_filter_is_refused_in_words(login, sprint, medics, alice, query, message):
    logged(sprint, medics, timezone.now(), text="Replies took a day.")
    page = login(alice).get(report_url(), query)
    assert page.status_code == 200
    body = page.content.decode()
    assert message in body
    assert "Replies took a day." in body  # the filter is left out, not the entries


# --- a fixed number of queries -------------------------------------------------------------


def fill(sprint, circles, pools, size):
    """``size`` frictions spread over two years, every category, pools and tools."""
    now = timezone.now()
    categories = list(Category)
    for number in range(size):
        SprintLogEntryFactory(
            sprint=sprint,
            circle=circles[number % len(circles)],
            created_at=now - timedelta(days=number * 700 // max(size, 1)),
            category=categories[number % len(categories)],
            pool=pools[number % len(pools)] if number % 3 else None,
            tool=f"Tool {number % 9}" if number % 2 else "",
            kind=Kind.FRICTION if number % 5 else Kind.BREAKTHROUGH,
        )


def count(client, path, query):
    client.get(path, query)  # the session settles on the first visit
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, query).status_code == 200
    return len(queries)


QUERIES = [{}, {"category": "tempo"}, {"category": "roles", "month": "2026-01"}]


@pytest.mark.django_db
def test_the_report_runs_a_fixed_number_of_queries(
    login, sprint, medics, tenants, alice, otto, elsewhere, django_assert_num_queries
):
    fill(sprint, [medics, tenants], [PoolFactory(movement=sprint.movement)], 6)
    small = [count(login(alice), report_url(), query) for query in QUERIES]

    pantry = CircleFactory(movement=elsewhere, name="Night Pantry")
    clinic = CircleFactory(movement=elsewhere, name="Rent Clinic")
    for circle in (pantry, clinic):
        CircleMembershipFactory(circle=circle, member=otto, is_convener=True)
    theirs = SprintFactory(by=otto, conveners={pantry: otto, clinic: otto})
    fill(theirs, [pantry, clinic], [PoolFactory(movement=elsewhere) for _ in range(12)], 600)
    client = login(otto)
    for query, expected in zip(QUERIES, small, strict=True):
        client.get(report_url("elsewhere"), query)
        with django_assert_num_queries(expected):
            client.get(report_url("elsewhere"), query)
    assert max(small) <= 10
