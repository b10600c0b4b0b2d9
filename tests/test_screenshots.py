"""`make screenshots` photographs the demo's main pages: each answers 200 for the demo
organizer, so the README never shows an error page."""

from io import StringIO

import pytest
from django.core.management import call_command

from constellation.screenshots import LOGIN, pages
from movement.models import Movement


@pytest.mark.django_db
def test_every_page_the_readme_shows_answers(client):
    call_command("seed_demo", stdout=StringIO())
    movement = Movement.objects.get(memberships__user__email=LOGIN[0])
    amara = movement.memberships.get(user__email=LOGIN[0]).user
    client.force_login(amara)
    shown = pages(movement)
    assert {"home", "bail-fund", "rotating-pool", "hall", "gathering"} <= {n for n, _ in shown}
    for name, path in shown:
        assert client.get(path).status_code == 200, name
