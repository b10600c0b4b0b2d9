"""A large draw from the bail fund, through the browser: four people, four browsers.

Dee puts money in, Mo asks for more than the pool grants at once, and members of two
other circles approve until the draw is granted and shows on the open ledger.
"""

from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.people import bail_fund, log_in, member_of

PURPOSE = "Bail for two people arrested at the blockade."


@dataclass
class World:
    movement: object
    pool: object
    mo: object
    bea: object
    cy: object
    dee: object


@pytest.fixture
def world(tidewater, alice):
    pool = bail_fund(alice, approvals_required=2)
    return World(
        movement=tidewater,
        pool=pool,
        mo=member_of(tidewater, "Circle A", "Mo"),
        bea=member_of(tidewater, "Circle B", "Bea"),
        cy=member_of(tidewater, "Circle C", "Cy"),
        dee=member_of(tidewater, "Circle D", "Dee"),
    )


def open_commons(page: Page, world):
    page.goto(f"/m/{world.movement.slug}/")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Commons").click()
    expect(page.get_by_role("heading", name="The commons", level=1)).to_be_visible()


def open_pool(page: Page, world):
    open_commons(page, world)
    page.get_by_role("link", name="Bail Fund").click()
    expect(page.get_by_role("heading", name="Bail Fund", level=1)).to_be_visible()


def approve(page: Page, *, circle):
    decision = page.get_by_role("region", name="Your decision")
    decision.get_by_role("radio", name="approve").check()
    decision.get_by_label("Deciding for").select_option(label=circle)
    decision.get_by_role("button", name="Record my decision").click()
    expect(page.get_by_role("status")).to_contain_text("Your decision is recorded.")


def test_two_other_circles_grant_a_large_draw(new_context, world):
    # Dee contributes €300 for circle D.
    dee = log_in(new_context, world.dee)
    open_pool(dee, world)
    dee.get_by_role("link", name="Contribute").click()
    dee.get_by_label("Amount").fill("300")
    dee.get_by_label("On behalf of").select_option(label="Circle D")
    dee.get_by_role("button", name="Contribute").click()
    expect(dee.get_by_role("status")).to_contain_text(
        "your contribution of €300.00 is on the ledger"
    )
    expect(dee.get_by_text("Balance: €300.00")).to_be_visible()

    # Mo asks for €200, above the €50 granted at once: it waits for approvals.
    mo = log_in(new_context, world.mo)
    open_pool(mo, world)
    mo.get_by_role("link", name="Request a draw").click()
    mo.get_by_label("Amount").fill("200")
    mo.get_by_label("Purpose").fill(PURPOSE)
    mo.get_by_role("button", name="Request the draw").click()
    expect(mo.get_by_role("status")).to_contain_text(
        "Your request for €200.00 is in the queue for approvals"
    )
    expect(mo.get_by_role("heading", name="Mo asks for €200.00")).to_be_visible()
    expect(mo.get_by_text("waiting for approvals", exact=True)).to_be_visible()
    expect(mo.get_by_role("region", name="Your decision")).to_have_count(0)
    draw_url = mo.url

    # Bea, in circle B, finds it among the draw requests and approves.
    bea = log_in(new_context, world.bea)
    open_commons(bea, world)
    bea.get_by_role("main").get_by_role("link", name="Draw requests").click()
    row = bea.get_by_role("row").filter(has_text="Mo").filter(has_text="€200.00")
    expect(row).to_contain_text("waiting for approvals")
    row.get_by_role("link").click()
    expect(bea.get_by_role("heading", name="Mo asks for €200.00")).to_be_visible()
    approve(bea, circle="Circle B")
    expect(bea.get_by_text("Circles approving so far: 1 of 2.")).to_be_visible()
    expect(bea.get_by_text("waiting for approvals", exact=True)).to_be_visible()

    # Cy, in circle C, approves too: two circles, so the draw is granted.
    cy = log_in(new_context, world.cy)
    cy.goto(draw_url)
    approve(cy, circle="Circle C")
    expect(cy.get_by_text("granted", exact=True)).to_be_visible()
    decisions = cy.get_by_role("region", name="Decisions").get_by_role("listitem")
    expect(decisions).to_have_text(["Bea (Circle B): approve", "Cy (Circle C): approve"])

    # Everyone sees it on the pool's open ledger: €300 in, €200 out, €100 left.
    mo.reload()
    expect(mo.get_by_text("granted", exact=True)).to_be_visible()
    open_pool(mo, world)
    expect(mo.get_by_text("Balance: €100.00")).to_be_visible()
    ledger = mo.get_by_role("region", name="Ledger")
    draw_line = ledger.get_by_role("row").filter(has_text=PURPOSE)
    expect(draw_line).to_have_count(1)
    expect(draw_line.get_by_role("cell")).to_contain_text(
        ["draw", "−€200.00", "Mo", PURPOSE, "€100.00"]
    )
    contribution_line = ledger.get_by_role("row").filter(has_text="contribution")
    expect(contribution_line.get_by_role("cell")).to_contain_text(
        ["contribution", "+€300.00", "Dee", "Circle D", "€300.00"]
    )
