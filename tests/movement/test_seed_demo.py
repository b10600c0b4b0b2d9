from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from circles.models import Circle
from commons import services as commons_services
from commons.models import LedgerEntry
from movement.models import Membership, Movement
from movement.services import create_movement
from rituals.models import Gathering
from tests.factories import UserFactory


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    movement = Movement.objects.get()
    assert Circle.objects.filter(movement=movement).count() == 6
    assert Membership.objects.filter(movement=movement).count() == 12
    roles = set(Membership.objects.filter(movement=movement).values_list("role", flat=True))
    assert roles == {"organizer", "facilitator", "member"}


@pytest.mark.django_db
def test_seed_demo_leaves_a_real_movement_of_the_same_name_alone():
    real = create_movement(by=UserFactory(), name="Tidewater Constellation", horizon="ours")
    call_command("seed_demo", stdout=StringIO())
    assert Membership.objects.filter(movement=real).count() == 1
    assert Movement.objects.count() == 2


@pytest.mark.django_db
def test_a_demo_seeded_before_it_had_a_past_keeps_its_ledger_as_it_is():
    """The past is written only by the run that creates what it fills: under entries that
    exist already, a year of history would break the running balance."""
    amara = UserFactory(email="amara@demo.constellation.test")
    movement = create_movement(by=amara, name="Tidewater Constellation", horizon="ours")
    founded = movement.created_at
    organizer = Membership.objects.get(movement=movement, user=amara)
    pool = commons_services.create_pool(
        by=organizer,
        name="Bail Fund",
        kind="money",
        currency="EUR",
        purpose="Bail.",
        instant_limit=Decimal("150"),
    )
    entry = commons_services.contribute(by=organizer, pool=pool, amount=Decimal("40"))
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert list(LedgerEntry.objects.filter(pool=pool)) == [entry]
    # What this run creates, it writes with its past: the rotating pool, in its third round.
    assert set(LedgerEntry.objects.values_list("pool__name", flat=True)) == {
        "Bail Fund",
        "Mutual Aid Circle",
    }
    movement.refresh_from_db()
    assert movement.created_at == founded
    assert "a year of its commons" not in out.getvalue()
    assert Gathering.objects.filter(movement=movement, state="closed").count() == 3
