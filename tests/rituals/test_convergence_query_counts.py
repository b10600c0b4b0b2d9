"""The convergence and gathering pages run a fixed number of queries, whatever the data."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rituals.models import Rsvp
from tests.factories import (
    CircleFactory,
    CircleMembershipFactory,
    CircleReportFactory,
    GatheringFactory,
    MembershipFactory,
)


def world(movement, size):
    gatherings = [
        GatheringFactory(
            movement=movement,
            cycle__number=number,
            starts_at=timezone.now() + timedelta(days=30 * (number - size // 2)),
        )
        for number in range(1, size + 1)
    ]
    target = gatherings[-1]
    for _ in range(size):
        circle = CircleFactory(movement=movement)
        member = MembershipFactory(movement=movement)
        CircleMembershipFactory(circle=circle, member=member, is_convener=True)
        CircleReportFactory(cycle=target.cycle, circle=circle)
        Rsvp.objects.create(gathering=target, member=member, answer="yes")
    return target


def count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_pages_do_not_grow_with_gatherings_reports_and_answers(login, alice, tidewater, elsewhere):
    small = world(tidewater, 4)
    big_organizer = MembershipFactory(movement=elsewhere, role="organizer")
    big = world(elsewhere, 30)
    client = login(alice)
    small_counts = (
        count(client, "/m/tidewater/convergence/"),
        count(client, small.get_absolute_url()),
    )
    client = login(big_organizer)
    big_counts = (
        count(client, "/m/elsewhere/convergence/"),
        count(client, big.get_absolute_url()),
    )
    assert small_counts == big_counts
    assert max(small_counts) <= 14
