"""Shared spaces and tools: booked by the hour, never twice for the same hour — on
PostgreSQL by an exclusion constraint (20 bookings of one slot at once give one booking),
elsewhere under a lock; bad input refused in words."""

from datetime import UTC, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from commons import services
from commons.models import Booking
from tests.at_once import at_once
from tests.factories import MembershipFactory


@pytest.fixture
def hall(alice):
    return services.add_resource(
        by=alice, name="Community hall", description="Seats 80", place="Harbor St", max_hours=4
    )


def saturday(hour=14):
    day = timezone.now() + timedelta(days=3)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def test_a_member_books_a_free_slot(mo, hall):
    booking = services.book(by=mo, resource=hall, starts_at=saturday(), ends_at=saturday(17))
    assert (booking.booked_by, booking.resource) == (mo, hall)


def test_an_overlapping_booking_is_refused_and_touching_ones_are_fine(mo, cora, hall):
    services.book(by=mo, resource=hall, starts_at=saturday(14), ends_at=saturday(17))
    with pytest.raises(ValidationError) as refused:
        services.book(by=cora, resource=hall, starts_at=saturday(16), ends_at=saturday(18))
    assert "already booked" in str(refused.value)
    services.book(by=cora, resource=hall, starts_at=saturday(17), ends_at=saturday(19))


def test_a_cancelled_booking_frees_its_slot(mo, cora, hall):
    first = services.book(by=mo, resource=hall, starts_at=saturday(), ends_at=saturday(16))
    services.cancel_booking(by=mo, booking=first)
    services.book(by=cora, resource=hall, starts_at=saturday(), ends_at=saturday(16))
    assert Booking.objects.filter(cancelled_at__isnull=True).count() == 1


@pytest.mark.parametrize(
    "starts,ends,message",
    [
        (saturday(17), saturday(14), "end after it starts"),
        (timezone.now() - timedelta(days=1), timezone.now() - timedelta(hours=20), "has passed"),
        (saturday(10), saturday(10) + timedelta(days=15), "two weeks at most"),
    ],
)
def test_bad_times_are_refused_in_words(mo, hall, starts, ends, message):
    with pytest.raises(ValidationError) as refused:
        services.book(by=mo, resource=hall, starts_at=starts, ends_at=ends)
    assert message in str(refused.value)


def test_only_who_booked_it_or_an_organizer_cancels(mo, cora, alice, hall):
    booking = services.book(by=mo, resource=hall, starts_at=saturday(), ends_at=saturday(16))
    with pytest.raises(PermissionDenied):
        services.cancel_booking(by=cora, booking=booking)
    services.cancel_booking(by=alice, booking=booking)


def test_only_organizers_add_resources(mo):
    with pytest.raises(PermissionDenied):
        services.add_resource(by=mo, name="Van", description="Blue")


def test_booking_from_the_page_says_why_it_is_refused(login, client, mo, cora, hall):
    url = hall.get_absolute_url()
    when = {
        "starts_at": saturday().astimezone(hall.movement.zone).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": saturday(16).astimezone(hall.movement.zone).strftime("%Y-%m-%dT%H:%M"),
    }
    assert login(mo).post(url, when).status_code == 302
    client.logout()
    response = login(cora).post(url, when)
    assert response.status_code == 200
    assert "already booked" in str(response.context["form"].errors["starts_at"])


@pytest.mark.parametrize("size", [2, 30])
def test_the_resource_page_runs_a_fixed_number_of_queries(
    size, login, alice, tidewater, hall, django_assert_num_queries
):
    for index in range(size):
        start = saturday() + timedelta(hours=5 * index)
        services.book(
            by=MembershipFactory(movement=tidewater),
            resource=hall,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
        )
    client = login(alice)
    with django_assert_num_queries(6):
        assert client.get(hall.get_absolute_url()).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_twenty_people_booking_one_slot_at_once_get_one_booking(postgres, tidewater, alice):
    assert connection.vendor == "postgresql"
    hall = services.add_resource(by=alice, name="Hall", description="x", max_hours=4)
    people = [MembershipFactory(movement=tidewater) for _ in range(20)]
    answers = at_once(
        20,
        lambda index: services.book(
            by=people[index], resource=hall, starts_at=saturday(), ends_at=saturday(16)
        ),
        done="booked",
    )
    assert answers.count("booked") == 1
    assert all("booked" in answer or "moment ago" in answer for answer in answers)
    assert Booking.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_database_itself_refuses_an_overlap(postgres, tidewater, alice, mo):
    from django.db import IntegrityError

    hall = services.add_resource(by=alice, name="Hall", description="x", max_hours=4)
    Booking.objects.create(resource=hall, booked_by=mo, starts_at=saturday(), ends_at=saturday(16))
    with pytest.raises(IntegrityError):
        # Past the service: a row no code would write, refused by the exclusion constraint.
        Booking.objects.create(
            resource=hall, booked_by=mo, starts_at=saturday(15), ends_at=saturday(17)
        )


def test_a_booking_is_in_its_booker_s_calendar_in_utc(mo, cora, hall):
    from rituals.calendar import feed_calendar

    booking = services.book(
        by=mo, resource=hall, starts_at=saturday(), ends_at=saturday(16), note="Pantry sorting"
    )
    feed = feed_calendar(mo.user).decode()
    assert "Community hall booked" in feed and "Harbor St" in feed
    assert "DESCRIPTION:Pantry sorting" in feed
    start = booking.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{start}" in feed
    assert "Community hall booked" not in feed_calendar(cora.user).decode()
    services.cancel_booking(by=mo, booking=booking)
    assert "Community hall booked" not in feed_calendar(mo.user).decode()


