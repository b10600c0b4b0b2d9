"""Convergence forms post once: an answer, a report and every facilitator action tapped
twice count once, and the second tap is sent where the first led."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from rituals.models import AgendaItem, CircleReport, Decision, Rsvp
from rituals.services import facilitation
from tests.factories import GatheringFactory
from tests.submitting import ALREADY_SENT, post_at_once, post_twice, said


@pytest.fixture
def live(tidewater, fay):
    gathering = GatheringFactory(
        movement=tidewater, starts_at=timezone.now() + timedelta(minutes=30)
    )
    return facilitation.start_gathering(by=fay, gathering=gathering)


def action(gathering, name):
    return reverse(
        "rituals:facilitate_action",
        kwargs={"movement_slug": "tidewater", "gathering_id": gathering.pk, "action": name},
    )


@pytest.mark.django_db
def test_an_answer_tapped_twice_is_one_answer(login, mo, gathering):
    first, second = post_twice(login(mo), gathering.get_absolute_url(), {"answer": "yes"})
    assert Rsvp.objects.filter(gathering=gathering).count() == 1
    assert second["Location"] == first["Location"]
    assert said(second, ALREADY_SENT)


@pytest.mark.django_db
def test_a_report_sent_twice_is_one_report(login, cora, medics, gathering):
    url = reverse(
        "rituals:report",
        kwargs={
            "movement_slug": "tidewater",
            "gathering_id": gathering.pk,
            "circle_slug": "street-medics",
        },
    )
    first, second = post_twice(
        login(cora), url, {"did": "Staffed two actions.", "intention": "Train four medics."}
    )
    assert CircleReport.objects.filter(circle=medics).count() == 1
    assert second["Location"] == first["Location"]
    assert said(second, ALREADY_SENT)


@pytest.mark.django_db
def test_a_decision_recorded_twice_is_one_decision(login, fay, live):
    first, second = post_twice(
        login(fay), action(live, "decision"), {"text": "We meet at the harbor."}
    )
    assert Decision.objects.filter(gathering=live).count() == 1
    assert second["Location"] == first["Location"]
    assert said(second, ALREADY_SENT)


@pytest.mark.django_db
def test_five_more_minutes_tapped_twice_add_five_minutes(login, fay, live):
    item = facilitation.add_agenda_item(by=fay, gathering=live, title="Opening", minutes=10)
    facilitation.start_item(by=fay, item=item)
    first, second = post_twice(
        login(fay), action(live, "extend_item"), {"item": item.pk, "minutes": "5"}
    )
    assert said(second, ALREADY_SENT)
    item.refresh_from_db()
    assert item.timebox == timedelta(minutes=15)


@pytest.mark.django_db
def test_an_item_added_twice_is_one_item(login, fay, live):
    first, second = post_twice(
        login(fay), action(live, "add_item"), {"title": "Sprint pairings", "minutes": "15"}
    )
    assert AgendaItem.objects.filter(gathering=live, title="Sprint pairings").count() == 1
    assert said(second, ALREADY_SENT)


@pytest.mark.django_db(transaction=True)
def test_a_decision_posted_twice_at_once_is_one_decision(postgres, fay, live):
    responses = post_at_once(fay.user, action(live, "decision"), {"text": "Harbor, 6 pm."})
    assert Decision.objects.filter(gathering=live).count() == 1
    assert [response.status_code for response in responses] == [302, 302]


@pytest.mark.django_db(transaction=True)
def test_an_answer_posted_twice_at_once_is_one_answer(postgres, mo, gathering):
    responses = post_at_once(mo.user, gathering.get_absolute_url(), {"answer": "maybe"})
    assert Rsvp.objects.filter(gathering=gathering).count() == 1
    assert [response.status_code for response in responses] == [302, 302]
