"""The circle directory narrows by lens in place: htmx swaps the results, the page stays."""

import re

from playwright.sync_api import Page, expect

from tests.e2e.people import sign_in
from tests.factories import CircleFactory


def test_choosing_a_lens_swaps_the_results_without_a_reload(page: Page, alice, medics, tidewater):
    CircleFactory(movement=tidewater, name="Rent Strike Committee", lens="structuralist")
    sign_in(page, alice.user.email)

    page.goto(f"/m/{tidewater.slug}/circles/")
    results = page.get_by_role("region", name="Results")
    expect(results.get_by_role("heading", level=3)).to_have_text(
        ["Rent Strike Committee", "Street Medics"]
    )
    # A full page load would start a new document and lose this mark.
    page.evaluate("window.sameDocument = true")

    with page.expect_request(lambda request: "lens=structuralist" in request.url) as swap:
        page.get_by_label("Lens").select_option(label="structuralist — crisis and leverage")

    assert swap.value.headers.get("hx-request") == "true"
    expect(results.get_by_role("heading", level=3)).to_have_text(["Rent Strike Committee"])
    expect(page).to_have_url(re.compile(r"\?(.*&)?lens=structuralist"))
    assert page.evaluate("window.sameDocument") is True
