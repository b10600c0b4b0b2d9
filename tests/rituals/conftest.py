"""The convergence world: Tidewater's rhythm and the gatherings it plans.

On 24 November 2026 alice sets Tidewater to gather on the first Saturday of each month,
18:00 to 20:00 in Paris, at Harbor hall. That plans the next three gatherings, each with
its reminders: 5 December 2026, 2 January 2027 and 6 February 2027.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from rituals.models import Gathering
from tests.factories import (
    CircleFactory,
    CircleMembershipFactory,
    RhythmFactory,
    SprintFactory,
)

PARIS = ZoneInfo("Europe/Paris")
RHYTHM_SET_ON = datetime(2026, 11, 24, 12, tzinfo=PARIS)


@pytest.fixture
def gatherings(alice):
    """The three gatherings the rhythm plans, in order."""
    RhythmFactory(by=alice, now=RHYTHM_SET_ON)
    return list(Gathering.objects.filter(movement=alice.movement).order_by("starts_at"))


@pytest.fixture
def gathering(gatherings):
    """The first: Saturday 5 December 2026, 18:00 in Paris."""
    return gatherings[0]


@pytest.fixture
def tenants(tidewater, mo):
    """Tenants Union, convened by mo: the second circle of the sprint tests."""
    circle = CircleFactory(movement=tidewater, name="Tenants Union", slug="tenants-union")
    CircleMembershipFactory(circle=circle, member=mo, is_convener=True)
    return circle


@pytest.fixture
def sprint(fay, medics, cora, tenants, mo):
    """Street Medics (cora) × Tenants Union (mo), running for 72 hours."""
    return SprintFactory(by=fay, conveners={medics: cora, tenants: mo})
