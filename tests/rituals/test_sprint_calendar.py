"""Sprint deadlines in each member's private calendar feed: the sprints of their own circles,
named by their circles only, in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from rituals.models import Sprint
from rituals.services import convergence, sprints
from tests.factories import (
    CircleFactory,
    CircleMembershipFactory,
    MembershipFactory,
    SprintFactory,
)


def feed_of(client, membership):
    """The person's feed, fetched the way a calendar app does: by its token alone."""
    token = convergence.calendar_feed_for(membership.user).token
    client.logout()
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    return response


def sprint_events(response):
    return [
        event
        for event in Calendar.from_ical(response.content).walk("VEVENT")
        if str(event["uid"]).startswith("sprint-")
    ]


@pytest.mark.django_db
def test_the_feed_shows_the_deadline_of_my_circle_s_sprint(client, sprint, mo):
    (event,) = sprint_events(feed_of(client, mo))
    assert str(event["summary"]) == "Sprint deadline: Street Medics × Tenants Union"
    assert event.decoded("dtend") == sprint.ends_at.replace(microsecond=0)
    assert event.decoded("dtstart") == sprint.starts_at.replace(microsecond=0)
    assert str(event["transp"]) == "TRANSPARENT"  # three days of forging block no calendar
    assert str(event["url"]).endswith(sprint.get_absolute_url())


@pytest.mark.django_db
def test_members_outside_the_paired_circles_do_not_get_it(client, sprint, alice, fay):
    assert sprint_events(feed_of(client, alice)) == []
    assert sprint_events(feed_of(client, fay)) == []


@pytest.mark.django_db
def test_nothing_private_leaves_the_app(client, sprint, mo):
    sprints.publish_artifact(
        by=mo, sprint=sprint, title="Secret stencils", description="Where we paint next."
    )
    sprints.write_reflection(by=mo, sprint=sprint, text="The landlord's lawyer scared us.")
    body = feed_of(client, mo).content.decode()
    for private in ("Secret stencils", "Where we paint next", "landlord"):
        assert private not in body
    assert "DESCRIPTION" not in body


@pytest.mark.django_db
def test_a_deadline_stays_in_the_feed_once_met_and_leaves_it_later(client, sprint, mo):
    Sprint.objects.filter(pk=sprint.pk).update(
        state=Sprint.State.CLOSED,
        starts_at=timezone.now() - timedelta(days=40),
        ends_at=timezone.now() - timedelta(days=37),
    )
    assert len(sprint_events(feed_of(client, mo))) == 1
    Sprint.objects.filter(pk=sprint.pk).update(
        starts_at=timezone.now() - timedelta(days=90),
        ends_at=timezone.now() - timedelta(days=87),
    )
    assert sprint_events(feed_of(client, mo)) == []


@pytest.mark.django_db
def test_the_feed_of_someone_in_many_sprints_costs_the_same(
    client, tidewater, fay, mo, sprint, django_assert_num_queries
):
    token = convergence.calendar_feed_for(mo.user).token
    path = f"/calendar/{token}.ics"
    with CaptureQueriesContext(connection) as one:
        client.get(path)
    for _round in range(4):  # each round pairs a new circle of mo's with a stranger's
        mine = CircleFactory(movement=tidewater)
        CircleMembershipFactory(circle=mine, member=mo, is_convener=True)
        theirs = CircleFactory(movement=tidewater)
        convener = MembershipFactory(movement=tidewater)
        CircleMembershipFactory(circle=theirs, member=convener, is_convener=True)
        SprintFactory(by=fay, conveners={mine: mo, theirs: convener})
    with django_assert_num_queries(len(one)):
        response = client.get(path)
    assert len(sprint_events(response)) == 5
