from decimal import Decimal

import pytest

from commons import services as commons_services
from movement import services


@pytest.fixture(autouse=True)
def _broker_not_yet_failed(monkeypatch):
    # A failed publish quiets the broker for half a minute in this process; each test
    # starts as a fresh process would.
    monkeypatch.setattr(services, "_broker_quiet_until", 0.0)


@pytest.fixture
def fund(alice):
    """Tidewater's bail fund: what a person gave, for their export and their deletion."""
    return commons_services.create_pool(
        by=alice,
        name="Bail Fund",
        kind="money",
        currency="EUR",
        purpose="Bail.",
        instant_limit=Decimal("50"),
    )
