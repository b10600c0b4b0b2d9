"""Counting sovereignty in the browser (issue 14).

Tidewater has held three gatherings; its circles all lean voluntarist, and each cycle's
reports named murals. Cora, who convenes Street Medics, is asked under "What needs you" what
cycle 3 left behind and records a first-aid skill share; it appears on the home's chart and
in the cycle's retrospective. The lens map names the blind spots; Mo posts a spark that
would fill one, it shows under it, three members say they are in, and Mo turns it into a
circle in one step and writes its theory of change. The home warns that street art has
become predictable. axe-core finds no serious or critical violation on the pages.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from movement.services import ensure_tactics
from rituals.models import CircleReport, Gathering
from rituals.services.convergence import tag_reports
from tests.e2e.axe import serious_violations
from tests.e2e.people import log_in
from tests.factories import (
    CircleFactory,
    CircleMembershipFactory,
    GatheringFactory,
    MembershipFactory,
)

SPARK = "A rent escrow fund for the Harbor Towers tenants"


def says(page: Page, text):
    expect(page.get_by_role("status")).to_contain_text(text)


def assert_accessible(page: Page):
    assert serious_violations(page) == [], page.url


@pytest.fixture
def history(tidewater, cora, medics):
    """Three gatherings held, the last three days ago; every report named a mural."""
    ensure_tactics(tidewater)
    medics.lens = "voluntarist"
    medics.save()
    others = [CircleFactory(movement=tidewater, lens="voluntarist") for _ in range(2)]
    for weeks_ago in (9, 5, 1):
        gathering = GatheringFactory(
            movement=tidewater,
            starts_at=timezone.now() - timedelta(weeks=weeks_ago) + timedelta(days=4),
            state=Gathering.State.CLOSED,
        )
        for circle in (medics, *others):
            CircleReport.objects.create(
                cycle=gathering.cycle,
                circle=circle,
                did="Painted",
                intention="Paint more",
                tactics="a mural on the Harbor wall",
            )
    tag_reports(tidewater, CircleReport.objects.all())
    return gathering


def test_sovereignty_a_blind_spot_filled_by_a_spark_and_a_predictable_tactic(
    new_context, tidewater, cora, mo, history
):
    # Cora records what cycle 3 left behind, from "What needs you".
    cora_page = log_in(new_context, cora)
    cora_page.get_by_role(
        "link", name=f"What did cycle {history.cycle.number} leave behind?"
    ).click()
    expect(cora_page.get_by_role("heading", name="Record sovereignty gained")).to_be_visible()
    cora_page.get_by_role("combobox", name="Circle").fill("Street Medics")
    cora_page.get_by_role("radio", name="skills distributed").check()
    cora_page.get_by_label("In a few words").fill("a street first-aid skill share")
    cora_page.get_by_label("How many people").fill("12")
    cora_page.get_by_role("button", name="Record it").click()
    says(cora_page, "Recorded: sovereignty gained.")

    # The home's chart and table count it; the retrospective shows it first.
    cora_page.goto(f"/m/{tidewater.slug}/")
    glance = cora_page.get_by_role("region", name="Sovereignty, not spectacle")
    row = glance.get_by_role("row").filter(
        has=cora_page.get_by_role("rowheader", name=str(history.cycle.number))
    )
    expect(row).to_contain_text("Skills distributed: 1")
    expect(glance.locator("figure svg rect")).to_have_count(1)  # one bar, one kind
    expect(glance).to_contain_text("Street art: 3 cycles in a row")
    assert_accessible(cora_page)
    row.get_by_role("link").click()
    expect(cora_page.get_by_role("heading", level=1)).to_contain_text("looked back on")
    expect(cora_page.get_by_role("region", name="Sovereignty gained")).to_contain_text(
        "Street Medics"
    )
    assert_accessible(cora_page)

    # The lens map names the blind spots; Mo posts a spark that would fill one.
    mo_page = log_in(new_context, mo)
    mo_page.goto(f"/m/{tidewater.slug}/")
    mo_page.get_by_role("link", name="The lens map").first.click()
    blind = mo_page.get_by_role("region", name="Blind spots")
    expect(blind.get_by_role("heading", name="Structuralist — crisis and leverage")).to_be_visible()
    assert_accessible(mo_page)
    blind.get_by_role("link", name="Post a spark that would fill it").first.click()
    mo_page.get_by_label("The passion or experiment").fill(SPARK)
    mo_page.get_by_label("The lens it would add").select_option(
        label="structuralist — crisis and leverage"
    )
    mo_page.get_by_label("How it could serve the shared horizon").fill(
        "Leverage: rent the landlord cannot collect."
    )
    mo_page.get_by_role("button", name="Post the spark").click()
    says(mo_page, "Your spark is posted")
    mo_page.goto(f"/m/{tidewater.slug}/lenses/")
    expect(mo_page.get_by_role("region", name="Blind spots")).to_contain_text(SPARK)

    # Three members say they are in.
    for name in ("Ana", "Ben", "Cleo"):
        member = MembershipFactory(movement=tidewater, user__display_name=name)
        CircleMembershipFactory(circle=CircleFactory(movement=tidewater), member=member)
        page = log_in(new_context, member)
        page.goto(f"/m/{tidewater.slug}/circles/sparks/")
        page.get_by_role("button", name="I'm in").click()
        says(page, "You are in.")
        page.context.close()

    # Mo is told, and turns it into a circle, then writes its theory of change.
    mo_page.goto(f"/m/{tidewater.slug}/")
    mo_page.get_by_role("link", name="Your spark can become a circle").click()
    mo_page.get_by_label("The circle's name").fill("Rent Escrow")
    mo_page.get_by_role("button", name="Start the circle").click()
    says(mo_page, "Rent Escrow is a circle. Write its theory of change now.")
    mo_page.get_by_label("Theory of change").fill(
        "Withheld rent, held together, is leverage the landlord has to answer."
    )
    mo_page.get_by_role("button", name="Save").click()
    expect(mo_page.get_by_role("heading", name="Rent Escrow", level=1)).to_be_visible()
    expect(mo_page.get_by_text(SPARK)).to_be_visible()  # its initiative
    expect(mo_page.get_by_text("Ana")).to_be_visible()
    assert_accessible(mo_page)
