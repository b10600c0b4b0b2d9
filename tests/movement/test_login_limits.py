"""The per-account failed-login limit counts every wrong password for an account, whatever
Host header the attempts carry."""

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import PASSWORD, UserFactory


def _log_in(host, email, password):
    client = Client(HTTP_HOST=host, REMOTE_ADDR=f"10.0.0.{hash(host) % 200 + 1}")
    response = client.post("/accounts/login/", {"login": email, "password": password})
    return client, response


@pytest.mark.django_db
def test_wrong_passwords_under_many_host_headers_still_lock_the_account(settings):
    settings.ALLOWED_HOSTS = ["*"]
    user = UserFactory()
    for port in range(9):
        _log_in(f"localhost:{8000 + port}", user.email, "wrong")
    client, response = _log_in("localhost:9999", user.email, PASSWORD)
    assert "Too many failed login attempts" in response.content.decode()
    assert not client.get("/").context["user"].is_authenticated


@pytest.mark.django_db
def test_upper_case_and_spaces_are_the_same_account(settings):
    user = UserFactory()
    for variant in (user.email.upper(), f" {user.email}", user.email.title()) * 2:
        _log_in("localhost", variant, "wrong")
    client, response = _log_in("localhost", user.email, PASSWORD)
    assert not client.get("/").context["user"].is_authenticated


@pytest.mark.django_db
def test_a_burst_of_other_log_ins_does_not_wipe_the_count(settings):
    user = UserFactory()
    for _attempt in range(5):
        _log_in("localhost", user.email, "wrong")
    for n in range(400):  # what a hundred people logging in leave in the cache
        cache.set(f"someone-else:{n}", [n], 300)
    client, _response = _log_in("localhost", user.email, PASSWORD)
    assert not client.get("/").context["user"].is_authenticated
