"""Sign-up, e-mail verification, log-in, password reset and two-factor, through allauth."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)

from tests.factories import PASSWORD, UserFactory


def current_code(secret):
    counter = list(yield_hotp_counters_from_time())[-1]
    return format_hotp_value(hotp_value(secret, counter))


def log_in(client, email, password=PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


@pytest.mark.django_db
def test_sign_up_verify_by_code_and_land_logged_in(client, mailoutbox):
    response = client.post(
        "/accounts/signup/",
        {
            "display_name": "Rosa",
            "email": "rosa@example.org",
            "password1": "bus-boycott-1955",
            "password2": "bus-boycott-1955",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mailoutbox[0].body, re.MULTILINE).group(1)
    response = client.post("/accounts/confirm-email/", {"code": code})
    assert response.status_code == 302
    home = client.get("/")
    assert home.context["user"].display_name == "Rosa"
    assert home.context["user"].emailaddress_set.get().verified


@pytest.mark.django_db
def test_an_unverified_account_cannot_log_in_yet(client, mailoutbox):
    user = UserFactory(verified=False)
    response = log_in(client, user.email)
    assert response["Location"] == "/accounts/confirm-email/"
    assert not client.get("/").context["user"].is_authenticated


@pytest.mark.django_db
def test_log_in_and_out(client):
    user = UserFactory()
    assert log_in(client, user.email).status_code == 302
    assert client.get("/").context["user"] == user
    client.post("/accounts/logout/")
    assert not client.get("/").context["user"].is_authenticated


@pytest.mark.django_db
def test_password_reset_by_e_mailed_link(client, mailoutbox):
    user = UserFactory()
    client.post("/accounts/password/reset/", {"email": user.email})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", mailoutbox[0].body)
    response = client.get(link.group(1), follow=True)
    form_url = response.redirect_chain[-1][0]
    client.post(form_url, {"password1": "new-spring-2012", "password2": "new-spring-2012"})
    user.refresh_from_db()
    assert user.check_password("new-spring-2012")


@pytest.mark.django_db
def test_repeated_failed_logins_are_rate_limited(client):
    user = UserFactory()
    for _ in range(6):
        log_in(client, user.email, password="wrong")
    response = log_in(client, user.email)
    assert response.status_code in (200, 429)
    assert not client.get("/").context["user"].is_authenticated


@pytest.mark.django_db
def test_turn_on_totp_and_get_recovery_codes(client):
    user = UserFactory()
    log_in(client, user.email)
    # Changing security settings asks for the password again (allauth's reauthentication).
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    client.get("/accounts/2fa/totp/activate/")
    secret = client.session["mfa.totp.secret"]
    response = client.post("/accounts/2fa/totp/activate/", {"code": current_code(secret)})
    assert response.status_code == 302
    types = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}


@pytest.fixture
def user_with_totp(db):
    user = UserFactory()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return user, secret, RecoveryCodes.activate(user).get_unused_codes()


@pytest.mark.django_db
def test_log_in_asks_for_the_second_factor(client, user_with_totp):
    user, secret, _codes = user_with_totp
    response = log_in(client, user.email)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert not client.get("/").context["user"].is_authenticated
    client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})
    assert client.get("/").context["user"] == user


@pytest.mark.django_db
def test_a_wrong_code_keeps_you_out(client, user_with_totp):
    user, _secret, _codes = user_with_totp
    log_in(client, user.email)
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert response.status_code == 200
    assert not client.get("/").context["user"].is_authenticated


@pytest.mark.django_db
def test_a_recovery_code_works_once(client, user_with_totp):
    user, _secret, codes = user_with_totp
    log_in(client, user.email)
    client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert client.get("/").context["user"] == user
    client.post("/accounts/logout/")
    log_in(client, user.email)
    client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert not client.get("/").context["user"].is_authenticated
