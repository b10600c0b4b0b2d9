"""What needs me, on a phone (issue 11's "done when").

Mo asks the bail fund for more than it grants at once. Bea, in another circle, is told:
the unread count in the header and "What needs you" on the home show it, and she
approves from there; Mo sees the draw granted on the same home. Along the way, and on
the organizer's pages, axe-core finds no serious or critical violation.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from movement import services as movement_services
from tests.e2e.axe import serious_violations
from tests.e2e.people import PHONE, bail_fund, log_in, member_of
from tests.factories import GatheringFactory

PURPOSE = "Bail for two people arrested at the blockade."


@dataclass
class World:
    movement: object
    pool: object
    alice: object
    mo: object
    bea: object
    gathering: object
    invitation: object


@pytest.fixture
def world(tidewater, alice):
    pool = bail_fund(alice, approvals_required=1, holding="500")
    return World(
        movement=tidewater,
        pool=pool,
        alice=alice,
        mo=member_of(tidewater, "Harbor medics", "Mo"),
        bea=member_of(tidewater, "Tenants united", "Bea"),
        gathering=GatheringFactory(movement=tidewater, place="Harbor hall"),
        invitation=movement_services.create_invitation(
            by=alice,
            role="member",
            expires_at=timezone.now() + timedelta(days=5),
            single_use=True,
        ),
    )


def assert_accessible(page: Page):
    assert serious_violations(page) == [], page.url


def needs(page: Page):
    return page.get_by_role("region", name="What needs you")


def test_a_draw_above_the_limit_reaches_those_who_decide_and_is_granted(new_context, world):
    mo = log_in(new_context, world.mo, viewport=PHONE)
    assert_accessible(mo)
    expect(needs(mo)).to_contain_text("Will you come?")  # the next gathering

    # Mo asks for €120, above the €50 granted at once: it waits for one other circle.
    mo.get_by_text("Menu").click()
    mo.get_by_role("navigation", name="Site").get_by_role("link", name="Commons").click()
    mo.get_by_role("link", name="Bail Fund").click()
    assert_accessible(mo)  # the ledger
    mo.get_by_role("link", name="Request a draw").click()
    mo.get_by_label("Amount").fill("120")
    mo.get_by_label("Purpose").fill(PURPOSE)
    mo.get_by_role("button", name="Request the draw").click()
    expect(mo.get_by_role("status").first).to_contain_text("in the queue for approvals")

    # Bea sits in another circle: she is told, and it is at the top of her home.
    bea = log_in(new_context, world.bea, viewport=PHONE)
    expect(bea.get_by_role("link", name=re.compile(r"^1 unread notification"))).to_be_visible()
    decide = needs(bea).get_by_role("link", name="Decide on a draw of €120.00 from Bail Fund")
    expect(decide).to_be_visible()
    decide.click()
    decision = bea.get_by_role("region", name="Your decision")
    decision.get_by_role("radio", name="approve").check()
    decision.get_by_role("button", name="Record my decision").click()
    expect(bea.get_by_text("granted", exact=True)).to_be_visible()
    bea.goto(f"/m/{world.movement.slug}/")
    expect(needs(bea)).not_to_contain_text("Decide on a draw")

    # Mo's home says so, and so does his unread count.
    mo.goto(f"/m/{world.movement.slug}/")
    mine = needs(mo).get_by_role("listitem").filter(has_text="Your draw of €120.00")
    expect(mine).to_contain_text("granted")
    expect(mo.get_by_role("link", name=re.compile(r"unread notification"))).to_be_visible()


def test_the_pages_people_reach_have_no_serious_accessibility_violation(new_context, world):
    visitor = new_context(viewport=PHONE).new_page()
    for url in (world.invitation.get_absolute_url(), "/accounts/signup/"):
        visitor.goto(url)
        assert_accessible(visitor)

    alice = log_in(new_context, world.alice, viewport=PHONE)
    slug = world.movement.slug
    pages = [
        f"/m/{slug}/",
        world.pool.get_absolute_url(),
        world.gathering.get_absolute_url(),
        f"/m/{slug}/convergence/gatherings/{world.gathering.pk}/facilitate/",
        f"/m/{slug}/convergence/rhythm/",
        "/accounts/password/change/",
    ]
    for url in pages:
        alice.goto(url)
        expect(alice.get_by_role("main")).to_be_visible()
        assert_accessible(alice)
    alice.set_viewport_size({"width": 1280, "height": 900})
    for url in pages:
        alice.goto(url)
        assert_accessible(alice)
