"""The fixture world every test shares (after healthchecks' alice, bob and charlie).

In the movement "Tidewater": alice organizes, fay facilitates, mo is a member,
cora convenes the circle "Street Medics". nina is logged in but belongs to no
movement. otto organizes another movement, "Elsewhere".
"""

import os

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection
from hypothesis import settings as hypothesis_settings

from constellation.celery import app as celery_app
from tests.factories import (
    CircleFactory,
    CircleMembershipFactory,
    MembershipFactory,
    MovementFactory,
    UserFactory,
)

IN_CI = bool(os.environ.get("CI"))

# CI explores the same examples every run, so a red build is reproducible, not luck.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if IN_CI:
    hypothesis_settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _empty_cache(request):
    # The default cache (allauth's rate limits) is a database table, which a transactional
    # test's flush does not empty: every test that reaches the database starts without it.
    uses_database = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if not uses_database:
        yield
        return
    request.getfixturevalue("_django_db_helper")  # the database as the test asked for it
    for alias in settings.CACHES:
        caches[alias].clear()  # ids come back after a rollback: so would kept pages
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Hashing strength is Django's concern; these tests check who may do what.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _tasks_run_in_process():
    # The real task code runs inline; tests that need the broker say so explicitly.
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def needs(condition, reason):
    """Skip locally when a service is missing; in CI a missing service is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI must provide this: {reason}")
    pytest.skip(reason)


@pytest.fixture
def postgres(db):
    needs(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def tidewater(db):
    return MovementFactory(name="Tidewater", slug="tidewater")


@pytest.fixture
def elsewhere(db):
    return MovementFactory(name="Elsewhere", slug="elsewhere")


@pytest.fixture
def alice(tidewater):
    return MembershipFactory(movement=tidewater, role="organizer", user__display_name="Alice")


@pytest.fixture
def fay(tidewater):
    return MembershipFactory(movement=tidewater, role="facilitator", user__display_name="Fay")


@pytest.fixture
def mo(tidewater):
    return MembershipFactory(movement=tidewater, role="member", user__display_name="Mo")


@pytest.fixture
def medics(tidewater):
    return CircleFactory(movement=tidewater, name="Street Medics", slug="street-medics")


@pytest.fixture
def cora(tidewater, medics):
    member = MembershipFactory(movement=tidewater, role="member", user__display_name="Cora")
    CircleMembershipFactory(circle=medics, member=member, is_convener=True)
    return member


@pytest.fixture
def nina(db):
    return UserFactory(display_name="Nina")


@pytest.fixture
def otto(elsewhere):
    return MembershipFactory(movement=elsewhere, role="organizer", user__display_name="Otto")


@pytest.fixture
def login(client):
    """``login(user_or_membership)`` logs the test client in and returns it."""

    def _login(who):
        user = getattr(who, "user", who)
        client.force_login(user)
        return client

    return _login
