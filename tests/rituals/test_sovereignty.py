"""Sovereignty gained: recorded per cycle and circle by its conveners (or organizers) once
the gathering is held; counts, never names; one step from a pool or a sprint's artifact;
asked for under "needs me" after each gathering."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from movement.needs import needs_of
from rituals.models import Gathering, SovereigntyRecord
from rituals.services import sovereignty
from tests.factories import CircleFactory, CircleMembershipFactory, GatheringFactory, PoolFactory

NEW = reverse("rituals:sovereignty_new", kwargs={"movement_slug": "tidewater"})
LIST = reverse("rituals:sovereignty", kwargs={"movement_slug": "tidewater"})


@pytest.fixture
def held(tidewater):
    return GatheringFactory(
        movement=tidewater,
        starts_at=timezone.now() - timedelta(days=3),
        state=Gathering.State.CLOSED,
    )


def test_a_convener_records_what_their_circle_gained(cora, medics, held):
    entry = sovereignty.record(
        by=cora, cycle=held.cycle, circle=medics, kind="skills", what="first aid", people=12
    )
    assert (entry.kind, entry.people, entry.recorded_by) == ("skills", 12, cora)


def test_a_member_who_does_not_convene_it_cannot(mo, medics, held):
    with pytest.raises(PermissionDenied):
        sovereignty.record(by=mo, cycle=held.cycle, circle=medics, kind="institution", what="x")


def test_organizers_record_for_any_circle(alice, medics, held):
    sovereignty.record(
        by=alice, cycle=held.cycle, circle=medics, kind="institution", what="A co-op"
    )
    assert SovereigntyRecord.objects.count() == 1


def test_a_cycle_not_held_yet_is_refused(cora, medics, tidewater):
    upcoming = GatheringFactory(movement=tidewater)
    with pytest.raises(ValidationError) as refused:
        sovereignty.record(
            by=cora, cycle=upcoming.cycle, circle=medics, kind="institution", what="x"
        )
    assert "once its gathering is held" in str(refused.value)


def test_leaders_and_skills_say_how_many_and_nothing_else_does(cora, medics, held):
    with pytest.raises(ValidationError) as refused:
        sovereignty.record(by=cora, cycle=held.cycle, circle=medics, kind="leaders", what="x")
    assert "never names" in str(refused.value)
    entry = sovereignty.record(
        by=cora, cycle=held.cycle, circle=medics, kind="institution", what="x", people=9
    )
    assert entry.people is None


def test_a_pool_becomes_a_record_in_one_step(login, alice, medics, held, tidewater):
    pool = PoolFactory(movement=tidewater, name="Bail fund", instant_limit=Decimal("10"))
    client = login(alice)
    page = client.get(NEW, {"pool": pool.pk})
    form = page.context["form"]
    assert form.initial["kind"] == "resources" and form.initial["what"] == "Bail fund"
    response = client.post(
        NEW,
        {
            "pool": pool.pk,
            "cycle": held.cycle.number,
            "circle": medics.name,
            "kind": "resources",
            "what": "Bail fund",
        },
    )
    assert response.status_code == 302
    assert SovereigntyRecord.objects.get().pool == pool


def test_a_shared_space_or_a_rotating_pool_becomes_a_record_in_one_step(
    login, alice, medics, held, tidewater
):
    from commons import services as commons_services
    from commons.services import rotation

    hall = commons_services.add_resource(by=alice, name="Community hall", description="x")
    circle = rotation.open_rotation(
        by=alice,
        name="Sou-sou",
        currency="EUR",
        purpose="x",
        share="20",
        round_days=7,
        order="lot",
    )
    client = login(alice)
    assert f"?resource={hall.pk}" in client.get(hall.get_absolute_url()).content.decode()
    assert client.get(NEW, {"resource": hall.pk}).context["form"].initial["what"] == (
        "Community hall"
    )
    for evidence, name in (
        ({"resource": hall.pk}, "Community hall"),
        ({"pool": circle.pool_id}, "Sou-sou"),
    ):
        response = client.post(
            NEW,
            {
                **evidence,
                "cycle": held.cycle.number,
                "circle": medics.name,
                "kind": "resources",
                "what": name,
            },
        )
        assert response.status_code == 302
    records = SovereigntyRecord.objects.order_by("pk")
    assert [(r.resource, r.pool) for r in records] == [(hall, None), (None, circle.pool)]
    assert "Community hall" in client.get(LIST).content.decode()


def test_another_movement_s_pool_is_no_evidence(login, alice, medics, held, elsewhere):
    pool = PoolFactory(movement=elsewhere, name="Theirs", instant_limit=Decimal("10"))
    login(alice).post(
        NEW,
        {
            "pool": pool.pk,
            "cycle": held.cycle.number,
            "circle": medics.name,
            "kind": "resources",
            "what": "Theirs",
        },
    )
    assert SovereigntyRecord.objects.get().pool is None


def test_conveners_are_asked_after_the_gathering_until_they_record(cora, medics, held):
    def asked():
        return [n for n in needs_of(cora) if n.url == NEW]

    (need,) = asked()
    assert "Street Medics" in need.detail
    sovereignty.record(by=cora, cycle=held.cycle, circle=medics, kind="institution", what="x")
    assert asked() == []


def test_a_month_after_the_gathering_nobody_is_asked(cora, medics, tidewater):
    GatheringFactory(
        movement=tidewater,
        starts_at=timezone.now() - timedelta(days=40),
        state=Gathering.State.CLOSED,
    )
    assert [n for n in needs_of(cora) if n.url == NEW] == []


@pytest.mark.parametrize("size", [2, 20])
def test_the_page_runs_a_fixed_number_of_queries(
    size, login, alice, tidewater, django_assert_num_queries
):
    for index in range(size):
        gathering = GatheringFactory(
            movement=tidewater,
            starts_at=timezone.now() - timedelta(days=30 * (index + 1)),
            state=Gathering.State.CLOSED,
        )
        circle = CircleFactory(movement=tidewater)
        CircleMembershipFactory(circle=circle, member=alice, is_convener=True)
        sovereignty.record(
            by=alice, cycle=gathering.cycle, circle=circle, kind="skills", what="x", people=3
        )
    client = login(alice)
    with django_assert_num_queries(8):
        assert client.get(LIST).status_code == 200
