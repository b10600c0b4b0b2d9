"""What sprints ask of a member on the movement's home: their circles' sprint deadlines, and,
for conveners, a round waiting for their circle's answer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from movement.needs import needs_of
from rituals.services import sprints
from tests.factories import SprintRoundFactory

OPT_IN = "Opt your circle in to the sprint round"


def titles(membership, now=None):
    return [need.title for need in needs_of(membership, now=now)]


@pytest.mark.django_db
def test_a_convener_is_asked_to_opt_their_circle_in_until_the_deadline(fay, cora, medics):
    sprint_round = SprintRoundFactory(by=fay)
    need = next(need for need in needs_of(cora) if need.title == OPT_IN)
    assert need.detail == "Street Medics"
    assert need.due == sprint_round.deadline
    assert need.url == sprint_round.get_absolute_url()
    assert OPT_IN not in titles(cora, now=sprint_round.deadline + timedelta(minutes=1))


@pytest.mark.django_db
def test_once_the_circle_is_in_nobody_is_asked_again(fay, cora, medics):
    sprint_round = SprintRoundFactory(by=fay)
    sprints.opt_in(by=cora, round=sprint_round, circle=medics)
    assert OPT_IN not in titles(cora)


@pytest.mark.django_db
def test_members_who_convene_nothing_are_not_asked(fay, mo, medics):
    SprintRoundFactory(by=fay)
    assert OPT_IN not in titles(mo)


@pytest.mark.django_db
def test_members_of_a_running_sprint_see_its_deadline(fay, cora, mo, medics, tenants, alice):
    sprint_round = SprintRoundFactory(by=fay)
    sprints.opt_in(by=cora, round=sprint_round, circle=medics)
    sprints.opt_in(by=mo, round=sprint_round, circle=tenants)
    sprints.propose(by=fay, round=sprint_round)
    now = timezone.now()
    sprint = sprints.launch(by=fay, round=sprint_round, now=now)[0]
    for member in (cora, mo):
        need = next(need for need in needs_of(member) if need.url == sprint.get_absolute_url())
        assert need.title == "Sprint: Street Medics · Tenants Union"
        assert need.due == now + timedelta(hours=72)
    assert sprint.get_absolute_url() not in [need.url for need in needs_of(alice)]


@pytest.mark.django_db
def test_when_time_is_up_the_members_are_asked_for_the_reflection(fay, cora, mo, medics, tenants):
    from rituals.timers import fire_due_timers

    sprint_round = SprintRoundFactory(by=fay)
    sprints.opt_in(by=cora, round=sprint_round, circle=medics)
    sprints.opt_in(by=mo, round=sprint_round, circle=tenants)
    sprints.propose(by=fay, round=sprint_round)
    sprint = sprints.launch(by=fay, round=sprint_round)[0]
    fire_due_timers(now=timezone.now() + timedelta(hours=73), limit=5)

    def asked():
        return [need for need in needs_of(cora) if need.url == sprint.get_absolute_url()]

    (need,) = asked()
    assert need.detail == "Time is up: publish the artifact and write the reflection."
    sprints.publish_artifact(
        by=cora, sprint=sprint, title="Zine", description="Twelve pages", link=""
    )
    assert len(asked()) == 1
    sprints.write_reflection(by=cora, sprint=sprint, text="Jargon got in the way.")
    assert asked() == []
