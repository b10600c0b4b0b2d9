"""Before saving, an organizer previews the next three gatherings of the rhythm as filled
in: in the zone chosen, named once; nothing is saved, and the form still saves after."""

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, time_format

from movement.models import AuditEvent, Movement, Submission
from rituals.models import Gathering, Rhythm
from tests.bad_input import assert_field_error

pytestmark = pytest.mark.django_db

URL = reverse("rituals:rhythm", kwargs={"movement_slug": "tidewater"})
MEXICO_CITY = ZoneInfo("America/Mexico_City")
EVERY_SECOND_SATURDAY = {
    "time_zone": "America/Mexico_City",
    "kind": "custom",
    "repeat": "weeks",
    "every_weeks": "2",
    "on_weekday": "5",
    "local_time": "18:00",
    "duration_minutes": "120",
    "report_days_before": "3",
}
PREVIEW = {"preview": "1"}


def previewed(response):
    """The moments listed in the preview, as the page states them (``<time datetime>``)."""
    region = response.content.decode().split('id="rhythm-preview"')[1].split("</section>")[0]
    return [datetime.fromisoformat(value) for value in re.findall(r'datetime="([^"]+)"', region)]


def nothing_written(movement):
    movement.refresh_from_db()
    return (
        movement.time_zone != "America/Mexico_City"
        and not Rhythm.objects.exists()
        and not Gathering.objects.exists()
        and not AuditEvent.objects.filter(verb="rhythm.set").exists()
    )


def test_the_preview_lists_the_next_three_dates_and_saves_nothing(login, alice):
    before = timezone.now()
    response = login(alice).post(URL, {**EVERY_SECOND_SATURDAY, **PREVIEW})
    assert response.status_code == 200
    moments = previewed(response)
    assert len(moments) == 3
    assert before < moments[0] <= before + timedelta(days=7)
    local = [moment.astimezone(MEXICO_CITY) for moment in moments]
    assert {(m.weekday(), m.hour, m.minute) for m in local} == {(5, 18, 0)}
    assert [b - a for a, b in zip(moments, moments[1:], strict=False)] == [timedelta(days=14)] * 2
    assert nothing_written(alice.movement)


def test_the_dates_are_in_words_and_the_zone_is_named_once(login, alice):
    response = login(alice).post(URL, {**EVERY_SECOND_SATURDAY, **PREVIEW})
    region = response.content.decode().split('id="rhythm-preview"')[1].split("</section>")[0]
    assert region.count("America/Mexico_City") == 1
    first = previewed(response)[0].astimezone(MEXICO_CITY)
    # Django's date formats for the language, e.g. "Saturday, 5 December 2026, 18:00".
    words = f"Saturday, {date_format(first, 'DATE_FORMAT')}, {time_format(first, 'TIME_FORMAT')}"
    assert f">{words}</time>" in region


def test_the_form_comes_back_filled_in_after_a_preview(login, alice):
    response = login(alice).post(URL, {**EVERY_SECOND_SATURDAY, **PREVIEW})
    form = response.context["form"]
    assert form["time_zone"].value() == "America/Mexico_City"
    assert form["every_weeks"].value() == "2"


def test_a_preview_of_a_bad_form_shows_the_errors_and_no_dates(login, alice):
    response = login(alice).post(
        URL, {**EVERY_SECOND_SATURDAY, "rrule": "FREQ=WEEKLY;BYDAY=XX", **PREVIEW}
    )
    assert_field_error(
        response, "rrule", "Write days as MO, TU, WE, TH, FR, SA or SU; 1SA is the first Saturday."
    )
    assert previewed(response) == []
    assert "correct the marked fields" in response.content.decode()


def test_with_htmx_the_preview_alone_comes_back(login, alice):
    response = login(alice).post(
        URL, {**EVERY_SECOND_SATURDAY, **PREVIEW}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    # The inside of the preview region, swapped in place.
    assert html.strip().startswith('<h2 id="rhythm-preview-heading">')
    assert "<form" not in html and "<html" not in html and 'rhythm-preview"' not in html
    assert len(re.findall(r"<time datetime=", html)) == 3
    assert nothing_written(alice.movement)


def test_with_htmx_a_bad_form_says_what_is_wrong_in_the_preview(login, alice):
    response = login(alice).post(
        URL, {**EVERY_SECOND_SATURDAY, "on_weekday": "", **PREVIEW}, headers={"HX-Request": "true"}
    )
    assert "On: Pick the day of the week." in response.content.decode()


def test_the_page_asks_for_the_preview_again_when_a_field_changes(login, alice):
    html = login(alice).get(URL).content.decode()
    region = html.split('<section id="rhythm-preview"')[1].split(">")[0]
    assert f'hx-post="{URL}"' in region
    assert 'hx-trigger="change from:closest form' in region
    assert """hx-vals='{"preview": "1"}'""" in region
    # And without JavaScript, a button does the same.
    assert re.search(r'<button type="submit" name="preview" value="1"[^>]*>', html)


def test_a_preview_leaves_the_form_token_for_the_save(login, alice):
    client = login(alice)
    token = str(uuid.uuid4())  # htmx previews send the page's token, the same each time
    for _ in range(2):
        client.post(URL, {**EVERY_SECOND_SATURDAY, **PREVIEW, "submission": token})
    assert not Submission.objects.exists()
    saved = client.post(URL, {**EVERY_SECOND_SATURDAY, "submission": token})
    assert saved.status_code == 302
    assert saved["Location"] == reverse(
        "rituals:convergence", kwargs={"movement_slug": "tidewater"}
    )
    said = [str(message) for message in get_messages(saved.wsgi_request)]
    assert said == ["The rhythm is set; the next gatherings are planned."]
    assert Movement.objects.get(slug="tidewater").time_zone == "America/Mexico_City"
    assert Gathering.objects.count() == 3
