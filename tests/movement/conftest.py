import pytest

from movement import services


@pytest.fixture(autouse=True)
def _broker_not_yet_failed(monkeypatch):
    # A failed publish quiets the broker for half a minute in this process; each test
    # starts as a fresh process would.
    monkeypatch.setattr(services, "_broker_quiet_until", 0.0)
