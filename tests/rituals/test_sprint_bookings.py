"""A sprint books the commons' spaces and tools for its hours (issue 15): a member of one
of its circles books, in their circle's name, for as long as the sprint needs within its
window (past the resource's usual longest booking), never over someone else's booking;
the sprint page lists what it booked."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from commons import services as commons_services
from rituals.models import Sprint, SprintBooking
from rituals.services import sprints


@pytest.fixture
def hall(alice):
    return commons_services.add_resource(
        by=alice, name="Community hall", description="Seats 80", max_hours=4
    )


def test_a_sprint_books_the_hall_for_all_its_hours(sprint, hall, cora, medics, login):
    link = sprints.book_for_sprint(
        by=cora, sprint=sprint, resource=hall, starts_at=sprint.starts_at, ends_at=sprint.ends_at
    )
    booking = link.booking
    assert booking.ends_at - booking.starts_at > timedelta(hours=hall.max_hours)
    assert (booking.circle, booking.booked_by) == (medics, cora)
    page = login(cora).get(sprint.get_absolute_url()).content.decode()
    assert "Spaces and tools booked" in page and "Community hall" in page


def test_outside_the_sprint_s_hours_the_usual_limit_holds(sprint, hall, cora):
    with pytest.raises(ValidationError, match="sprint's own hours"):
        sprints.book_for_sprint(
            by=cora,
            sprint=sprint,
            resource=hall,
            starts_at=sprint.starts_at,
            ends_at=sprint.ends_at + timedelta(hours=1),
        )


def test_never_over_someone_else_s_booking(sprint, hall, cora, alice):
    middle = sprint.starts_at + timedelta(hours=30)
    commons_services.book(
        by=alice, resource=hall, starts_at=middle, ends_at=middle + timedelta(hours=2)
    )
    with pytest.raises(ValidationError, match="already booked"):
        sprints.book_for_sprint(
            by=cora,
            sprint=sprint,
            resource=hall,
            starts_at=sprint.starts_at,
            ends_at=sprint.ends_at,
        )
    assert not SprintBooking.objects.exists()


def test_only_its_circles_book_and_only_while_it_runs(sprint, hall, alice, cora):
    with pytest.raises(PermissionDenied):
        sprints.book_for_sprint(
            by=alice,
            sprint=sprint,
            resource=hall,
            starts_at=sprint.starts_at,
            ends_at=sprint.ends_at,
        )
    Sprint.objects.filter(pk=sprint.pk).update(state=Sprint.State.PRESENTING)
    sprint.refresh_from_db()
    with pytest.raises(ValidationError, match="hours are over"):
        sprints.book_for_sprint(
            by=cora,
            sprint=sprint,
            resource=hall,
            starts_at=sprint.starts_at,
            ends_at=sprint.ends_at,
        )


def test_booking_from_the_page(login, sprint, hall, mo, tidewater):
    url = reverse(
        "rituals:sprint_book", kwargs={"movement_slug": "tidewater", "sprint_id": sprint.pk}
    )
    zone = tidewater.zone
    client = login(mo)
    form = client.get(url).content.decode()
    assert "Community hall" in form
    start = (sprint.starts_at + timedelta(hours=2)).astimezone(zone)
    response = client.post(
        url,
        {
            "resource": hall.pk,
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=20)).strftime("%Y-%m-%dT%H:%M"),
            "note": "Print run",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#bookings")
    assert SprintBooking.objects.get().booking.note == "Print run"
