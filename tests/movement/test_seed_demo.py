from io import StringIO

import pytest
from django.core.management import call_command

from circles.models import Circle
from movement.models import Membership, Movement
from movement.services import create_movement
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
