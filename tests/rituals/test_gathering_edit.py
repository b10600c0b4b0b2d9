"""An organizer moves a gathering, says where it happens and names its facilitators."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from rituals import reminders
from rituals.models import Timer

PARIS = ZoneInfo("Europe/Paris")


def edit_url(gathering):
    return reverse(
        "rituals:gathering_edit",
        kwargs={"movement_slug": "tidewater", "gathering_id": gathering.pk},
    )


@pytest.mark.django_db
def test_an_organizer_moves_it_in_local_time_and_names_facilitators(login, alice, mo, gathering):
    response = login(alice).post(
        edit_url(gathering),
        {
            "starts_at": "2026-12-12T19:30",
            "ends_at": "2026-12-12T21:30",
            "place": "Harbor hall",
            "facilitators": [mo.pk],
        },
    )
    gathering.refresh_from_db()
    assert response.status_code == 302
    assert gathering.starts_at == datetime(2026, 12, 12, 19, 30, tzinfo=PARIS)
    assert list(gathering.facilitators.all()) == [mo]
    tomorrow = Timer.objects.get(target_id=gathering.pk, kind=reminders.TOMORROW)
    assert tomorrow.due_at == datetime(2026, 12, 11, 19, 30, tzinfo=PARIS)


@pytest.mark.django_db
def test_a_gathering_that_ends_before_it_starts_is_refused_next_to_the_field(
    login, alice, gathering
):
    response = login(alice).post(
        edit_url(gathering), {"starts_at": "2026-12-12T19:30", "ends_at": "2026-12-12T18:00"}
    )
    assert response.status_code == 200
    assert "ends_at" in response.context["form"].errors
    gathering.refresh_from_db()
    assert gathering.starts_at == datetime(2026, 12, 5, 18, tzinfo=PARIS)


@pytest.mark.django_db
def test_a_gathering_of_days_is_refused(login, alice, gathering):
    response = login(alice).post(
        edit_url(gathering), {"starts_at": "2026-12-12T19:30", "ends_at": "2026-12-15T19:30"}
    )
    assert response.status_code == 200
    assert "at most 12 hours" in response.content.decode()


@pytest.mark.parametrize("who", ["mo", "fay", "cora"])
@pytest.mark.django_db
def test_only_organizers_change_a_gathering(request, login, gathering, who):
    assert login(request.getfixturevalue(who)).get(edit_url(gathering)).status_code == 403


@pytest.mark.django_db
def test_a_call_link_longer_than_the_column_is_refused_next_to_the_field(login, alice, gatherings):
    url = reverse(
        "rituals:gathering_edit",
        kwargs={"movement_slug": "tidewater", "gathering_id": gatherings[0].pk},
    )
    response = login(alice).post(
        url,
        {
            "starts_at": "2026-12-05T18:00",
            "ends_at": "2026-12-05T20:00",
            "call_link": "https://meet.example.org/" + "x" * 200,
        },
    )
    assert response.status_code == 200
    assert "call_link" in response.context["form"].errors
