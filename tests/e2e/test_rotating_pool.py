"""A rotating mutual-aid pool in the browser, at phone width (issue 15): Alice opens it,
Mo and Cora take part on their own consent, Alice agrees the order and starts it; each puts
in a share; time is advanced by moving the round's timer and running the real sweep; the
pot goes to round 1's recipient, round 2 opens, runs and pays out the same way. Fay, who
does not take part, sees totals and no names."""

from django.utils import timezone
from playwright.sync_api import expect

from commons.models import Pool, RotationRound
from rituals.models import Timer
from rituals.timers import sweep
from tests.e2e.axe import serious_violations
from tests.e2e.people import PHONE, log_in


def _time_passes_for_the_open_round():
    """Move the open round's close timer to now and sweep, as beat would when it is due."""
    moved = Timer.objects.filter(
        kind="commons.round_closes", fired_at__isnull=True, cancelled_at__isnull=True
    ).update(due_at=timezone.now(), run_after=timezone.now())
    assert moved == 1
    assert sweep(budget=5) == 1


def test_a_rotating_pool_runs_two_rounds(new_context, tidewater, alice, mo, cora, fay):
    pages = {}
    alice_page = pages["alice"] = log_in(new_context, alice, viewport=PHONE)
    alice_page.goto(f"/m/{tidewater.slug}/commons/")
    alice_page.get_by_role("link", name="Open a rotating pool").click()
    alice_page.get_by_label("Name").fill("Mutual Aid Circle")
    alice_page.get_by_label("Currency").fill("EUR")
    alice_page.get_by_label("What it is for").fill("Each round one of us gets the pot.")
    alice_page.get_by_label("Each one's share per round").fill("50")
    alice_page.get_by_label("Days per round").fill("14")
    alice_page.get_by_role("button", name="Open it").click()
    expect(alice_page.get_by_role("heading", name="Mutual Aid Circle")).to_be_visible()
    pool_url = alice_page.url
    alice_page.get_by_role("button", name="Take part").click()
    expect(alice_page.get_by_text("You take part.")).to_be_visible()

    for who, member in (("mo", mo), ("cora", cora)):
        page = pages[who] = log_in(new_context, member, viewport=PHONE)
        page.goto(pool_url)
        page.get_by_role("button", name="Take part").click()
        expect(page.get_by_text("You take part.")).to_be_visible()

    alice_page.reload()
    alice_page.get_by_role("link", name="Agree the order and start the rounds").click()
    alice_page.get_by_role("button", name="Start the rounds").click()
    expect(alice_page.get_by_role("status")).to_contain_text("The rounds have begun.")
    assert serious_violations(alice_page) == [], alice_page.url

    first_recipient = RotationRound.objects.get(number=1).recipient.member.display_name
    second_recipient = RotationRound.objects.get(number=2).recipient.member.display_name
    for number, recipient in ((1, first_recipient), (2, second_recipient)):
        for who in ("alice", "mo", "cora"):
            page = pages[who]
            page.goto(pool_url)
            expect(page.get_by_role("region", name=f"Round {number}")).to_contain_text(
                f"its pot goes to {recipient}"
            )
            page.get_by_role("button", name="I put in my share").click()
            expect(page.get_by_role("status")).to_contain_text("your share of €50.00")
        _time_passes_for_the_open_round()
        alice_page.goto(pool_url)
        row = alice_page.locator(f"#round-{number}")
        expect(row).to_contain_text(recipient)
        expect(row).to_contain_text("€150.00")

    pool = Pool.objects.get(name="Mutual Aid Circle")
    assert pool.balance == 0
    expect(alice_page.get_by_role("region", name="Round 3")).to_be_visible()

    fay_page = log_in(new_context, fay, viewport=PHONE)
    fay_page.goto(pool_url)
    expect(fay_page.get_by_text("In the pot now")).to_be_visible()
    expect(fay_page.get_by_text("seen by the participants alone")).to_be_visible()
    for name in (first_recipient, second_recipient):
        expect(fay_page.get_by_text(name, exact=True)).to_have_count(0)
    assert first_recipient not in fay_page.locator("main").inner_text().split()
