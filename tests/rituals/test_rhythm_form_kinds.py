"""The rhythm form shows each kind's fields in a fieldset of its own, reads only the chosen
kind's, and opens again as it was saved."""

import re
from datetime import time, timedelta

import pytest
from django.urls import reverse

from rituals.models import Gathering, Rhythm
from rituals.services import convergence
from tests.bad_input import assert_field_error

pytestmark = pytest.mark.django_db

URL = reverse("rituals:rhythm", kwargs={"movement_slug": "tidewater"})
EVERY_RHYTHM = {
    "time_zone": "Europe/Paris",
    "local_time": "18:00",
    "duration_minutes": "120",
    "report_days_before": "3",
}


def fieldset(html, legend):
    """The fieldset whose legend is ``legend``, as its opening tag and what follows it."""
    match = re.search(rf"<fieldset([^>]*)>\s*<legend>{re.escape(legend)}</legend>", html)
    assert match, f"no fieldset for {legend!r}"
    return match.group(1), html[match.end() :]


def test_without_javascript_every_kind_has_its_labelled_fieldset(login, alice):
    html = login(alice).get(URL).content.decode()
    for legend, kind, field in [
        ("For a monthly rhythm", "monthly", 'name="weekday"'),
        ("For a lunar rhythm", "lunar", 'name="moon_phase"'),
        ("For a custom rhythm", "custom", 'name="repeat"'),
    ]:
        attributes, after = fieldset(html, legend)
        # Shown to begin with; rhythm.js hides it unless its kind is chosen.
        assert f'data-shown-when="kind={kind}"' in attributes
        assert "hidden" not in attributes
        assert field in after.split("</fieldset>")[0]


def test_the_script_that_shows_the_chosen_kind_is_a_deferred_file(login, alice):
    html = login(alice).get(URL).content.decode()
    head = html.split("</head>")[0]
    assert re.search(r'<script src="[^"]*js/rhythm\.js" defer></script>', head)
    body = html.split("<body", 1)[1]
    assert "<script" not in body  # CSP: no inline script
    assert " onchange=" not in body and " onclick=" not in body


def test_no_kind_is_chosen_for_a_movement_without_a_rhythm(login, alice):
    html = login(alice).get(URL).content.decode()
    radios = re.findall(r'<input type="radio" name="(?:kind|repeat|moon_phase)"[^>]*>', html)
    assert len(radios) == 8
    assert not [radio for radio in radios if "checked" in radio]


def test_the_fields_of_other_kinds_are_ignored(login, alice):
    response = login(alice).post(
        URL,
        {
            **EVERY_RHYTHM,
            "kind": "lunar",
            "moon_phase": "full",
            # Left over from another kind, even nonsense: read by no one.
            "week": "٣",
            "weekday": "9" * 30,
            "repeat": "sometimes",
            "every_weeks": "-1",
            "rrule": "garbage",
        },
    )
    assert response.status_code == 302
    rhythm = Rhythm.objects.get(movement=alice.movement)
    assert (rhythm.kind, rhythm.moon_phase) == ("lunar", "full")
    assert (rhythm.week, rhythm.weekday, rhythm.rrule) == (None, None, "")


def test_the_chosen_kind_is_still_checked(login, alice):
    response = login(alice).post(URL, {**EVERY_RHYTHM, "kind": "monthly", "week": "zz"})
    assert_field_error(
        response, "week", "Select a valid choice. zz is not one of the available choices."
    )
    assert not Gathering.objects.exists()


def test_a_lunar_rhythm_asks_for_its_moon(login, alice):
    response = login(alice).post(URL, {**EVERY_RHYTHM, "kind": "lunar"})
    assert_field_error(response, "moon_phase", "Pick the new moon or the full moon.")


def test_a_custom_rhythm_asks_how_it_repeats(login, alice):
    response = login(alice).post(URL, {**EVERY_RHYTHM, "kind": "custom"})
    assert_field_error(response, "repeat", "Pick how the rhythm repeats, or write a rule below.")


def test_a_rhythm_must_be_chosen(login, alice):
    response = login(alice).post(URL, EVERY_RHYTHM)
    assert_field_error(response, "kind", "Pick a rhythm.")


def set_custom(alice, rule):
    convergence.set_rhythm(
        by=alice, kind="custom", rrule=rule, local_time=time(18), duration=timedelta(hours=2)
    )


def test_a_rule_made_of_plain_choices_opens_as_those_choices(login, alice):
    set_custom(alice, "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA")
    form = login(alice).get(URL).context["form"]
    html = form.as_div()
    assert re.search(r'value="custom"[^>]*checked', html)
    assert re.search(r'value="weeks"[^>]*checked', html)
    assert form["every_weeks"].value() == 2
    assert form["on_weekday"].value() == 5
    assert not form["rrule"].value()


def test_a_season_rule_opens_as_its_choices(login, alice):
    set_custom(alice, "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYDAY=1SU")
    form = login(alice).get(URL).context["form"]
    values = {name: form[name].value() for name in form.MONTHS_FIELDS}
    assert form["repeat"].value() == "months"
    assert values == {"nth_week": 1, "nth_weekday": 6, "every_months": 3, "first_month": 3}


def test_a_rule_written_out_opens_in_the_advanced_part(login, alice):
    set_custom(alice, "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1")
    form = login(alice).get(URL).content.decode().split('id="main"')[1]
    details = form.split("<details", 1)[1].split("</details>")[0]
    assert details.startswith(" open>")
    assert 'value="FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"' in details
