"""Countdowns respect reduced motion (issue 16): in facilitator mode the gathering's time
left ticks every second; for someone whose system asks for reduced motion it shows hours
and minutes, changing once a minute."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from rituals.services import convergence
from tests.e2e.people import log_in
from tests.factories import first_gathering


def _happening_now(tidewater, alice):
    first = first_gathering(by=alice, time_zone="UTC", place="")
    now = timezone.now()
    return convergence.move_gathering(
        by=alice,
        gathering=first,
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(minutes=110),
    )


def test_the_countdown_is_calm_when_asked(new_context, tidewater, alice, fay):
    gathering = _happening_now(tidewater, alice)
    url = f"{gathering.get_absolute_url()}facilitate/"

    ticking = log_in(new_context, fay)
    ticking.goto(url)
    ticking.get_by_role("button", name="Start the gathering").click()
    clock = ticking.locator("[data-ends-at]")
    expect(clock).to_have_text(re.compile(r"^1:\d\d:\d\d$"))
    seen = clock.text_content()
    expect(clock).not_to_have_text(seen, timeout=3000)

    calm = log_in(new_context, fay, reduced_motion="reduce")
    calm.goto(url)
    clock = calm.locator("[data-ends-at]")
    expect(clock).to_have_text(re.compile(r"^1:\d\d$"))
    seen = clock.text_content()
    calm.wait_for_timeout(2500)
    assert clock.text_content() == seen
