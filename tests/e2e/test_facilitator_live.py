"""A gathering run live: Fay facilitates in one browser, Mo follows in another.

Mo's page is opened once and never reloaded: the live panel polls every 2 s, so
what Fay does shows up there within a poll or two, and the minutes replace the
panel when she closes the gathering.
"""

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from tests.e2e.people import log_in

REPORT_ITEM = "Street Medics reports back"
OWN_ITEM = "Next sprint pairings"
DECISION = "Medics get €200 from the bail fund for gauze."
# One poll interval (2 s) plus the request and the swap.
LIVE = 3000


@dataclass
class World:
    movement: object
    gathering: object


@pytest.fixture
def world(tidewater, gathering_now, fay, mo):
    return World(movement=tidewater, gathering=gathering_now)


def test_attendees_follow_the_facilitator_without_reloading(new_context, world, fay, mo):
    gathering_url = f"/m/{world.movement.slug}/convergence/gatherings/{world.gathering.pk}/"

    # Fay opens facilitator mode, starts the gathering and sets the agenda.
    facilitator = log_in(new_context, fay)
    facilitator.goto(f"{gathering_url}facilitate/")
    expect(facilitator.get_by_role("heading", name="Facilitating cycle 1")).to_be_visible()
    facilitator.get_by_role("button", name="Start the gathering").click()
    expect(facilitator.get_by_role("button", name="Start the gathering")).to_have_count(0)
    expect(facilitator.get_by_text("Gathering time left:")).to_be_visible()

    facilitator.get_by_role("button", name="Add an item for each circle that reported").click()
    expect(facilitator.get_by_role("button", name=f"Start item: {REPORT_ITEM}")).to_be_visible()
    facilitator.get_by_label("Item:", exact=True).fill(OWN_ITEM)
    facilitator.get_by_label("Timebox (minutes)").fill("15")
    facilitator.get_by_role("button", name="Add the item").click()
    agenda = facilitator.get_by_role("region", name="Agenda").get_by_role("listitem")
    expect(agenda).to_have_count(2)
    expect(agenda.first).to_contain_text(REPORT_ITEM)
    expect(agenda.last).to_contain_text(OWN_ITEM)

    # Mo opens the attendees' page once; it must never load again.
    attendee = log_in(new_context, mo)
    attendee.goto(gathering_url)
    live = attendee.get_by_role("region", name="Live now")
    expect(live).to_be_visible()
    expect(live.get_by_text("Between items.")).to_be_visible()
    expect(live.get_by_role("listitem")).to_have_text(
        [re.compile(REPORT_ITEM), re.compile(OWN_ITEM)]
    )
    # A full page load would start a new document and lose this mark.
    attendee.evaluate("window.__noReload = true")

    # Fay starts the circle's report-back: Mo sees it at the next poll.
    facilitator.get_by_role("button", name=f"Start item: {REPORT_ITEM}").click()
    expect(facilitator.get_by_role("heading", name=f"Notes on {REPORT_ITEM}")).to_be_visible()
    expect(live.get_by_role("heading", name=f"Now: {REPORT_ITEM}")).to_be_visible(timeout=LIVE)
    expect(live.get_by_role("listitem").filter(has_text=REPORT_ITEM)).to_have_attribute(
        "aria-current", "step"
    )

    # The item's countdown ticks in Mo's browser: a 10-minute timebox, just begun.
    countdown = live.get_by_text("Time left for this item:").locator(".countdown")
    expect(countdown).to_have_text(re.compile(r"^0:(?:09:\d\d|10:00)$"))
    started_at = countdown.text_content()
    expect(countdown).not_to_have_text(started_at, timeout=LIVE)
    expect(countdown).to_have_text(re.compile(r"^\d+:\d\d:\d\d$"))

    # Fay records a decision: Mo sees it at the next poll.
    facilitator.get_by_label("Decision:", exact=True).fill(DECISION)
    facilitator.get_by_role("button", name="Record the decision").click()
    decisions = facilitator.get_by_role("region", name="Record a decision")
    expect(decisions.get_by_role("listitem")).to_have_text([DECISION])
    expect(live.get_by_text(DECISION)).to_be_visible(timeout=LIVE)
    assert attendee.evaluate("window.__noReload") is True

    # Fay closes the gathering: the last poll brings Mo the minutes, and polling stops.
    facilitator.get_by_role("button", name="Close the gathering and publish the minutes").click()
    facilitator.get_by_role("button", name="Yes, close it and publish the minutes").click()
    expect(facilitator.get_by_role("status")).to_contain_text(
        "The gathering is closed and its minutes are published."
    )
    minutes = attendee.get_by_role("region", name="Minutes")
    expect(minutes).to_be_visible(timeout=LIVE)
    expect(minutes.get_by_text(DECISION)).to_be_visible()
    expect(minutes.get_by_role("heading", name=re.compile(r"^Now:"))).to_have_count(0)
    expect(attendee.get_by_role("region", name="Live now")).to_have_count(0)
    assert attendee.evaluate("window.__noReload") is True

    polls = []
    attendee.on("request", lambda request: polls.append(request.url))
    attendee.wait_for_timeout(2500)  # longer than one poll interval
    assert not [url for url in polls if url.endswith("/live/")], polls
