"""Alice sets the rhythm in a browser: choosing a kind shows only its fields, changing a
field refreshes the preview in place, and the rhythm saves after previews. Without
JavaScript, every kind's fields show and the Preview button does the same work.
"""

import re

from playwright.sync_api import Page, expect

from rituals.models import Rhythm
from tests.e2e.people import log_in

KIND_LEGENDS = ("For a monthly rhythm", "For a lunar rhythm", "For a custom rhythm")


def open_rhythm_form(new_context, alice, **options) -> Page:
    page = log_in(new_context, alice, **options)
    page.goto(f"/m/{alice.movement.slug}/convergence/rhythm/")
    return page


def kind_part(page, legend):
    return page.get_by_role("group", name=legend, exact=True)


def refreshes_the_preview(page, action):
    """Do ``action`` and wait for the preview it asks for (one at a time: the test
    database's single SQLite connection is shared by the live server's threads)."""
    with page.expect_response(lambda response: response.request.headers.get("hx-request")):
        action()


def test_the_chosen_kind_shows_its_fields_and_the_preview_follows(new_context, alice):
    page = open_rhythm_form(new_context, alice)
    for legend in KIND_LEGENDS:
        expect(kind_part(page, legend)).to_be_hidden()

    refreshes_the_preview(page, page.get_by_label("lunar: each new or full moon").check)
    expect(kind_part(page, "For a lunar rhythm")).to_be_visible()
    expect(kind_part(page, "For a custom rhythm")).to_be_hidden()

    refreshes_the_preview(page, page.get_by_label("custom: every few weeks").check)
    expect(kind_part(page, "For a lunar rhythm")).to_be_hidden()
    refreshes_the_preview(page, page.get_by_label("every few weeks, on one day of the week").check)
    expect(kind_part(page, "Every few weeks, on one day")).to_be_visible()
    expect(kind_part(page, "One day of the month, every few months")).to_be_hidden()

    # Filling a time input sends "change" at once.
    refreshes_the_preview(page, lambda: page.get_by_label("Starts at").fill("18:00"))
    page.evaluate("window.sameDocument = true")
    refreshes_the_preview(
        page, lambda: page.get_by_label("On:", exact=True).select_option(label="Saturday")
    )
    preview = page.get_by_role("region", name="The next three gatherings")
    expect(preview.locator("time")).to_have_count(3)
    expect(preview.locator("time").first).to_contain_text(re.compile(r"^Saturday, .*18:00$"))
    expect(preview).to_contain_text(f"Times in {alice.movement.time_zone}.")
    assert page.evaluate("window.sameDocument") is True
    assert not Rhythm.objects.exists()

    page.get_by_role("button", name="Save the rhythm").click()
    expect(page.get_by_text("The rhythm is set; the next gatherings are planned.")).to_be_visible()
    assert Rhythm.objects.get().rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA"


def test_without_javascript_every_kind_shows_and_the_button_previews(new_context, alice):
    page = open_rhythm_form(new_context, alice, java_script_enabled=False)
    for legend in KIND_LEGENDS:
        expect(kind_part(page, legend)).to_be_visible()

    page.get_by_label("monthly: one day of each month").check()
    page.get_by_label("Week of the month:", exact=True).select_option(label="first")
    page.get_by_label("Day:", exact=True).select_option(label="Saturday")
    page.get_by_label("Starts at").fill("18:00")
    page.get_by_label("Time zone").fill("Europe/Paris")
    page.get_by_role("button", name="Preview the next dates").click()

    preview = page.get_by_role("region", name="The next three gatherings")
    expect(preview.locator("time")).to_have_count(3)
    assert not Rhythm.objects.exists()
    page.get_by_role("button", name="Save the rhythm").click()
    expect(page.get_by_text("The rhythm is set; the next gatherings are planned.")).to_be_visible()
    assert Rhythm.objects.get().weekday == 5
