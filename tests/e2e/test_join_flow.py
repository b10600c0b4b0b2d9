"""From an empty site to two people in one circle, through the browser only."""

import re

from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

MOVEMENT = "Harbour Commons"
CIRCLE = "Night Pantry"


def sign_up(page: Page, *, name, email, verification_code):
    """Fill allauth's sign-up form, then type the code it e-mailed."""
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()

    expect(page.get_by_role("heading", name="Enter Email Verification Code")).to_be_visible()
    page.get_by_label("Code").fill(verification_code(email))
    page.get_by_role("button", name="Confirm").click()


def circle_card(page: Page, name):
    return page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=name))


def test_an_invited_person_signs_up_and_joins_a_circle(new_context, verification_code):
    organizer = new_context().new_page()
    organizer.goto("/")
    organizer.get_by_role("main").get_by_role("link", name="Sign up").click()
    sign_up(organizer, name="Ada", email="ada@example.org", verification_code=verification_code)
    expect(organizer.get_by_role("heading", name="Your movements")).to_be_visible()

    organizer.get_by_role("link", name="Start a movement").click()
    organizer.get_by_label("Name").fill(MOVEMENT)
    organizer.get_by_label("Shared strategic horizon").fill("Homes and food held in common.")
    organizer.get_by_role("button", name="Create movement").click()
    expect(organizer.get_by_role("heading", name=MOVEMENT, level=1)).to_be_visible()

    organizer.get_by_role("link", name="Start a circle").click()
    organizer.get_by_label("Name").fill(CIRCLE)
    organizer.get_by_label("Initiative").fill("A late pantry run by the people who use it.")
    organizer.get_by_label("Theory of change").fill("Shared meals build the lists a strike needs.")
    organizer.get_by_label("structuralist — crisis and leverage").check()
    organizer.get_by_role("button", name="Create circle").click()
    expect(organizer.get_by_role("heading", name=CIRCLE, level=1)).to_be_visible()
    expect(organizer.get_by_role("status")).to_contain_text(f"Circle {CIRCLE} is started.")

    organizer.get_by_role("link", name=MOVEMENT).click()
    organizer.get_by_role("link", name="Invite people").click()
    expect(organizer.get_by_label("Role")).to_have_value("member")
    organizer.get_by_role("button", name="Create invitation link").click()
    expect(organizer.get_by_role("status")).to_contain_text("Invitation created")
    link_field = organizer.get_by_label("Link to share")
    expect(link_field).to_have_attribute("readonly", "")
    invitation_link = link_field.input_value()
    assert re.fullmatch(r"http://[^/]+/join/[^/]+/", invitation_link), invitation_link

    # Someone else, in a browser of their own.
    newcomer = new_context().new_page()
    newcomer.goto(invitation_link)
    expect(newcomer.get_by_role("heading", name=f"Join {MOVEMENT}")).to_be_visible()
    expect(newcomer.get_by_role("main")).to_contain_text(
        f"Ada invites you to join {MOVEMENT} as member."
    )
    newcomer.get_by_role("link", name="Create an account").click()
    sign_up(newcomer, name="Bea", email="bea@example.org", verification_code=verification_code)

    # The invitation survives sign-up and the e-mailed code.
    expect(newcomer.get_by_role("heading", name=f"Join {MOVEMENT}")).to_be_visible()
    expect(newcomer).to_have_url(invitation_link)
    newcomer.get_by_role("button", name="Join the movement").click()
    expect(newcomer.get_by_role("status")).to_contain_text(f"Welcome to {MOVEMENT}.")

    newcomer.get_by_role("link", name="Circle directory").click()
    newcomer.get_by_role("link", name=CIRCLE).click()
    newcomer.get_by_role("button", name="Join this circle").click()
    expect(newcomer.get_by_role("status")).to_contain_text("You joined the circle.")

    newcomer.get_by_role("navigation", name="Site").get_by_role("link", name="Circles").click()
    expect(circle_card(newcomer, CIRCLE)).to_contain_text("You are in this circle")
    expect(circle_card(newcomer, CIRCLE)).to_contain_text("2 members")

    organizer.get_by_role("navigation", name="Site").get_by_role("link", name="Circles").click()
    expect(circle_card(organizer, CIRCLE)).to_contain_text("You are in this circle")
    organizer.get_by_role("link", name=CIRCLE).click()
    members = organizer.get_by_role("region", name="Members")
    expect(members.get_by_role("listitem")).to_have_text([re.compile("Ada"), re.compile("Bea")])
