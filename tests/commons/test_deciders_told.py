"""A draw above the pool's limit waits for other circles: the people who may decide are
told, once, after the request commits, and beat catches up on any a broker outage left
untold (issue 11: "Nobody who could approve was told")."""

from decimal import Decimal

import pytest

from commons import services
from commons.models import DrawRequest
from commons.services import NotificationKind
from movement.models import Notification
from tests.factories import CircleFactory, CircleMembershipFactory, MembershipFactory


def told(draw):
    return set(
        Notification.objects.filter(
            kind=NotificationKind.DRAW_NEEDS_DECISION, url=draw.get_absolute_url()
        ).values_list("recipient__display_name", flat=True)
    )


@pytest.fixture
def circles_around(tidewater, food, in_food, pat, quinn, rae):
    """mo (Food) asks; Pat (Legal), Quinn (Art) and Rae (Radio) may decide; Sid sits in
    Food too, Tom in an archived circle only, Uma in no circle."""
    sid = MembershipFactory(movement=tidewater, user__display_name="Sid")
    CircleMembershipFactory(circle=food, member=sid)
    archived = CircleFactory(movement=tidewater, name="Old", slug="old")
    tom = MembershipFactory(movement=tidewater, user__display_name="Tom")
    CircleMembershipFactory(circle=archived, member=tom)
    archived.archived_at = archived.created_at
    archived.save()
    MembershipFactory(movement=tidewater, user__display_name="Uma")


def test_the_circles_that_may_decide_are_told_once_the_request_commits(
    mo, funded, circles_around, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        draw = services.request_draw(by=mo, pool=funded, amount=Decimal("120"), purpose="Bail")
        assert told(draw) == set()  # nothing before the commit

    assert told(draw) == {"Pat", "Quinn", "Rae"}
    notice = Notification.objects.filter(kind=NotificationKind.DRAW_NEEDS_DECISION).first()
    assert notice.subject == "A draw from Bail Fund waits for your circle"
    assert "€120" in notice.body and "Bail" in notice.body
    draw.refresh_from_db()
    assert draw.deciders_told_at is not None


def test_told_once_however_often_it_runs(mo, funded, circles_around):
    draw = services.request_draw(by=mo, pool=funded, amount=Decimal("120"), purpose="Bail")

    assert services.tell_deciders(draw.pk) == 3
    assert services.tell_deciders(draw.pk) == 0
    assert services.tell_waiting_deciders() == 0
    assert Notification.objects.filter(kind=NotificationKind.DRAW_NEEDS_DECISION).count() == 3


def test_beat_catches_up_on_a_request_a_broker_outage_left_untold(mo, funded, circles_around):
    # The commit's publish never ran (on_commit callbacks are not executed here): as if
    # the broker had been away.
    draw = services.request_draw(by=mo, pool=funded, amount=Decimal("120"), purpose="Bail")
    assert told(draw) == set()

    assert services.tell_waiting_deciders() == 3

    assert told(draw) == {"Pat", "Quinn", "Rae"}


def test_a_draw_within_the_limit_or_withdrawn_first_tells_nobody(
    mo, funded, circles_around, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.request_draw(by=mo, pool=funded, amount=Decimal("20"), purpose="Taxi")
    withdrawn = services.request_draw(by=mo, pool=funded, amount=Decimal("120"), purpose="Bail")
    services.withdraw_draw(by=mo, draw_request=withdrawn)

    assert services.tell_waiting_deciders() == 0
    assert not Notification.objects.filter(kind=NotificationKind.DRAW_NEEDS_DECISION).exists()
    assert DrawRequest.objects.filter(deciders_told_at__isnull=True, state="pending").count() == 0
