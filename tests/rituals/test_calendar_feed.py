"""Each person's private calendar feed of their movements' gatherings."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from rituals.models import CalendarFeed
from tests.factories import RhythmFactory

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def planned(alice):
    """The next three gatherings from today, so the feed's window always holds them."""
    RhythmFactory(by=alice, now=datetime.now(tz=PARIS))


def feed_path(client):
    page = client.get("/calendar/")
    url = page.context["feed_url"]
    return url.removeprefix("http://testserver")


@pytest.mark.django_db
def test_the_private_feed_lists_the_members_gatherings(login, client, mo, planned):
    path = feed_path(login(mo))
    client.logout()  # a calendar app has no session: the token is the key
    response = client.get(path)
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert response["Content-Type"].startswith("text/calendar")
    assert len(events) == 3
    assert all("Tidewater" in str(event["summary"]) for event in events)


@pytest.mark.django_db
def test_a_new_link_revokes_the_old_one(login, client, mo, planned):
    member = login(mo)
    old = feed_path(member)
    member.post("/calendar/")
    new = feed_path(member)
    assert old != new
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


@pytest.mark.django_db
def test_the_feed_shows_nothing_of_movements_you_are_not_in(login, client, otto, planned):
    response = client.get(feed_path(login(otto)))
    assert Calendar.from_ical(response.content).walk("VEVENT") == []


@pytest.mark.django_db
def test_an_unknown_token_is_not_found(client):
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    assert not CalendarFeed.objects.exists()


@pytest.mark.django_db
def test_the_feed_page_needs_a_login(client):
    response = client.get("/calendar/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
