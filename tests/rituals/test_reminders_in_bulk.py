"""A reminder to many people is one bulk insert and one drain of the outbox, whoever it
names; and a drain keeps going until the outbox is empty (or its time is spent)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from movement import services
from movement.models import Notification
from rituals.timers import sweep
from tests.factories import CircleFactory, CircleMembershipFactory, MembershipFactory

PARIS = ZoneInfo("Europe/Paris")
REPORTS_DUE_REMINDER = datetime(2026, 12, 1, 18, 1, tzinfo=PARIS)  # for the 5 December one


@pytest.mark.django_db
def test_conveners_of_many_circles_hear_in_one_insert_and_one_drain(
    tidewater, gathering, cora, medics, django_capture_on_commit_callbacks
):
    for n in range(12):
        circle = CircleFactory(movement=tidewater, name=f"Circle {n}", slug=f"circle-{n}")
        CircleMembershipFactory(
            circle=circle, member=MembershipFactory(movement=tidewater), is_convener=True
        )
    with (
        django_capture_on_commit_callbacks() as published,
        CaptureQueriesContext(connection) as queries,
    ):
        assert sweep(now=REPORTS_DUE_REMINDER) == 1
    inserts = [
        q
        for q in queries.captured_queries
        if q["sql"].startswith('INSERT INTO "movement_notification"')
    ]
    assert len(inserts) == 1
    assert len(published) == 1  # one drain, not one publish per convener
    subjects = set(Notification.objects.values_list("subject", flat=True))
    assert "Street Medics's report is due tomorrow" in subjects
    assert "Circle 11's report is due tomorrow" in subjects
    assert len(subjects) == 13


@pytest.mark.django_db
def test_one_drain_empties_an_outbox_of_more_than_five_hundred(mo, mailoutbox):
    Notification.objects.bulk_create(
        Notification(recipient=mo.user, subject=f"Message {n}", body="x") for n in range(1_200)
    )
    assert services.drain_outbox() == 1_200
    assert len(mailoutbox) == 1_200


@pytest.mark.django_db
def test_a_spent_drain_budget_leaves_the_rest_for_the_next_drain(mo, mailoutbox):
    Notification.objects.bulk_create(
        Notification(recipient=mo.user, subject=f"Message {n}", body="x") for n in range(3)
    )
    assert services.drain_outbox(budget=0) == 1
    assert services.drain_outbox() == 2
