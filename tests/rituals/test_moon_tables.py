"""Lunar gatherings against a published moon-phase table for the next 24 months.

The table (tests/rituals/data/moon_phases_2026_2028.csv) is USNO data transcribed as
published, not computed: its header names the source. For every new and full moon from
December 2026 to November 2028, the lunar rhythm must plan exactly one gathering whose
local date is within one day of the published UTC date, and no gathering in that window
that matches no published event.
"""

import csv
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from rituals.models import Rhythm
from rituals.recurrence import occurrences

TABLE = Path(__file__).parent / "data" / "moon_phases_2026_2028.csv"
AFTER = datetime(2026, 11, 25, tzinfo=ZoneInfo("UTC"))
WINDOW = (date(2026, 12, 1), date(2028, 11, 30))
ONE_DAY = timedelta(days=1)


def published(phase):
    """The published UTC dates of ``phase`` ("new" or "full") moons, in order."""
    with TABLE.open(encoding="utf-8") as table:
        rows = csv.DictReader(line for line in table if not line.startswith("#"))
        moments = [
            datetime.fromisoformat(row["utc_datetime"]) for row in rows if row["phase"] == phase
        ]
    assert moments == sorted(moments)
    return [moment.date() for moment in moments]


def gathering_dates(phase, zone, count):
    rhythm = Rhythm(
        kind="lunar", moon_phase=phase, local_time=time(18), duration=timedelta(hours=2)
    )
    return [
        moment.astimezone(zone).date()
        for moment in occurrences(rhythm, after=AFTER, count=count, zone=zone)
    ]


def test_the_table_covers_24_months_of_new_and_full_moons():
    new, full = published("new"), published("full")
    assert (len(new), len(full)) == (25, 24)
    for dates in (new, full):
        assert WINDOW[0] <= dates[0] and dates[-1] <= WINDOW[1]
        gaps = [later - earlier for earlier, later in pairwise(dates)]
        assert all(timedelta(days=29) <= gap <= timedelta(days=30) for gap in gaps)
    months = {(d.year, d.month) for d in new + full}
    assert len(months) == 24


@pytest.mark.parametrize("phase", ["new", "full"])
@pytest.mark.parametrize("zone_name", ["UTC", "Pacific/Auckland"])
def test_lunar_gatherings_match_the_published_table(phase, zone_name):
    zone = ZoneInfo(zone_name)
    events = published(phase)
    computed = gathering_dates(phase, zone, count=len(events) + 3)
    # The rhythm was asked for enough gatherings to run past the end of the table.
    assert computed[-1] > events[-1] + ONE_DAY

    # Every gathering whose local date could belong to a published event of the window.
    in_window = [d for d in computed if events[0] - ONE_DAY <= d <= events[-1] + ONE_DAY]
    assert len(in_window) == len(events), (
        f"{len(in_window)} {phase}-moon gatherings in {zone_name} for {len(events)} "
        f"published events: {in_window} vs {events}"
    )
    off = [
        (event.isoformat(), gathering.isoformat())
        for event, gathering in zip(events, in_window, strict=True)
        if abs(gathering - event) > ONE_DAY
    ]
    assert off == [], f"{phase} moons in {zone_name} more than a day from the table: {off}"


def test_auckland_gathers_a_day_after_utc_when_the_moon_turns_in_the_utc_afternoon():
    # New moon 2027-02-06 15:56 UTC is already 7 February (05:56 NZDT) in Auckland.
    utc = gathering_dates("new", ZoneInfo("UTC"), count=3)
    auckland = gathering_dates("new", ZoneInfo("Pacific/Auckland"), count=3)
    assert date(2027, 2, 6) in utc
    assert date(2027, 2, 7) in auckland
    assert all(a - u in (timedelta(0), ONE_DAY) for u, a in zip(utc, auckland, strict=True))
