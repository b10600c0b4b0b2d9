"""A logged-in page reads its session and its user in one query (issue 10's cheap path),
and every check Django makes on a session's user still holds on that path."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from movement.models import Session
from movement.tasks import forget_expired_sessions
from tests.factories import MembershipFactory


def queries_of(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, [query["sql"] for query in captured.captured_queries]


def test_the_session_brings_its_user_in_the_same_query(alice, login):
    client = login(alice)

    response, sql = queries_of(client, reverse("notifications"))

    assert response.status_code == 200
    assert response.context["user"] == alice.user
    session_reads = [q for q in sql if 'FROM "movement_session"' in q]
    assert len(session_reads) == 1
    assert 'JOIN "movement_user"' in session_reads[0]
    user_alone = [q for q in sql if q.startswith("SELECT") and 'FROM "movement_user" WHERE' in q]
    assert user_alone == []


def test_the_session_row_knows_its_account_and_goes_with_it(alice, login):
    client = login(alice)
    key = client.session.session_key
    assert Session.objects.get(session_key=key).user_id == alice.user_id

    alice.user.delete()

    assert not Session.objects.filter(session_key=key).exists()


def test_a_password_changed_elsewhere_ends_this_session(alice, login):
    client = login(alice)
    alice.user.set_password("a-new-passphrase-nobody-guesses")
    alice.user.save()

    response = client.get(reverse("notifications"))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_deactivated_account_is_logged_out(alice, login):
    client = login(alice)
    alice.user.is_active = False
    alice.user.save()

    response = client.get(reverse("notifications"))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_session_signed_before_a_key_rotation_still_holds(alice, login, settings):
    client = login(alice)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-rotated-secret-key-" + "x" * 40
    settings.SECRET_KEY_FALLBACKS = [old_key]

    response = client.get(reverse("notifications"))

    assert response.status_code == 200
    assert response.context["user"] == alice.user


def test_a_session_without_its_user_column_still_logs_in(alice, login):
    """Sessions copied over from Django's table carry no user until they are saved again."""
    client = login(alice)
    Session.objects.filter(session_key=client.session.session_key).update(user=None)

    response = client.get(reverse("notifications"))

    assert response.status_code == 200
    assert response.context["user"] == alice.user


def test_a_session_naming_another_user_than_its_row_is_not_trusted(alice, tidewater, login):
    """The row's user is only a shortcut: the session's own data decides who is logged in."""
    bob = MembershipFactory(movement=tidewater, user__display_name="Bob")
    client = login(alice)
    Session.objects.filter(session_key=client.session.session_key).update(user=bob.user)

    response = client.get(reverse("notifications"))

    assert response.context["user"] == alice.user


@pytest.mark.django_db
def test_expired_sessions_are_forgotten_daily(alice, login, client):
    live = login(alice).session.session_key
    Session.objects.create(
        session_key="x" * 32,
        session_data="",
        expire_date=timezone.now() - timedelta(days=1),
    )

    forget_expired_sessions()

    assert list(Session.objects.values_list("session_key", flat=True)) == [live]
