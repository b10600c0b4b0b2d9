"""A sprint round through its services: opened by a facilitator, circles opted in by their
conveners until the deadline, the pairs proposed, swapped, launched, and each sprint moved
to presenting by its durable timer."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from circles import services as circle_services
from movement.models import AuditEvent, Notification
from rituals import pairing, selectors
from rituals.models import RoundCircle, Sprint, SprintCircle, SprintRound, Timer
from rituals.services import sprints
from rituals.timers import fire_due_timers
from tests.factories import (
    CircleFactory,
    CircleMembershipFactory,
    MembershipFactory,
    SprintRoundFactory,
)


@pytest.fixture
def circles(tidewater, medics, cora, mo, alice):
    """Four circles of Tidewater, each with a convener: Street Medics (cora), Tenants
    Union (mo), Food Not Bombs (alice) and Print Shop (pia)."""
    tenants = CircleFactory(movement=tidewater, name="Tenants Union", slug="tenants-union")
    food = CircleFactory(movement=tidewater, name="Food Not Bombs", slug="food-not-bombs")
    print_shop = CircleFactory(movement=tidewater, name="Print Shop", slug="print-shop")
    pia = MembershipFactory(movement=tidewater, user__display_name="Pia")
    CircleMembershipFactory(circle=tenants, member=mo, is_convener=True)
    CircleMembershipFactory(circle=food, member=alice, is_convener=True)
    CircleMembershipFactory(circle=print_shop, member=pia, is_convener=True)
    return {
        "medics": (medics, cora),
        "tenants": (tenants, mo),
        "food": (food, alice),
        "print": (print_shop, pia),
    }


@pytest.fixture
def sprint_round(fay):
    return SprintRoundFactory(by=fay)


def opt_in_all(sprint_round, circles, names=None):
    for name in names or circles:
        circle, convener = circles[name]
        sprints.opt_in(by=convener, round=sprint_round, circle=circle)


def groups_of(sprint_round):
    groups = {}
    for group, name in RoundCircle.objects.filter(round=sprint_round).values_list(
        "group", "circle__name"
    ):
        groups.setdefault(group, set()).add(name)
    return sorted(groups.values(), key=sorted)


# --- opening -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_facilitator_opens_a_round_with_a_seed_and_72_hour_sprints(fay):
    deadline = timezone.now() + timedelta(days=3)
    sprint_round = sprints.open_round(by=fay, deadline=deadline)
    assert sprint_round.state == SprintRound.State.OPEN
    assert sprint_round.sprint_hours == 72
    assert sprint_round.seed is not None
    assert AuditEvent.objects.filter(verb="sprint_round.opened").count() == 1


@pytest.mark.django_db
def test_a_member_cannot_open_a_round(mo):
    with pytest.raises(PermissionDenied):
        sprints.open_round(by=mo, deadline=timezone.now() + timedelta(days=3))


@pytest.mark.django_db
def test_the_deadline_must_be_in_the_future(alice):
    with pytest.raises(ValidationError) as raised:
        sprints.open_round(by=alice, deadline=timezone.now() - timedelta(minutes=1))
    assert raised.value.message_dict == {"deadline": ["The opt-in deadline must be in the future."]}


@pytest.mark.django_db
def test_a_second_round_waits_until_the_first_launches_or_is_cancelled(sprint_round, alice):
    with pytest.raises(ValidationError, match="already under way"):
        SprintRoundFactory(by=alice)
    sprints.cancel_round(by=alice, round=sprint_round)
    assert SprintRoundFactory(by=alice).state == SprintRound.State.OPEN


# --- opting in -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_convener_opts_their_circle_in_once(sprint_round, medics, cora):
    sprints.opt_in(by=cora, round=sprint_round, circle=medics)
    sprints.opt_in(by=cora, round=sprint_round, circle=medics)
    sprint_round.refresh_from_db()
    assert sprint_round.circle_count == 1
    assert RoundCircle.objects.get(round=sprint_round).opted_in_by == cora


@pytest.mark.django_db
def test_a_convener_opts_their_circle_out(sprint_round, medics, cora):
    sprints.opt_in(by=cora, round=sprint_round, circle=medics)
    assert sprints.opt_out(by=cora, round=sprint_round, circle=medics)
    sprint_round.refresh_from_db()
    assert sprint_round.circle_count == 0
    assert not RoundCircle.objects.exists()


@pytest.mark.django_db
def test_only_conveners_answer_for_their_circle(sprint_round, medics, mo):
    CircleMembershipFactory(circle=medics, member=mo)
    with pytest.raises(PermissionDenied):
        sprints.opt_in(by=mo, round=sprint_round, circle=medics)


@pytest.mark.django_db
def test_opting_in_after_the_deadline_is_refused_in_words(sprint_round, medics, cora):
    after = sprint_round.deadline + timedelta(seconds=1)
    with pytest.raises(ValidationError) as raised:
        sprints.opt_in(by=cora, round=sprint_round, circle=medics, now=after)
    assert "Circles could opt in until" in raised.value.messages[0]
    assert "that time has passed" in raised.value.messages[0]
    assert not RoundCircle.objects.exists()


@pytest.mark.django_db
def test_an_archived_circle_cannot_opt_in(sprint_round, medics, cora, alice):
    circle_services.archive_circle(by=alice, circle=medics)
    medics.refresh_from_db()
    with pytest.raises(ValidationError, match="Street Medics is archived"):
        sprints.opt_in(by=cora, round=sprint_round, circle=medics)


@pytest.mark.django_db
def test_a_circle_of_another_movement_cannot_opt_in(sprint_round, otto, elsewhere):
    pantry = CircleFactory(movement=elsewhere, name="Night Pantry")
    CircleMembershipFactory(circle=pantry, member=otto, is_convener=True)
    with pytest.raises(ValidationError, match="not part of this movement"):
        sprints.opt_in(by=otto, round=sprint_round, circle=pantry)


@pytest.mark.django_db
def test_once_proposed_the_round_takes_no_more_circles(sprint_round, circles, fay):
    opt_in_all(sprint_round, circles, ["medics", "tenants"])
    sprints.propose(by=fay, round=sprint_round)
    food, alice = circles["food"]
    with pytest.raises(ValidationError, match="already proposed"):
        sprints.opt_in(by=alice, round=sprint_round, circle=food)


# --- proposing -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_round_of_fewer_than_two_circles_cannot_be_proposed(sprint_round, medics, cora, fay):
    sprints.opt_in(by=cora, round=sprint_round, circle=medics)
    with pytest.raises(ValidationError) as raised:
        sprints.propose(by=fay, round=sprint_round)
    assert raised.value.messages == [
        "A sprint pairs at least two circles, and only 1 opted in: "
        "wait for more circles or cancel the round."
    ]
    sprint_round.refresh_from_db()
    assert sprint_round.state == SprintRound.State.OPEN


@pytest.mark.django_db
def test_every_circle_is_in_exactly_one_proposed_sprint(sprint_round, circles, fay):
    opt_in_all(sprint_round, circles)
    proposals = sprints.propose(by=fay, round=sprint_round)
    sprint_round.refresh_from_db()
    assert sprint_round.state == SprintRound.State.PROPOSED
    assert sprint_round.group_count == len(proposals) == 2
    assert [len(group) for group in groups_of(sprint_round)] == [2, 2]
    assert set().union(*groups_of(sprint_round)) == {
        "Street Medics",
        "Tenants Union",
        "Food Not Bombs",
        "Print Shop",
    }


@pytest.mark.django_db
def test_an_odd_circle_makes_a_trio(sprint_round, circles, fay):
    opt_in_all(sprint_round, circles, ["medics", "tenants", "food"])
    sprints.propose(by=fay, round=sprint_round)
    assert [len(group) for group in groups_of(sprint_round)] == [3]


@pytest.mark.django_db
def test_the_proposal_is_the_pairing_of_the_rounds_seed(sprint_round, circles, fay):
    opt_in_all(sprint_round, circles)
    circle_ids = sorted(circle.pk for circle, _convener in circles.values())
    expected = pairing.propose(
        circle_ids,
        selectors.ligaments_between(sprint_round.movement, circle_ids),
        seed=sprint_round.seed,
    )
    sprints.propose(by=fay, round=sprint_round)
    stored = {}
    for group, circle_id in RoundCircle.objects.filter(round=sprint_round).values_list(
        "group", "circle"
    ):
        stored.setdefault(group, set()).add(circle_id)
    assert sorted(map(sorted, stored.values())) == sorted(
        sorted(proposal.circles) for proposal in expected
    )


@pytest.mark.django_db
def test_only_facilitators_and_organizers_propose(sprint_round, circles, mo):
    opt_in_all(sprint_round, circles)
    with pytest.raises(PermissionDenied):
        sprints.propose(by=mo, round=sprint_round)


# --- swapping ------------------------------------------------------------------------------


@pytest.fixture
def proposed(sprint_round, circles, fay):
    opt_in_all(sprint_round, circles)
    sprints.propose(by=fay, round=sprint_round)
    sprint_round.refresh_from_db()
    return sprint_round


def partner_and_other(sprint_round, circle):
    """A circle in ``circle``'s proposed sprint, and one in another sprint."""
    rows = RoundCircle.objects.filter(round=sprint_round).select_related("circle")
    group = next(row.group for row in rows if row.circle_id == circle.pk)
    partner = next(row.circle for row in rows if row.group == group and row.circle != circle)
    other = next(row.circle for row in rows if row.group != group)
    return partner, other


