"""A conflict case through the whole ritual in the browser (issue 13): four people, four
browsers.

Mo files a case about something Ruth did, naming her by name, and confirms it is about what
was done, not who she is. Ruth hears of it under "What needs you" and sees the cooling-off
countdown. Alice, an organizer, assigns Fay to facilitate. Time passes the cooling-off (its
timer is moved into the past and the timers' sweep runs, as the beat would run it); Fay
offers two times, Mo and Ruth each mark theirs, Fay schedules the listening circle, holds
it and records two agreements. The follow-up's timer fires the same way, both parties say
the agreements held, and Fay closes the case, resolved. Cora, a member outside the case,
never finds it; the movement's figures count it without a name. axe-core finds no serious
or critical violation on the case page at each step.
"""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from rituals.models import ConflictCase, Timer
from rituals.services.conflicts import COOLING_OFF_ENDS, FOLLOW_UP_DUE
from rituals.timers import sweep
from tests.e2e.axe import serious_violations
from tests.e2e.people import log_in
from tests.factories import MembershipFactory

WHAT_HAPPENED = "At Saturday's action the banner was taken down without asking our circle."
RUTHS_ACCOUNT = "The banner blocked the fire exit; I asked around and nobody answered."
AGREEMENTS = ["Banners come down only after asking the circle that hung them", "Talk first"]


def says(page: Page, text):
    expect(page.get_by_role("status")).to_contain_text(text)


def assert_accessible(page: Page):
    assert serious_violations(page) == [], page.url


def time_passes(case, kind):
    past = timezone.now() - timedelta(minutes=1)
    moved = Timer.objects.filter(kind=kind, target_id=case.pk, fired_at__isnull=True).update(
        due_at=past, run_after=past
    )
    assert moved == 1
    assert sweep() == 1


def open_case_from_needs(page: Page, case, step):
    page.goto(f"/m/{case.movement.slug}/")
    page.get_by_role("link", name=f"Conflict case {case.pk}: {step}").click()
    expect(page.get_by_role("heading", name=f"Case {case.pk}", level=1)).to_be_visible()


