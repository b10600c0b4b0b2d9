"""Booking the hall at phone width (issue 15): Mo books it for Saturday afternoon; Cora tries
the same hour and is told why not, next to the field; Mo's private calendar feed holds the
booking. axe-core finds no serious or critical violation on the resource page."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from commons import services
from tests.e2e.axe import serious_violations
from tests.e2e.people import PHONE, log_in


def test_one_hall_one_saturday_afternoon(new_context, tidewater, alice, mo, cora):
    hall = services.add_resource(
        by=alice, name="Community hall", description="Seats 80", place="Harbor St", max_hours=4
    )
    saturday = timezone.localtime(timezone.now() + timedelta(days=3), tidewater.zone).replace(
        hour=14, minute=0, second=0, microsecond=0
    )
    start = saturday.strftime("%Y-%m-%dT%H:%M")
    end = (saturday + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")

    mo_page = log_in(new_context, mo, viewport=PHONE)
    mo_page.goto(f"/m/{tidewater.slug}/commons/")
    mo_page.get_by_role("link", name="Shared spaces and tools").click()
    mo_page.get_by_role("link", name="Community hall").click()
    mo_page.get_by_role("textbox", name="From").fill(start)
    mo_page.get_by_role("textbox", name="Until").fill(end)
    mo_page.get_by_label("What for").fill("Pantry sorting")
    mo_page.get_by_role("button", name="Book", exact=True).click()
    expect(mo_page.get_by_role("status")).to_contain_text("Booked.")
    booked = mo_page.get_by_role("region", name="Booked")
    expect(booked).to_contain_text("Pantry sorting")
    assert serious_violations(mo_page) == [], mo_page.url

    cora_page = log_in(new_context, cora, viewport=PHONE)
    cora_page.goto(hall.get_absolute_url())
    cora_page.get_by_role("textbox", name="From").fill(start)
    cora_page.get_by_role("textbox", name="Until").fill(end)
    cora_page.get_by_role("button", name="Book", exact=True).click()
    expect(cora_page.get_by_text("That time is already booked.")).to_be_visible()

    mo_page.goto("/calendar/")
    feed_url = mo_page.get_by_label("Private calendar address").input_value()
    feed = mo_page.request.get(feed_url).text()
    assert "Community hall booked" in feed and "Harbor St" in feed