@pytest.mark.django_db
def test_a_circle_cannot_be_swapped_with_itself(proposed, medics, fay):
    with pytest.raises(ValidationError) as raised:
        sprints.swap(by=fay, round=proposed, a=medics, b=medics)
    assert raised.value.messages == ["A circle cannot be swapped with itself: pick two circles."]


@pytest.mark.django_db
def test_two_circles_of_the_same_sprint_are_not_swapped(proposed, medics, fay):
    partner, _other = partner_and_other(proposed, medics)
    with pytest.raises(ValidationError, match="already in the same sprint"):
        sprints.swap(by=fay, round=proposed, a=medics, b=partner)


@pytest.mark.django_db
def test_a_swap_exchanges_the_circles_and_reports_its_cost(proposed, medics, fay):
    partner, other = partner_and_other(proposed, medics)
    before = groups_of(proposed)
    foreseen = sprints.swap_cost(round=proposed, a=medics, b=other)
    assert sprints.swap(by=fay, round=proposed, a=medics, b=other) == foreseen
    after = groups_of(proposed)
    assert after != before
    assert {medics.name, partner.name} not in after
    assert any({medics.name} < group and other.name not in group for group in after)


@pytest.mark.django_db
def test_a_circle_outside_the_round_cannot_be_swapped(proposed, medics, fay, tidewater):
    outsider = CircleFactory(movement=tidewater, name="Choir")
    with pytest.raises(ValidationError, match="Choir is not in this round"):
        sprints.swap(by=fay, round=proposed, a=medics, b=outsider)