def test_a_case_goes_through_the_whole_ritual(new_context, tidewater, mo, alice, fay, cora):
    ruth = MembershipFactory(movement=tidewater, user__display_name="Ruth")

    # Mo files the case from the movement's navigation.
    mo_page = log_in(new_context, mo)
    mo_page.get_by_role("navigation", name="Site").get_by_role("link", name="Conflicts").click()
    mo_page.get_by_role("link", name="Open a case").click()
    expect(mo_page.get_by_text("Write about strategy or behaviour")).to_be_visible()
    mo_page.get_by_label("Who is it with?").fill("Ruth")
    mo_page.get_by_role("radio", name="behaviour: something that was done or said").check()
    mo_page.get_by_role("textbox", name="What was done or decided").fill(WHAT_HAPPENED)
    mo_page.get_by_role("button", name="File the case").click()
    # Forgot to confirm: told next to the checkbox, nothing lost.
    expect(mo_page.get_by_text("not who someone is.").first).to_be_visible()
    description = mo_page.get_by_role("textbox", name="What was done or decided")
    expect(description).to_have_value(WHAT_HAPPENED)
    mo_page.get_by_label("This describes what was done or decided, not who someone is.").check()
    mo_page.get_by_role("button", name="File the case").click()
    says(mo_page, "The case is filed.")
    case = ConflictCase.objects.get()
    expect(mo_page.get_by_role("heading", name="Cooling off", level=2)).to_be_visible()
    assert_accessible(mo_page)

    # Ruth is told, and sees the countdown.
    ruth_page = log_in(new_context, ruth)
    open_case_from_needs(ruth_page, case, "cooling off")
    expect(ruth_page.get_by_text("Time left:")).to_be_visible()
    expect(ruth_page.get_by_role("progressbar")).to_be_visible()
    expect(ruth_page.get_by_text(WHAT_HAPPENED)).to_be_visible()
    ruth_page.get_by_label("Your account of what happened").fill(RUTHS_ACCOUNT)
    ruth_page.get_by_role("button", name="Save my account").click()
    says(ruth_page, "Your account is saved")
    expect(ruth_page.get_by_role("region", name="Each party's account")).to_contain_text(
        RUTHS_ACCOUNT
    )

    # Cora, outside the case, cannot find it.
    cora_page = log_in(new_context, cora)
    response = cora_page.goto(case.get_absolute_url())
    assert response.status == 404
    cora_page.goto(f"/m/{tidewater.slug}/convergence/conflicts/")
    expect(cora_page.get_by_text("No case concerns you.")).to_be_visible()

    # Alice assigns Fay to facilitate.
    alice_page = log_in(new_context, alice)
    alice_page.goto(case.get_absolute_url())
    alice_page.get_by_role("combobox", name="Facilitator").fill("Fay")
    alice_page.get_by_role("button", name="Assign").click()
    says(alice_page, "The facilitator is assigned and told.")

    # The cooling-off ends; Fay offers two times.
    time_passes(case, COOLING_OFF_ENDS)
    fay_page = log_in(new_context, fay)
    open_case_from_needs(fay_page, case, "offer times for the listening circle")
    zone = tidewater.zone
    first = timezone.localtime(timezone.now() + timedelta(days=2), zone).replace(hour=18, minute=0)
    second = first + timedelta(days=1)
    fay_page.get_by_label("Time 1").fill(first.strftime("%Y-%m-%dT%H:%M"))
    fay_page.get_by_label("Time 2").fill(second.strftime("%Y-%m-%dT%H:%M"))
    fay_page.get_by_role("button", name="Offer these times").click()
    says(fay_page, "The times are offered")
    assert_accessible(fay_page)

    # Mo can come to both, Ruth only to the second.
    for page, answers in (
        (mo_page, ("I can attend", "I can attend")),
        (ruth_page, ("I cannot", "I can attend")),
    ):
        open_case_from_needs(page, case, "mark when you can attend")
        form = page.get_by_role("region", name="Mark when you can attend")
        groups = form.get_by_role("group")
        for index, answer in enumerate(answers):
            groups.nth(index).get_by_role("radio", name=answer).check()
        page.get_by_role("button", name="Save my availability").click()
        says(page, "Your availability is saved.")

    # Fay sees the poll and schedules the second time.
    open_case_from_needs(fay_page, case, "pick the listening circle's time")
    poll = fay_page.get_by_role("region", name="When can each party attend?")
    expect(poll.get_by_role("row")).to_have_count(3)
    schedule = fay_page.get_by_role("region", name="Pick the time")
    schedule.get_by_role("radio", name="2 can attend").check()
    schedule.get_by_label("Where").fill("Union hall, back room")
    fay_page.get_by_role("button", name="Schedule the listening circle").click()
    says(fay_page, "The listening circle is scheduled")
    expect(fay_page.get_by_role("heading", name="Listening circle scheduled")).to_be_visible()

    # The day comes; Fay holds it: each party heard, two agreements.
    ConflictCase.objects.filter(pk=case.pk).update(circle_at=timezone.now() - timedelta(hours=2))
    fay_page.reload()
    held = fay_page.get_by_role("region", name="Record the listening circle")
    held.get_by_role("checkbox", name="Mo").check()
    held.get_by_role("checkbox", name="Ruth").check()
    held.get_by_label("What the parties agreed").fill("\n".join(AGREEMENTS))
    fay_page.get_by_role("button", name="Record it held").click()
    says(fay_page, "The listening circle is recorded")
    agreements = fay_page.get_by_role("region", name="Agreements")
    expect(agreements.get_by_role("listitem")).to_have_count(2)

    # The follow-up comes; both parties say the agreements held; Fay closes the case.
    time_passes(case, FOLLOW_UP_DUE)
    for page in (mo_page, ruth_page):
        open_case_from_needs(page, case, "did the agreements hold?")
        check_in = page.get_by_role("region", name="Did the agreements hold?")
        for group in check_in.get_by_role("group").all():
            group.get_by_role("radio", name="It held").check()
        page.get_by_role("button", name="Check in").click()
        says(page, "Your check-in is saved.")
    open_case_from_needs(fay_page, case, "close the case")
    fay_page.get_by_role("radio", name="Resolved", exact=True).check()
    fay_page.get_by_role("button", name="Close the case").click()
    says(fay_page, "The case is closed.")
    expect(fay_page.get_by_role("heading", name="Closed: resolved")).to_be_visible()
    assert_accessible(fay_page)

    # Ruth sees who opened her case; the movement's figures count it without a name.
    ruth_page.goto(case.get_absolute_url())
    log = ruth_page.get_by_role("region", name="Who opened this case")
    expect(log).to_contain_text("Alice")
    expect(log).to_contain_text("Fay")
    cora_page.goto(f"/m/{tidewater.slug}/convergence/conflicts/")
    figures = cora_page.get_by_role("region", name="The movement's figures")
    resolved = figures.locator("div").filter(has=cora_page.get_by_text("Resolved", exact=True))
    expect(resolved.get_by_role("definition")).to_have_text("1")
    expect(figures).not_to_contain_text("Ruth")
    assert_accessible(cora_page)
