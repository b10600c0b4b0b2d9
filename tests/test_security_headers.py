"""Headers a member's pages carry: nothing stored, no script reads the CSRF cookie, and the
browser is told which features the app never uses."""

import pytest
from django.urls import reverse

PAGES = [
    ("movement:home", {}),
    ("movement:members", {}),
    ("commons:pools", {}),
    ("circles:directory", {}),
    ("rituals:convergence", {}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_logged_in_pages_are_never_stored(login, mo, name, kwargs):
    response = login(mo).get(reverse(name, kwargs={"movement_slug": "tidewater", **kwargs}))
    assert response.status_code == 200
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


@pytest.mark.django_db
def test_the_notifications_page_is_never_stored(login, mo):
    response = login(mo).get(reverse("notifications"))
    assert {"private", "no-store"} <= {
        part.strip() for part in response["Cache-Control"].split(",")
    }


@pytest.mark.django_db
def test_the_public_landing_page_may_be_cached(client):
    response = client.get("/")
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.django_db
def test_the_csrf_cookie_is_out_of_scripts_reach_and_htmx_reads_the_page(client):
    response = client.get(reverse("account_login"))
    cookie = response.cookies["csrftoken"]
    assert cookie["httponly"] is True
    token = response.context["csrf_token"]
    assert f'hx-headers=\'{{"X-CSRFToken": "{token}"}}\'' in response.content.decode()


@pytest.mark.django_db
def test_features_the_app_never_uses_are_turned_off(client):
    policy = client.get("/")["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy
