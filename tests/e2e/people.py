"""People in the browser tests: a member of a circle of their own, and a browser of
their own logged in through the log-in page, as a person would; and the bail fund they
share."""

from decimal import Decimal

from playwright.sync_api import Page, expect

from commons import services as commons_services
from tests.factories import PASSWORD, CircleFactory, CircleMembershipFactory, MembershipFactory

PHONE = {"width": 390, "height": 844}


def member_of(movement, circle_name, display_name):
    """A new member sitting in a new circle of that name."""
    circle = CircleFactory(movement=movement, name=circle_name)
    membership = MembershipFactory(movement=movement, user__display_name=display_name)
    CircleMembershipFactory(circle=circle, member=membership)
    return membership


def sign_in(page: Page, email):
    """Log in on this page; someone in one movement lands on its home."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="What needs you")).to_be_visible()


def log_in(new_context, membership, **context_options) -> Page:
    """A browser of this person's own (``viewport=PHONE``, say), logged in."""
    page = new_context(**context_options).new_page()
    sign_in(page, membership.user.email)
    return page


def bail_fund(by, *, approvals_required, holding=None):
    """Tidewater's bail fund as an organizer opens it: draws above €50 wait for approvals
    from ``approvals_required`` other circles; ``holding`` is put in at once."""
    pool = commons_services.create_pool(
        by=by,
        name="Bail Fund",
        kind="money",
        currency="EUR",
        purpose="Bail for anyone arrested.",
        instant_limit=Decimal("50"),
        approvals_required=approvals_required,
    )
    if holding:
        commons_services.contribute(by=by, pool=pool, amount=Decimal(holding))
    return pool
