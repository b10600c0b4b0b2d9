"""Every convergence URL: anonymous callers log in, outsiders see nothing (404)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rituals.models import Gathering
from rituals.services import convergence, facilitation
from tests.factories import CircleFactory, CircleMembershipFactory, MembershipFactory

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def gathering(alice):
    convergence.set_rhythm(
        by=alice,
        kind="monthly",
        week=1,
        weekday=5,
        local_time=time(18),
        duration=timedelta(hours=2),
        time_zone="Europe/Paris",
        now=datetime(2026, 11, 24, tzinfo=PARIS),
    )
    return Gathering.objects.order_by("starts_at").first()


def urls(gathering, medics):
    base = f"/m/tidewater/convergence/gatherings/{gathering.pk}"
    return [
        ("GET", "/m/tidewater/convergence/"),
        ("GET", "/m/tidewater/convergence/rhythm/"),
        ("GET", f"{base}/"),
        ("GET", f"{base}.ics"),
        ("GET", f"{base}/live/"),
        ("GET", f"{base}/edit/"),
        ("GET", f"{base}/facilitate/"),
        ("POST", f"{base}/facilitate/start/"),
        ("GET", f"{base}/reports/{medics.slug}/"),
    ]


@pytest.mark.parametrize("caller", ["anonymous", "nina", "otto"])
@pytest.mark.django_db
def test_outsiders_learn_nothing(request, client, gathering, medics, caller):
    if caller != "anonymous":
        who = request.getfixturevalue(caller)
        client.force_login(getattr(who, "user", who))
    for method, url in urls(gathering, medics):
        response = getattr(client, method.lower())(url)
        if caller == "anonymous":
            assert response.status_code == 302, url
            assert response["Location"].startswith("/accounts/login/"), url
        else:
            assert response.status_code == 404, (url, response.status_code)
    gathering.refresh_from_db()
    assert gathering.state == "scheduled"


def facilitator_page_queries(client, gathering):
    url = f"/m/{gathering.movement.slug}/convergence/gatherings/{gathering.pk}/facilitate/"
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_facilitator_page_does_not_grow_with_the_agenda(login, alice, gathering, tidewater):
    client = login(alice)
    facilitation.start_gathering(by=alice, gathering=gathering)
    opening = facilitation.add_agenda_item(
        by=alice, gathering=gathering, title="Opening", minutes=5
    )
    facilitation.start_item(by=alice, item=opening)
    small = facilitator_page_queries(client, gathering)
    for number in range(25):
        circle = CircleFactory(movement=tidewater)
        convener = MembershipFactory(movement=tidewater)
        CircleMembershipFactory(circle=circle, member=convener, is_convener=True)
        convergence.submit_report(
            by=convener, gathering=gathering, circle=circle, did="x", intention="y"
        )
        facilitation.record_decision(by=alice, gathering=gathering, text=f"Decision {number}")
        facilitation.record_commitment(by=alice, gathering=gathering, circle=circle, text="Do it")
    facilitation.build_agenda(by=alice, gathering=gathering)
    facilitation.start_item(by=alice, item=gathering.agenda.last())
    assert gathering.agenda.count() == 26
    assert facilitator_page_queries(client, gathering) == small
