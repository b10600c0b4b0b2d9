"""A gathering's page: who is coming (in totals), its time zone, its calendar file."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from icalendar import Calendar

from rituals.models import Rsvp

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.django_db
def test_members_answer_and_only_totals_are_shown(login, gathering, mo, fay, cora):
    for member, answer in [(mo, "yes"), (fay, "maybe"), (cora, "no")]:
        response = login(member).post(gathering.get_absolute_url(), {"answer": answer})
        assert response.status_code == 302
    html = login(mo).get(gathering.get_absolute_url()).content.decode()
    assert "1 yes · 1 maybe" in html
    for name in ("Fay", "Cora"):
        assert name not in html.split('id="attendance-heading"')[1]


@pytest.mark.django_db
def test_answering_again_changes_the_answer(login, gathering, mo):
    client = login(mo)
    client.post(gathering.get_absolute_url(), {"answer": "yes"})
    client.post(gathering.get_absolute_url(), {"answer": "no"})
    assert list(Rsvp.objects.values_list("answer", flat=True)) == ["no"]


@pytest.mark.django_db
def test_a_nonsense_answer_is_refused_next_to_the_field(login, gathering, mo):
    response = login(mo).post(gathering.get_absolute_url(), {"answer": "perhaps"})
    assert response.status_code == 200
    assert "answer" in response.context["form"].errors
    assert not Rsvp.objects.exists()


@pytest.mark.django_db
def test_times_show_in_the_movement_time_zone(login, gathering, mo):
    html = login(mo).get(gathering.get_absolute_url()).content.decode()
    assert "Saturday 5 December 2026, 18:00" in html
    assert "Europe/Paris" in html


@pytest.mark.django_db
def test_the_gathering_downloads_as_ics(login, gathering, mo):
    url = reverse(
        "rituals:gathering_ics",
        kwargs={"movement_slug": "tidewater", "gathering_id": gathering.pk},
    )
    response = login(mo).get(url)
    assert response["Content-Type"] == "text/calendar"
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == datetime(2026, 12, 5, 18, tzinfo=PARIS)
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(hours=2)
    assert str(event["location"]) == "Harbor hall"


@pytest.mark.django_db
def test_a_gathering_of_another_movement_is_not_found(login, gathering, otto):
    url = f"/m/elsewhere/convergence/gatherings/{gathering.pk}/"
    assert login(otto).get(url).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        ("anonymous", 302),
        ("nina", 404),
        ("otto", 404),
        ("mo", 200),
        ("cora", 200),
        ("fay", 200),
        ("alice", 200),
    ],
)
@pytest.mark.parametrize("page", ["gathering", "gathering_ics"])
def test_gathering_pages_by_caller(request, client, gathering, caller, expected, page):
    url = reverse(
        f"rituals:{page}", kwargs={"movement_slug": "tidewater", "gathering_id": gathering.pk}
    )
    if caller != "anonymous":
        who = request.getfixturevalue(caller)
        client.force_login(getattr(who, "user", who))
    response = client.get(url)
    assert response.status_code == expected
    if caller == "anonymous":
        assert response["Location"].startswith("/accounts/login/?next=")
