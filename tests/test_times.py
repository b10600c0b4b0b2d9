"""Times people can read (issue 11): every time on a page in one zone — the person's own
if they chose one, else the movement's — in the language's formats, and the zone named
once on the page.

A draw is requested at 17:12 UTC on 30 November 2026: 12:12 in New York, 02:12 the next
morning in Tokyo.
"""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from commons import services as commons_services
from commons.models import DrawRequest
from movement.models import Notification
from tests.factories import CircleFactory, CircleMembershipFactory, MembershipFactory

AT = datetime(2026, 11, 30, 17, 12, tzinfo=UTC)


@pytest.fixture
def new_york(tidewater, alice):
    tidewater.time_zone = "America/New_York"
    tidewater.save()
    circle = CircleFactory(movement=tidewater)
    CircleMembershipFactory(circle=circle, member=alice)
    pool = commons_services.create_pool(
        by=alice,
        name="Bail Fund",
        kind="money",
        currency="EUR",
        purpose="Bail.",
        instant_limit=Decimal("50"),
    )
    commons_services.contribute(by=alice, pool=pool, amount=Decimal("100"))
    draw = commons_services.request_draw(by=alice, pool=pool, amount=Decimal("20"), purpose="Taxi")
    DrawRequest.objects.filter(pk=draw.pk).update(created_at=AT)
    return tidewater


def draws_page(client):
    return client.get(reverse("commons:draws", kwargs={"movement_slug": "tidewater"}))


def test_a_movement_page_shows_its_times_in_the_movement_zone(new_york, alice, login):
    page = draws_page(login(alice)).content.decode()

    assert "30 Nov 2026, 12:12" in page
    assert "17:12" not in page
    assert page.count("America/New_York") == 1
    assert "Times are in America/New_York." in page


def test_a_person_who_chose_a_zone_sees_every_time_in_it(new_york, alice, login):
    alice.user.time_zone = "Asia/Tokyo"
    alice.user.save()

    page = draws_page(login(alice)).content.decode()

    assert "1 Dec 2026, 02:12" in page
    assert "Times are in Asia/Tokyo." in page


def test_the_notifications_page_uses_the_zone_of_the_persons_movement(new_york, alice, login):
    Notification.objects.create(
        recipient=alice.user, movement=new_york, subject="Hello", body="", created_at=AT
    )

    page = login(alice).get(reverse("notifications")).content.decode()

    assert "30 Nov 2026, 12:12" in page
    assert "Times are in America/New_York." in page


def test_a_person_picks_their_zone_and_old_names_are_refused(tidewater, login):
    person = MembershipFactory(movement=tidewater, user__display_name="Ana")
    client = login(person)
    url = reverse("personal_settings")

    refused = client.post(url, {"display_name": "Ana", "time_zone": "US/Eastern"})
    assert refused.status_code == 200
    assert "America/New_York" in refused.content.decode()  # the current name to pick
    person.user.refresh_from_db()
    assert person.user.time_zone == ""

    saved = client.post(url, {"display_name": "Ana Lima", "time_zone": "America/Sao_Paulo"})
    assert saved.status_code == 302
    person.user.refresh_from_db()
    assert (person.user.display_name, person.user.time_zone) == ("Ana Lima", "America/Sao_Paulo")

    client.post(url, {"display_name": "Ana Lima", "time_zone": ""})
    person.user.refresh_from_db()
    assert person.user.time_zone == ""


def test_a_refusal_on_a_movement_page_names_the_movements_zone_too(new_york, mo, login):
    response = login(mo).get(reverse("movement:audit", kwargs={"movement_slug": "tidewater"}))
    assert response.status_code == 403
    assert "Times are in America/New_York." in response.content.decode()
