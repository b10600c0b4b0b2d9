"""The commons world: a bail fund in Tidewater and circles for requesters and approvers.

mo is in "Food", pat in "Legal", quinn in "Art", rae in "Radio"; cora convenes medics.
``bail_fund`` is opened by alice through the service (grants up to €50 at once, two
other circles approve above that); ``funded`` is the same with €300 in it. ``fund`` is
a plainer "Bail Fund" row for ledger tests: empty, granting up to €100 at once.
"""

from decimal import Decimal

import pytest

from commons import services
from tests.factories import CircleFactory, CircleMembershipFactory, MembershipFactory, PoolFactory


def seat(circle, member, convener=False):
    CircleMembershipFactory(circle=circle, member=member, is_convener=convener)
    return member


@pytest.fixture
def food(tidewater):
    return CircleFactory(movement=tidewater, name="Food", slug="food")


@pytest.fixture
def legal(tidewater):
    return CircleFactory(movement=tidewater, name="Legal", slug="legal")


@pytest.fixture
def art(tidewater):
    return CircleFactory(movement=tidewater, name="Art", slug="art")


@pytest.fixture
def radio(tidewater):
    return CircleFactory(movement=tidewater, name="Radio", slug="radio")


@pytest.fixture
def in_food(mo, food):
    return seat(food, mo)


@pytest.fixture
def pat(tidewater, legal):
    return seat(legal, MembershipFactory(movement=tidewater, user__display_name="Pat"))


@pytest.fixture
def quinn(tidewater, art):
    return seat(art, MembershipFactory(movement=tidewater, user__display_name="Quinn"))


@pytest.fixture
def rae(tidewater, radio):
    return seat(radio, MembershipFactory(movement=tidewater, user__display_name="Rae"))


@pytest.fixture
def bail_fund(alice):
    return services.create_pool(
        by=alice,
        name="Bail Fund",
        kind="money",
        currency="EUR",
        purpose="Bail for anyone arrested.",
        instant_limit=Decimal("50"),
        approvals_required=2,
    )


@pytest.fixture
def funded(bail_fund, alice):
    services.contribute(by=alice, pool=bail_fund, amount=Decimal("300"))
    bail_fund.refresh_from_db()
    return bail_fund


@pytest.fixture
def fund(tidewater):
    return PoolFactory(
        movement=tidewater,
        name="Bail Fund",
        purpose="Bail for anyone arrested.",
        instant_limit=Decimal("100"),
    )
