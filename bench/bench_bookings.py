"""A month's calendar of a shared resource with 10,000 bookings (issue 15): the one query
that reads a month of them, day by day, and the page around it. Each figure is the best of
three runs."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from bench.conftest import best_of, report
from commons.models import Booking, Resource
from commons.selectors import resource_calendar
from movement.models import Membership, User
from tests.factories import MovementFactory

BOOKINGS = 10_000


@pytest.mark.django_db
def test_a_month_of_ten_thousand_bookings():
    movement = MovementFactory()
    user = User.objects.create_user(email="bench@example.org", password="x", display_name="B")
    member = Membership.objects.create(movement=movement, user=user, role="organizer")
    hall = Resource.objects.create(
        movement=movement, name="Hall", name_key="hall", description="x", max_hours=4
    )
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=200)
    # One booking every hour and a half: 10,000 of them over about 21 months.
    Booking.objects.bulk_create(
        (
            Booking(
                resource=hall,
                booked_by=member,
                starts_at=start + timedelta(minutes=90 * index),
                ends_at=start + timedelta(minutes=90 * index + 60),
            )
            for index in range(BOOKINGS)
        ),
        batch_size=2_000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    zone = movement.zone
    month_time, calendar = best_of(lambda: resource_calendar(hall, period="month", zone=zone))
    week_time, _week = best_of(lambda: resource_calendar(hall, period="week", zone=zone))
    client = Client()
    client.force_login(user)
    url = hall.get_absolute_url() + "?month=" + timezone.localdate().strftime("%Y-%m")
    page_time, response = best_of(lambda: client.get(url, HTTP_HOST="localhost"))
    shown = sum(len(bookings) for _day, bookings in calendar["days"])
    report(
        f"A shared resource's calendar ({BOOKINGS:,} bookings, {connection.vendor})",
        [
            (f"a month, day by day ({shown} bookings shown)", f"{month_time * 1000:.1f} ms"),
            ("a week", f"{week_time * 1000:.1f} ms"),
            (
                f"the month's page ({len(response.content) // 1024} KB)",
                f"{page_time * 1000:.1f} ms",
            ),
        ],
    )