def test_the_calendar_shows_a_week_or_a_month_day_by_day(login, mo, hall, tidewater):
    booking = services.book(
        by=mo, resource=hall, starts_at=saturday(), ends_at=saturday(16), note="Pantry sorting"
    )
    day = timezone.localtime(booking.starts_at, tidewater.zone).date()
    client = login(mo)
    week = client.get(hall.get_absolute_url(), {"week": day.isoformat()})
    days = week.context["calendar"]["days"]
    assert len(days) == 7 and days[0][0].weekday() == 0
    assert [b.pk for d, bs in days for b in bs if d == day] == [booking.pk]
    month = client.get(hall.get_absolute_url(), {"month": day.strftime("%Y-%m")})
    assert len(month.context["calendar"]["days"]) in (28, 29, 30, 31)
    assert "Pantry sorting" in month.content.decode()
    for nonsense in ("0001-01-01", "yesterday", "9999-99"):
        response = client.get(hall.get_absolute_url(), {"week": nonsense, "month": nonsense})
        assert response.status_code == 200 and response.context["calendar"]["period"] == "week"


def test_the_booker_is_reminded_the_day_before_unless_it_is_cancelled(mo, cora, hall):
    from movement.models import Notification
    from rituals.models import Timer
    from rituals.timers import fire_due_timers

    kept = services.book(by=mo, resource=hall, starts_at=saturday(), ends_at=saturday(16))
    dropped = services.book(by=cora, resource=hall, starts_at=saturday(17), ends_at=saturday(19))
    reminder = Timer.objects.get(kind="commons.booking_soon", target_id=kept.pk)
    assert reminder.due_at == kept.starts_at - timedelta(hours=24)
    services.cancel_booking(by=cora, booking=dropped)
    while fire_due_timers(now=saturday(18), limit=50):
        pass
    told = Notification.objects.filter(kind="commons.booking_soon")
    assert list(told.values_list("recipient", flat=True)) == [mo.user_id]
    assert "Community hall is yours from" in told.get().subject


def test_a_booking_made_within_the_day_is_reminded_an_hour_before(mo, hall):
    from rituals.models import Timer

    soon = timezone.now() + timedelta(hours=5)
    booking = services.book(by=mo, resource=hall, starts_at=soon, ends_at=soon + timedelta(hours=1))
    reminder = Timer.objects.get(kind="commons.booking_soon", target_id=booking.pk)
    assert reminder.due_at == booking.starts_at - timedelta(hours=1)


def test_a_booking_past_the_usual_length_waits_for_another_circle(mo, cora, medics, hall):
    from movement.models import Notification
    from movement.needs import needs_of

    long = services.book(by=mo, resource=hall, starts_at=saturday(9), ends_at=saturday(18))
    assert long.waits_for_approval
    # It holds its time while it waits.
    with pytest.raises(ValidationError, match="already booked"):
        services.book(by=cora, resource=hall, starts_at=saturday(12), ends_at=saturday(13))
    asked = Notification.objects.get(kind="commons.booking_needs_decision")
    assert asked.recipient == cora.user
    assert [n for n in needs_of(cora) if "long booking of Community hall" in n.title]
    with pytest.raises(PermissionDenied):
        services.decide_booking(by=mo, booking=long, approve=True)
    services.decide_booking(by=cora, booking=long, approve=True)
    long.refresh_from_db()
    assert not long.waits_for_approval and long.cancelled_at is None
    told = Notification.objects.get(kind="commons.booking_decided", recipient=mo.user)
    assert "approved" in told.body


def test_a_declined_long_booking_frees_its_time_and_says_why(mo, cora, medics, hall):
    long = services.book(by=mo, resource=hall, starts_at=saturday(9), ends_at=saturday(18))
    with pytest.raises(ValidationError) as refused:
        services.decide_booking(by=cora, booking=long, approve=False)
    assert "Say why" in str(refused.value.message_dict["reason"])
    services.decide_booking(by=cora, booking=long, approve=False, reason="The pantry has it.")
    long.refresh_from_db()
    assert long.cancelled_at and long.declined_because == "The pantry has it."
    services.book(by=cora, resource=hall, starts_at=saturday(12), ends_at=saturday(13))
    with pytest.raises(ValidationError, match="no longer waits"):
        services.decide_booking(by=cora, booking=long, approve=True)


def test_without_another_circle_a_long_booking_is_refused_in_words(cora, medics, hall):
    with pytest.raises(ValidationError) as refused:
        services.book(by=cora, resource=hall, starts_at=saturday(9), ends_at=saturday(18))
    assert "needs a member of another circle" in str(refused.value.message_dict["ends_at"])


def test_deciding_from_the_page(login, client, mo, cora, medics, hall):
    long = services.book(by=mo, resource=hall, starts_at=saturday(9), ends_at=saturday(18))
    url = services.booking_decision_url(long)
    calendar = login(mo).get(hall.get_absolute_url(), {"week": saturday().date().isoformat()})
    assert url in calendar.content.decode()
    assert login(mo).get(url).context["form"] is None  # not the booker's own to decide
    client.logout()
    response = login(cora).post(url, {"decision": "decline", "reason": ""})
    assert response.status_code == 400
    assert "Say why" in str(response.context["form"].errors)
    response = login(cora).post(url, {"decision": "approve"})
    assert response.status_code == 302
    long.refresh_from_db()
    assert long.decided_by == cora
