""" "Needs me" shows each person their next step in their cases, and nothing of a case to
anyone else."""

from datetime import timedelta

import pytest
from django.utils import timezone

from movement.needs import needs_of
from rituals.services import conflicts
from rituals.timers import fire_due_timers
from tests.factories import MembershipFactory


@pytest.fixture
def ruth(tidewater):
    return MembershipFactory(movement=tidewater, user__display_name="Ruth")


@pytest.fixture
def case(mo, ruth):
    return conflicts.file_case(
        by=mo, others=[ruth], about="behaviour", description="The keys", confirmed=True
    )


def titles(membership, now=None):
    return [need.title for need in needs_of(membership, now=now)]


def about_case(membership, case):
    return [t for t in titles(membership) if f"Conflict case {case.pk}" in t]


def test_parties_see_the_cooling_off_and_others_see_nothing(case, mo, ruth, cora, fay):
    assert about_case(mo, case) == [f"Conflict case {case.pk}: cooling off"]
    assert about_case(ruth, case) == [f"Conflict case {case.pk}: cooling off"]
    assert about_case(cora, case) == []
    assert about_case(fay, case) == []


def test_organizers_hear_a_case_waits_for_a_facilitator(case, alice, fay):
    assert "A conflict case waits for a facilitator" in titles(alice)
    conflicts.assign_facilitator(by=alice, case=case, member=fay)
    assert "A conflict case waits for a facilitator" not in titles(alice)


def test_each_step_asks_the_right_person(case, mo, ruth, alice, fay):
    conflicts.assign_facilitator(by=alice, case=case, member=fay)
    fire_due_timers(now=timezone.now() + timedelta(hours=25), limit=5)
    assert about_case(fay, case) == [
        f"Conflict case {case.pk}: offer times for the listening circle"
    ]
    conflicts.offer_times(by=fay, case=case, times=[timezone.now() + timedelta(days=2)])
    assert about_case(mo, case) == [f"Conflict case {case.pk}: mark when you can attend"]
    option = case.options.get()
    conflicts.answer_availability(by=mo, case=case, can_attend={option.pk: True})
    assert about_case(mo, case) == []
    assert about_case(ruth, case) == [f"Conflict case {case.pk}: mark when you can attend"]
    assert about_case(fay, case) == [f"Conflict case {case.pk}: pick the listening circle's time"]
    conflicts.schedule_circle(by=fay, case=case, option=option)
    for person in (mo, ruth, fay):
        assert about_case(person, case) == [f"Conflict case {case.pk}: the listening circle"]
    parties = [party.pk for party in case.parties.all()]
    case.refresh_from_db()
    held = case.circle_at + timedelta(hours=2)
    conflicts.record_held(by=fay, case=case, heard=parties, agreements=["Keys back"], now=held)
    fire_due_timers(now=held + timedelta(days=15), limit=5)
    assert about_case(ruth, case) == [f"Conflict case {case.pk}: did the agreements hold?"]
    assert about_case(fay, case) == [f"Conflict case {case.pk}: close the case"]
