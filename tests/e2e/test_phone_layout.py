"""Alice, an organizer, on a phone (390×844): a header of one row, a menu she can open
with the keyboard, tap targets a thumb can hit, the unread count, and a copy button on
invitation links. Then the same header on a desktop, and without JavaScript."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from movement.services import accept_invitation, create_invitation
from rituals.services import facilitation
from tests.e2e.people import PHONE, log_in
from tests.factories import UserFactory, first_gathering

DESKTOP = {"width": 1280, "height": 800}
# WCAG 2.5.8 (target size, minimum): 24 × 24 CSS pixels.
SMALLEST_TARGET = 24
ONE_ROW = 80


@pytest.fixture
def gathering(tidewater, alice):
    """A gathering soon, with two agenda items (so the facilitator page has ↑ and ↓), and
    Alice not yet answered (so the home asks her in place)."""
    first = first_gathering(by=alice, time_zone="UTC", place="")
    for title in ("Welcome", "Next sprint pairings"):
        facilitation.add_agenda_item(by=alice, gathering=first, title=title, minutes=10)
    return first


def site_nav(page):
    return page.get_by_role("navigation", name="Site")


def menu_button(page):
    return site_nav(page).locator("summary")


def too_small(page):
    """Every visible control a form holds, and its size when under 24 × 24. A radio or a
    checkbox inside its label counts the label: that is what a thumb hits."""
    measured, small = page.evaluate(
        """(smallest) => {
          const controls = document.querySelectorAll(
            "form button, form input:not([type=hidden]), form select, form textarea, form a");
          const small = [];
          let measured = 0;
          for (const control of controls) {
            const label = control.closest("label");
            const box = (label && ["radio", "checkbox"].includes(control.type) ? label : control)
              .getBoundingClientRect();
            const style = getComputedStyle(control);
            if (!box.width || !box.height || style.visibility === "hidden") { continue; }
            measured += 1;
            if (box.width < smallest || box.height < smallest) {
              small.push(`${control.outerHTML.slice(0, 90)}: ${box.width}×${box.height}`);
            }
          }
          return [measured, small];
        }""",
        SMALLEST_TARGET,
    )
    assert measured, "no control was measured"
    return small


def test_the_header_is_one_row_with_a_menu_opened_by_keyboard(new_context, tidewater, alice):
    page = log_in(new_context, alice, viewport=PHONE)

    header = page.get_by_role("banner").bounding_box()
    assert header["height"] <= ONE_ROW, header
    nav = site_nav(page)
    expect(nav.get_by_role("link", name="Members")).to_be_hidden()

    # The keyboard reaches the menu and opens it.
    menu_button(page).focus()
    page.keyboard.press("Enter")
    expect(nav.get_by_role("link", name="Members")).to_be_visible()
    expect(nav.get_by_role("link", name="Tidewater")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("button", name="Log out")).to_be_visible()

    page.keyboard.press("Escape")
    expect(nav.get_by_role("link", name="Members")).to_be_hidden()
    expect(menu_button(page)).to_be_focused()

    menu_button(page).press("Enter")
    nav.get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", name="Members", level=1)).to_be_visible()
    expect(nav.get_by_role("link", name="Members")).to_be_hidden()  # closed on the new page
    menu_button(page).press("Space")
    expect(nav.get_by_role("link", name="Members")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Tidewater")).not_to_have_attribute(
        "aria-current", re.compile(".")
    )


def test_every_control_in_a_form_fits_a_thumb(new_context, tidewater, alice, mo, gathering):
    page = log_in(new_context, alice, viewport=PHONE)
    home = page.get_by_role("main")
    expect(home.get_by_role("radio").first).to_be_visible()  # the next gathering, in place
    assert too_small(page) == []

    page.goto(f"/m/{tidewater.slug}/members/")
    expect(page.get_by_label("Role of Mo")).to_be_visible()
    assert too_small(page) == []

    page.goto(f"/m/{tidewater.slug}/convergence/gatherings/{gathering.pk}/facilitate/")
    expect(page.get_by_role("button", name="Move down: Welcome")).to_be_visible()
    assert too_small(page) == []


def test_the_unread_count_shows_once_a_notification_arrives(new_context, tidewater, alice):
    page = log_in(new_context, alice, viewport=PHONE)
    bell = site_nav(page).locator(".notifications-link")
    expect(bell).to_have_accessible_name("Notifications")

    invitation = create_invitation(
        by=alice,
        role="member",
        expires_at=tidewater.created_at + timedelta(days=30),
        single_use=True,
    )
    accept_invitation(user=UserFactory(display_name="Newcomer"), token=invitation.token)
    page.reload()

    expect(bell).to_have_accessible_name("1 unread notification")
    expect(bell.locator(".unread-count")).to_have_text("1")
    assert page.get_by_role("banner").bounding_box()["height"] <= ONE_ROW


def test_invitation_links_copy_with_one_tap(new_context, tidewater, alice):
    page = log_in(
        new_context, alice, viewport=PHONE, permissions=["clipboard-read", "clipboard-write"]
    )
    page.goto(f"/m/{tidewater.slug}/invitations/")
    page.get_by_role("button", name="Create invitation link").click()
    link = page.get_by_label("Link to share")
    expect(link).to_have_value(re.compile(r"/join/"))

    page.get_by_role("button", name="Copy link").click()

    copied = page.locator(".copy-status")
    expect(copied).to_have_attribute("aria-live", "polite")
    expect(copied).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == link.input_value()


def test_without_javascript_the_menu_opens_and_links_stay_selectable(new_context, tidewater, alice):
    page = log_in(new_context, alice, viewport=PHONE, java_script_enabled=False)

    menu_button(page).click()
    expect(site_nav(page).get_by_role("link", name="Members")).to_be_visible()

    page.goto(f"/m/{tidewater.slug}/invitations/")
    page.get_by_role("button", name="Create invitation link").click()
    expect(page.get_by_label("Link to share")).to_have_value(re.compile(r"/join/"))
    expect(page.get_by_role("button", name="Copy link")).to_be_hidden()


def test_on_a_desktop_the_links_sit_in_one_row(new_context, tidewater, alice):
    page = log_in(new_context, alice, viewport=DESKTOP)

    nav = site_nav(page)
    expect(menu_button(page)).to_be_hidden()
    for name in ("Tidewater", "Circles", "Commons", "Convergence", "Members", "Calendar"):
        expect(nav.get_by_role("link", name=name)).to_be_visible()
    expect(nav.get_by_role("button", name="Log out")).to_be_visible()
    assert page.get_by_role("banner").bounding_box()["height"] <= ONE_ROW


def test_the_password_rules_are_read_with_the_password_field(new_context, db):
    page = new_context(viewport=PHONE).new_page()
    page.goto("/accounts/signup/")

    password = page.locator("#id_password1")
    described_by = password.get_attribute("aria-describedby")
    rules = page.locator(f"#{described_by}")
    # What the browser built, not what the server wrote: the rules are inside the element.
    expect(rules.get_by_role("listitem").first).to_be_visible()
    assert rules.evaluate("element => element.closest('p')") is None
    expect(password).to_have_accessible_description(re.compile("at least 8 characters"))
