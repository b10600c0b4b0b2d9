"""A short, ordered time-zone list: current names only, the common ones first, then region
by region; old names and unknown ones refused in words, next to the field."""

import re
import zoneinfo

import pytest
from django import forms
from django.urls import reverse

from movement import zones
from movement.fields import TimeZoneField
from rituals.models import Rhythm
from tests.bad_input import assert_field_error

OLD_NAMES = ["Africa/Asmera", "US/Eastern", "Asia/Calcutta", "Europe/Kiev", "GMT", "Etc/UTC"]


class ZoneForm(forms.Form):
    time_zone = TimeZoneField()


def cleaned(text):
    form = ZoneForm({"time_zone": text})
    return form.cleaned_data["time_zone"] if form.is_valid() else form.errors["time_zone"]


def test_old_names_are_not_offered():
    offered = set(zones.ordered())
    assert offered.isdisjoint(OLD_NAMES)
    assert {"Africa/Asmara", "Asia/Kolkata", "Europe/Kyiv", "UTC"} <= offered
    # About 420 of the ~600 names the zone database knows.
    assert 350 < len(offered) < 0.8 * len(zoneinfo.available_timezones())


def test_each_zone_is_offered_once_and_loads():
    offered = zones.ordered()
    assert len(offered) == len(set(offered))
    for zone in offered:
        zoneinfo.ZoneInfo(zone)


def test_the_common_zones_come_first_then_each_region_in_order():
    offered = zones.ordered()
    common = offered[: len(zones.COMMON)]
    assert common == zones.COMMON
    assert {"Europe/Paris", "America/Sao_Paulo", "Africa/Lagos", "Asia/Tokyo", "UTC"} <= set(common)
    rest = offered[len(zones.COMMON) :]
    regions = list(zones.REGIONS)
    assert [regions.index(zones.region_of(zone)) for zone in rest] == sorted(
        regions.index(zones.region_of(zone)) for zone in rest
    )
    for region in regions:
        names = [zone for zone in rest if zones.region_of(zone) == region]
        assert names == sorted(names)


def test_the_groups_are_named_for_a_select():
    labels = [str(label) for label, _zones in zones.grouped()]
    assert labels[0] == "Common"
    assert {"Africa", "Americas", "Asia", "Europe", "Pacific Ocean"} <= set(labels)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Paris", "Europe/Paris"),
        (" europe/paris ", "Europe/Paris"),
        ("America/New York", "America/New_York"),
        ("Lagos", "Africa/Lagos"),
        ("buenos aires", "America/Argentina/Buenos_Aires"),
        ("utc", "UTC"),
    ],
)
def test_a_typed_zone_is_read_kindly(typed, zone):
    assert cleaned(typed) == zone


@pytest.mark.parametrize(
    ("old", "current"),
    [
        ("US/Eastern", "America/New_York"),
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("Europe/Kiev", "Europe/Kyiv"),
        ("Africa/Asmera", "Africa/Asmara"),
        ("Etc/UTC", "UTC"),
    ],
)
def test_an_old_name_is_refused_with_the_current_one(old, current):
    assert cleaned(old) == [f"{old} is an old name for a time zone; pick {current} instead."]


@pytest.mark.parametrize(
    "typed",
    ["Mars/Olympus", "../../etc/passwd", "Europe", "GMT", "Etc/GMT+5", "ヨーロッパ/パリ", "9" * 30],
)
def test_an_unknown_zone_is_refused_in_words(typed):
    assert cleaned(typed) == ["Pick a time zone such as Europe/Paris."]


def test_hostile_input_is_refused_by_the_field():
    assert cleaned("Europe/Paris\x00") == ["Null characters are not allowed."]
    assert cleaned("x" * 10_000) == ["Ensure this value has at most 64 characters (it has 10000)."]
    assert cleaned("") == ["This field is required."]


def test_the_widget_lists_the_zones_once_common_first():
    html = str(ZoneForm()["time_zone"])
    options = re.findall(r'<option value="([^"]+)"></option>', html)
    assert options == list(zones.ordered())
    assert '<input type="text" name="time_zone"' in html
    assert 'list="id_time_zone-options"' in html


@pytest.mark.django_db
def test_the_rhythm_form_refuses_an_old_name_next_to_the_field(login, alice):
    response = login(alice).post(
        reverse("rituals:rhythm", kwargs={"movement_slug": "tidewater"}),
        {
            "time_zone": "US/Eastern",
            "kind": "seasonal",
            "local_time": "18:00",
            "duration_minutes": "120",
            "report_days_before": "3",
        },
    )
    assert_field_error(
        response,
        "time_zone",
        "US/Eastern is an old name for a time zone; pick America/New_York instead.",
    )
    assert not Rhythm.objects.exists()


@pytest.mark.django_db
def test_the_rhythm_form_stores_the_zone_as_it_is_spelled(login, alice):
    response = login(alice).post(
        reverse("rituals:rhythm", kwargs={"movement_slug": "tidewater"}),
        {
            "time_zone": "sao paulo",
            "kind": "seasonal",
            "local_time": "18:00",
            "duration_minutes": "120",
            "report_days_before": "3",
        },
    )
    assert response.status_code == 302
    alice.movement.refresh_from_db()
    assert alice.movement.time_zone == "America/Sao_Paulo"