# --- launching and the deadline --------------------------------------------------------------


@pytest.mark.django_db
def test_launch_starts_every_sprint_for_the_rounds_length(proposed, fay):
    now = timezone.now()
    launched = sprints.launch(by=fay, round=proposed, now=now)
    assert len(launched) == 2
    assert {(s.state, s.starts_at, s.ends_at) for s in Sprint.objects.all()} == {
        (Sprint.State.RUNNING, now, now + timedelta(hours=72))
    }
    assert SprintCircle.objects.count() == 4
    deadlines = Timer.objects.filter(kind=sprints.SPRINT_DEADLINE, due_at=now + timedelta(hours=72))
    assert deadlines.count() == 2
    proposed.refresh_from_db()
    assert proposed.state == SprintRound.State.LAUNCHED


@pytest.mark.django_db
def test_both_circles_hear_the_launch(proposed, fay, circles):
    sprints.launch(by=fay, round=proposed)
    told = Notification.objects.filter(kind=sprints.NotificationKind.SPRINT_LAUNCHED)
    conveners = {convener.user_id for _circle, convener in circles.values()}
    assert set(told.values_list("recipient", flat=True)) == conveners
    medics_told = told.get(recipient=circles["medics"][1].user)
    assert medics_told.subject.startswith("Sprint: Street Medics forges with ")


@pytest.mark.django_db
def test_a_round_is_launched_once(proposed, fay, alice):
    sprints.launch(by=fay, round=proposed)
    with pytest.raises(ValidationError, match="already launched"):
        sprints.launch(by=alice, round=proposed)
    assert Sprint.objects.count() == 2


@pytest.mark.django_db
def test_at_its_deadline_a_sprint_moves_to_presenting_and_its_circles_hear(proposed, fay, circles):
    sprints.launch(by=fay, round=proposed)
    assert fire_due_timers(now=timezone.now() + timedelta(hours=71), limit=10) == []
    fired = fire_due_timers(now=timezone.now() + timedelta(hours=73), limit=10)
    assert len(fired) == 2
    assert all(timer.fired_at for timer in fired)
    assert set(Sprint.objects.values_list("state", flat=True)) == {Sprint.State.PRESENTING}
    told = Notification.objects.filter(kind=sprints.NotificationKind.SPRINT_DEADLINE)
    conveners = {convener.user_id for _circle, convener in circles.values()}
    assert set(told.values_list("recipient", flat=True)) == conveners
    assert told.count() == 4


@pytest.mark.django_db
def test_the_deadline_handler_runs_once_per_sprint(proposed, fay):
    sprint = sprints.launch(by=fay, round=proposed)[0]
    timer = Timer.objects.get(kind=sprints.SPRINT_DEADLINE, target_id=sprint.pk)
    sprints.sprint_reaches_deadline(timer)
    sprints.sprint_reaches_deadline(timer)
    assert Notification.objects.filter(kind=sprints.NotificationKind.SPRINT_DEADLINE).count() == 2


@pytest.mark.django_db
def test_a_cancelled_round_cannot_be_launched(proposed, fay):
    sprints.cancel_round(by=fay, round=proposed)
    with pytest.raises(ValidationError, match="cancelled"):
        sprints.launch(by=fay, round=proposed)
