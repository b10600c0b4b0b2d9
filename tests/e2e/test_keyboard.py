"""Without a mouse (issue 16): a facilitator runs a gathering, an approver from another circle
grants a draw, and every control on the main pages shows where the focus is.

The walks press only Tab, Enter and Space, and type text: no click, no fill. A control that
the keyboard cannot reach, or that Enter or Space does not work, stops the walk with the list
of what the focus passed through on the way.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from playwright.sync_api import Locator, Page, expect

from commons import services
from commons.models import Approval, DrawRequest
from rituals.models import AgendaItem, Decision, Gathering
from tests.e2e.people import PHONE, bail_fund, member_of
from tests.factories import PASSWORD

DESKTOP = {"width": 1280, "height": 800}
REPORT_ITEM = "Street Medics reports back"
OWN_ITEM = "Next sprint pairings"
NOTES = "Three actions staffed; two new medics in training."
DECISION = "Medics get €200 from the bail fund for gauze."
PURPOSE = "Bail for two people arrested at the blockade."
# More presses than any page here has stops, so a missing control ends the walk.
MOST_PRESSES = 120

# The focused element as a person would name it: its tag and its label or text.
DESCRIBE = """function describe(element) {
  const name = element.getAttribute("aria-label")
    || (element.labels && element.labels[0] && element.labels[0].innerText)
    || element.innerText || element.value || "";
  return `${element.tagName.toLowerCase()} "${name.trim().replace(/\\s+/g, " ").slice(0, 60)}"`;
}"""
DESCRIBE_FOCUSED = (
    "() => {"
    + DESCRIBE
    + """
  const element = document.activeElement;
  return !element || element === document.body ? "(nothing)" : describe(element);
}"""
)


def focused(page: Page):
    """The focused element as a person would name it: its tag and its text or label."""
    return page.evaluate(DESCRIBE_FOCUSED)


def tab_to(page: Page, target: Locator):
    """Press Tab until ``target`` has the focus."""
    expect(target).to_be_attached()
    passed = []
    for _ in range(MOST_PRESSES):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
        passed.append(focused(page))
    raise AssertionError(f"Tab never reached {target}; it passed through:\n" + "\n".join(passed))


def sign_in_by_keyboard(page: Page, email):
    page.goto("/accounts/login/")
    tab_to(page, page.get_by_label("Email"))
    page.keyboard.type(email)
    tab_to(page, page.get_by_label("Password:", exact=True))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="What needs you")).to_be_visible()


def press_enter_on(page: Page, target: Locator):
    tab_to(page, target)
    page.keyboard.press("Enter")


# --- a. facilitator mode ------------------------------------------------------------------


def test_a_facilitator_runs_a_gathering_by_keyboard(new_context, gathering_now, fay):
    page = new_context(viewport=PHONE).new_page()
    sign_in_by_keyboard(page, fay.user.email)

    # From the home's "What needs you" to facilitator mode.
    needs = page.get_by_role("region", name="What needs you")
    press_enter_on(page, needs.get_by_role("link", name="Convergence, cycle 1"))
    expect(page.get_by_role("heading", name="Convergence, cycle 1", level=1)).to_be_visible()
    press_enter_on(page, page.get_by_role("link", name="Facilitator mode"))
    expect(page.get_by_role("heading", name="Facilitating cycle 1")).to_be_visible()

    # Start the gathering and set the agenda: the reports, then an item of her own.
    press_enter_on(page, page.get_by_role("button", name="Start the gathering"))
    expect(page.get_by_text("Gathering time left:")).to_be_visible()
    press_enter_on(
        page, page.get_by_role("button", name="Add an item for each circle that reported")
    )
    expect(page.get_by_role("button", name=f"Start item: {REPORT_ITEM}")).to_be_visible()
    tab_to(page, page.get_by_label("Item:", exact=True))
    page.keyboard.type(OWN_ITEM)
    page.keyboard.press("Enter")  # submits the form, with its 10-minute timebox
    agenda = page.get_by_role("region", name="Agenda").get_by_role("listitem")
    expect(agenda).to_have_text([re.compile(REPORT_ITEM), re.compile(OWN_ITEM)])

    # The first item: notes and a decision.
    press_enter_on(page, page.get_by_role("button", name=f"Start item: {REPORT_ITEM}"))
    expect(page.get_by_role("heading", name=f"Notes on {REPORT_ITEM}")).to_be_visible()
    tab_to(page, page.get_by_role("textbox", name="Notes"))
    page.keyboard.type(NOTES)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save notes")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("textbox", name="Notes")).to_have_value(NOTES)
    tab_to(page, page.get_by_label("Decision:", exact=True))
    page.keyboard.type(DECISION)
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # "Record the decision", a button, pressed the other way
    decisions = page.get_by_role("region", name="Record a decision").get_by_role("listitem")
    expect(decisions).to_have_text([DECISION])

    # On to the next item.
    press_enter_on(page, page.get_by_role("button", name=f"Start item: {OWN_ITEM}"))
    expect(page.get_by_role("heading", name=f"Notes on {OWN_ITEM}")).to_be_visible()

    gathering = Gathering.objects.get(pk=gathering_now.pk)
    first, second = AgendaItem.objects.filter(gathering=gathering).order_by("position")
    assert gathering.state == Gathering.State.LIVE
    assert (first.title, first.notes) == (REPORT_ITEM, NOTES)
    assert first.ended_at is not None
    assert gathering.current_item_id == second.pk
    assert list(
        Decision.objects.filter(gathering=gathering).values_list("text", "agenda_item")
    ) == [(DECISION, first.pk)]


# --- b. a draw approval -------------------------------------------------------------------


@dataclass
class Draw:
    request: object
    bea: object


@pytest.fixture
def waiting_draw(tidewater, alice):
    """Mo, of Harbor medics, asks the bail fund for €120, above its €50 limit: one other
    circle must approve. Bea sits in Tenants united."""
    pool = bail_fund(alice, approvals_required=1, holding="500")
    mo = member_of(tidewater, "Harbor medics", "Mo")
    bea = member_of(tidewater, "Tenants united", "Bea")
    request = services.request_draw(by=mo, pool=pool, amount=Decimal("120"), purpose=PURPOSE)
    return Draw(request=request, bea=bea)


def test_an_approver_grants_a_draw_by_keyboard(new_context, waiting_draw):
    page = new_context(viewport=PHONE).new_page()
    sign_in_by_keyboard(page, waiting_draw.bea.user.email)

    needs = page.get_by_role("region", name="What needs you")
    press_enter_on(
        page, needs.get_by_role("link", name="Decide on a draw of €120.00 from Bail Fund")
    )
    expect(page.get_by_role("heading", name="Mo asks for €120.00")).to_be_visible()
    decision = page.get_by_role("region", name="Your decision")
    tab_to(page, decision.get_by_role("radio", name="approve"))
    page.keyboard.press("Space")
    expect(decision.get_by_role("radio", name="approve")).to_be_checked()
    press_enter_on(page, decision.get_by_role("button", name="Record my decision"))

    expect(page.get_by_role("status")).to_contain_text("Your decision is recorded.")
    expect(page.get_by_text("granted", exact=True)).to_be_visible()
    approval = Approval.objects.get(draw_request=waiting_draw.request)
    assert (approval.member, approval.circle.name, approval.decision) == (
        waiting_draw.bea.user,
        "Tenants united",
        Approval.Decision.APPROVE,
    )
    waiting_draw.request.refresh_from_db()
    assert waiting_draw.request.state == DrawRequest.State.GRANTED


# --- c. visible focus ---------------------------------------------------------------------

# One Tab stop: null once the focus has left the page or come around to the first control
# again; otherwise the control, and whether it shows an outline or a box-shadow.
FOCUS_STOP = (
    "() => {"
    + DESCRIBE
    + """
  const element = document.activeElement;
  if (!element || element === document.body || element === window.__firstStop) { return null; }
  window.__firstStop = window.__firstStop || element;
  const style = getComputedStyle(element);
  const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  return {marked: outlined || style.boxShadow !== "none", described: describe(element)};
}"""
)


def unmarked_focus_stops(page: Page):
    """Tab once around the whole page from its top. Returns how many controls took the focus
    and those of them that showed neither an outline nor a box-shadow (tag and text)."""
    stops, unmarked = 0, []
    for _ in range(MOST_PRESSES * 3):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_STOP)
        if stop is None:
            return stops, unmarked
        stops += 1
        if not stop["marked"]:
            unmarked.append(stop["described"])
    raise AssertionError(f"the focus never left the page after {stops} stops")


@pytest.fixture
def pages_to_tab_through(gathering_now, waiting_draw):
    slug = gathering_now.movement.slug
    pool = waiting_draw.request.pool
    return {
        "home": f"/m/{slug}/",
        "pool": pool.get_absolute_url(),
        "draw request form": f"/m/{slug}/commons/pools/{pool.pk}/draw/",
        "gathering": gathering_now.get_absolute_url(),
        "facilitator mode": f"/m/{slug}/convergence/gatherings/{gathering_now.pk}/facilitate/",
    }


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_control_shows_where_the_focus_is(new_context, pages_to_tab_through, alice, viewport):
    page = new_context(viewport=viewport).new_page()
    sign_in_by_keyboard(page, alice.user.email)
    unmarked = {}
    for name, url in pages_to_tab_through.items():
        page.goto(url)
        stops, missing = unmarked_focus_stops(page)
        assert stops >= 5, f"only {stops} focus stops on the {name} page"
        if missing:
            unmarked[name] = missing
    assert not unmarked, f"controls without a visible focus indicator: {unmarked}"
