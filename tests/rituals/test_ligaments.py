"""The ligaments between circles, read from the database: each kind counted, and a fixed
number of queries whatever the size of the movement."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from commons.services import decide_draw, withdraw_draw
from rituals.models import Sprint, SprintCircle, SprintRound
from rituals.selectors import ligaments_between
from rituals.services.facilitation import record_commitment
from tests.factories import (
    CircleFactory,
    CircleMembershipFactory,
    DrawRequestFactory,
    GatheringFactory,
    MembershipFactory,
    PoolFactory,
)

PARIS = ZoneInfo("Europe/Paris")
QUERIES = 4


@pytest.fixture
def kitchen(tidewater):
    return CircleFactory(movement=tidewater, name="People's Kitchen", slug="kitchen")


@pytest.fixture
def art(tidewater):
    return CircleFactory(movement=tidewater, name="Art", slug="art")


def seat(circle, member=None):
    member = member or MembershipFactory(movement=circle.movement)
    CircleMembershipFactory(circle=circle, member=member)
    return member


def between(movement, a, b, **kwargs):
    return ligaments_between(movement, **kwargs).get(frozenset((a.pk, b.pk)))


# --- shared members --------------------------------------------------------------------------


def test_members_in_both_circles_tie_them(tidewater, medics, kitchen, art):
    for _ in range(2):
        member = seat(medics)
        seat(kitchen, member)
    seat(art, seat(medics))  # one more member, in the medics and the art circle

    assert between(tidewater, medics, kitchen).shared_members == 2
    assert between(tidewater, medics, art).shared_members == 1


def test_members_of_one_circle_only_tie_nothing(tidewater, medics, kitchen):
    seat(medics)
    seat(kitchen)
    assert ligaments_between(tidewater) == {}


# --- commitments -----------------------------------------------------------------------------


def test_a_commitment_naming_another_circle_ties_them(tidewater, medics, kitchen):
    gathering = GatheringFactory(
        movement=tidewater, starts_at=datetime(2027, 3, 6, 18, tzinfo=PARIS)
    )
    record_commitment(
        by=None,
        gathering=gathering,
        circle=medics,
        text="Train the people's kitchen crew in first aid",
    )
    ligament = between(tidewater, medics, kitchen)
    assert ligament.commitments == 1
    assert ligament.last_commitment_on == datetime(2027, 3, 6).date()


def test_the_last_commitment_is_dated_in_the_movement_s_time_zone(tidewater, medics, kitchen):
    tidewater.time_zone = "Europe/Paris"
    tidewater.save()
    # 23:30 in UTC on 31 March is already 1 April in Paris.
    gathering = GatheringFactory(
        movement=tidewater, starts_at=datetime(2027, 3, 31, 23, 30, tzinfo=ZoneInfo("UTC"))
    )
    record_commitment(by=None, gathering=gathering, circle=kitchen, text="Feed the Street Medics")
    assert between(tidewater, medics, kitchen).last_commitment_on == datetime(2027, 4, 1).date()


def test_commitments_each_way_add_up_and_keep_the_latest_date(tidewater, medics, kitchen):
    march = GatheringFactory(movement=tidewater, starts_at=datetime(2027, 3, 6, 18, tzinfo=PARIS))
    april = GatheringFactory(movement=tidewater, starts_at=datetime(2027, 4, 3, 18, tzinfo=PARIS))
    record_commitment(by=None, gathering=april, circle=medics, text="Cook with People's Kitchen")
    record_commitment(by=None, gathering=march, circle=kitchen, text="Ask street medics for kits")
    ligament = between(tidewater, medics, kitchen)
    assert ligament.commitments == 2
    assert ligament.last_commitment_on == datetime(2027, 4, 3).date()


def test_a_name_inside_another_word_names_nobody(tidewater, medics, art):
    gathering = GatheringFactory(movement=tidewater)
    record_commitment(by=None, gathering=gathering, circle=medics, text="Restart the night shift")
    assert between(tidewater, medics, art) is None


def test_commitments_at_the_same_gathering_tie_nothing_by_themselves(tidewater, medics, kitchen):
    gathering = GatheringFactory(movement=tidewater)
    record_commitment(by=None, gathering=gathering, circle=medics, text="Buy gauze")
    record_commitment(by=None, gathering=gathering, circle=kitchen, text="Cook on Fridays")
    assert ligaments_between(tidewater) == {}


# --- commons draws -----------------------------------------------------------------------------


@pytest.fixture
def fund(tidewater):
    return PoolFactory(movement=tidewater, instant_limit=Decimal("10"), approvals_required=1)


def draw_for(circle, fund, approver_circle, decision="approve"):
    """A draw above the limit for ``circle``, decided by a member of ``approver_circle``."""
    draw = DrawRequestFactory(by=seat(circle), pool=fund, amount=Decimal("100"), circle=circle)
    if approver_circle is not None:
        decide_draw(
            by=seat(approver_circle),
            draw_request=draw,
            decision=decision,
            comment="" if decision == "approve" else "Not now.",
            circle=approver_circle,
        )
    return draw


def test_a_draw_approved_by_another_circle_ties_them(tidewater, medics, kitchen, art, fund):
    draw_for(medics, fund, kitchen)
    draw_for(kitchen, fund, medics)
    assert between(tidewater, medics, kitchen).commons == 2
    assert between(tidewater, medics, art) is None


def test_draws_that_served_nobody_tie_nothing(tidewater, medics, kitchen, art, fund):
    draw_for(medics, fund, None)  # still waiting
    draw_for(medics, fund, kitchen, decision="decline")
    withdrawn = draw_for(art, fund, kitchen)
    withdraw_draw(by=_requester(withdrawn), draw_request=withdrawn)
    assert ligaments_between(tidewater) == {}


def _requester(draw):
    return draw.requested_by.memberships.get()


# --- past sprints ------------------------------------------------------------------------------


def sprint_of(*circles):
    movement = circles[0].movement
    now = timezone.now()
    sprint_round = SprintRound.objects.create(
        movement=movement, deadline=now, state=SprintRound.State.LAUNCHED
    )
    sprint = Sprint.objects.create(
        round=sprint_round, movement=movement, starts_at=now, ends_at=now + timedelta(hours=72)
    )
    for circle in circles:
        SprintCircle.objects.create(sprint=sprint, round=sprint_round, circle=circle)
    return sprint


def test_sprints_together_tie_circles(tidewater, medics, kitchen, art):
    sprint_of(medics, kitchen)
    sprint_of(medics, kitchen, art)
    assert between(tidewater, medics, kitchen).sprints == 2
    assert between(tidewater, kitchen, art).sprints == 1


# --- which circles -----------------------------------------------------------------------------


def test_every_kind_adds_to_one_ligament(tidewater, medics, kitchen, fund):
    seat(kitchen, seat(medics))
    record_commitment(
        by=None,
        gathering=GatheringFactory(movement=tidewater),
        circle=kitchen,
        text="Feed street medics",
    )
    draw_for(medics, fund, kitchen)
    sprint_of(medics, kitchen)
    ligament = between(tidewater, medics, kitchen)
    assert (ligament.sprints, ligament.shared_members, ligament.commitments, ligament.commons) == (
        1,
        1,
        1,
        1,
    )
    assert ligament.strength == 3 + 2 + 2 + 1


def test_archived_circles_are_left_out(tidewater, medics, kitchen):
    seat(kitchen, seat(medics))
    kitchen.archived_at = timezone.now()
    kitchen.save()
    assert ligaments_between(tidewater) == {}


def test_only_the_circles_asked_for(tidewater, medics, kitchen, art):
    seat(kitchen, seat(medics))
    seat(art, seat(medics))
    ligaments = ligaments_between(tidewater, circle_ids=[medics.pk, art.pk])
    assert list(ligaments) == [frozenset((medics.pk, art.pk))]


def test_another_movement_s_circles_are_left_out(tidewater, elsewhere, medics):
    outsider = CircleFactory(movement=elsewhere, name="Outsiders")
    person = seat(medics)
    CircleMembershipFactory(circle=outsider, member=person)  # a row no service would write
    assert ligaments_between(tidewater) == {}
    assert ligaments_between(elsewhere) == {}


# --- queries -----------------------------------------------------------------------------------


def tied_ring(movement, size, fund):
    """``size`` circles, each tied to the next by every kind of ligament."""
    circles = [CircleFactory(movement=movement) for _ in range(size)]
    gathering = GatheringFactory(movement=movement)
    for circle, following in zip(circles, circles[1:] + circles[:1], strict=True):
        seat(following, seat(circle))
        record_commitment(
            by=None, gathering=gathering, circle=circle, text=f"Meet {following.name} twice"
        )
        draw_for(circle, fund, following)
        sprint_of(circle, following)
    return circles


@pytest.mark.parametrize("size", [3, 30])
def test_the_query_count_does_not_grow_with_the_movement(
    tidewater, fund, size, django_assert_num_queries
):
    tied_ring(tidewater, size, fund)
    with django_assert_num_queries(QUERIES):
        ligaments = ligaments_between(tidewater)
    assert len(ligaments) == size
    assert {ligament.strength for ligament in ligaments.values()} == {3 + 2 + 2 + 1}


# --- what a commitment named is kept with it ---------------------------------------------------


def test_a_renamed_circle_keeps_the_commitments_made_to_it(tidewater, medics, kitchen):
    record_commitment(
        by=None,
        gathering=GatheringFactory(movement=tidewater),
        circle=medics,
        text="Cook with people's kitchen",
    )
    kitchen.name = "Soup Collective"
    kitchen.save()
    assert between(tidewater, medics, kitchen).commitments == 1


def test_a_circle_named_after_the_commitment_was_written_is_not_tied(tidewater, medics):
    record_commitment(
        by=None, gathering=GatheringFactory(movement=tidewater), circle=medics, text="Start a choir"
    )
    choir = CircleFactory(movement=tidewater, name="Choir")
    assert between(tidewater, medics, choir) is None


def test_a_commitment_naming_only_its_own_circle_ties_nothing(tidewater, medics):
    record_commitment(
        by=None,
        gathering=GatheringFactory(movement=tidewater),
        circle=medics,
        text="Street medics rest",
    )
    assert ligaments_between(tidewater) == {}
