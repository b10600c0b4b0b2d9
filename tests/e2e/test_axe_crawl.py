"""Every page a member, a facilitator and an organizer can reach passes axe-core (issue 16).

The pages are found by crawling, not listed by hand. Each of the demo's three people logs in
through the log-in page, then follows every same-origin link a page shows them, breadth first
from "/", GET only. A link that answers anything but 200, or that sends a logged-in person
back to the log-in page, is a broken link that person is shown. A serious or critical axe
violation at phone width (390×844) or desktop width (1280×800) is a page that person cannot
fully use. The test collects both over the whole crawl and reports them page by page.

To stay finite and quick, the crawl visits one address per *pattern*: the Django URL name
plus the query string's keys, so ``pools/1/`` and ``pools/2/`` count once. It must reach the
pages the person's role is for (an organizer's invitations, a facilitator's facilitator mode),
and a member must not be shown the organizer's, so the test cannot pass by crawling nothing.
Following every link must not change the database either: no row added or removed.
"""

from collections import deque
from dataclasses import dataclass, field
from io import StringIO
from urllib.parse import parse_qsl, urldefrag, urlsplit

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from tests.e2e.axe import serious_violations
from tests.e2e.people import PHONE

DESKTOP = {"width": 1280, "height": 800}
DEMO_PASSWORD = "sovereignty-not-spectacle"

# What the crawl never opens: the admin, files, and leaving.
SKIPPED_PREFIXES = ("/admin/", "/static/", "/media/")
SKIPPED_SUFFIXES = (".csv", ".zip", ".ics", ".png", ".jpg", ".jpeg", ".svg", ".pdf", ".txt")
SKIPPED_VIEWS = {"account_logout"}
LOG_IN = "account_login"

ORGANIZER_PAGES = {"movement:invitations", "movement:audit", "commons:pool_create"}


@dataclass(frozen=True)
class Person:
    email: str
    must_reach: frozenset  # URL names the crawl has to find
    never_shown: frozenset = frozenset()
    enough_patterns: int = 30


# The demo's three people (constellation/management/commands/seed_demo.py).
PEOPLE = {
    "organizer": Person(
        email="amara@demo.constellation.test",
        must_reach=frozenset({*ORGANIZER_PAGES, "rituals:rhythm", "rituals:facilitate"}),
        enough_patterns=50,
    ),
    "facilitator": Person(
        email="chen@demo.constellation.test",
        must_reach=frozenset({"rituals:facilitate", "rituals:gathering", "commons:draw"}),
        never_shown=frozenset(ORGANIZER_PAGES),
        enough_patterns=40,
    ),
    "member": Person(
        email="farah@demo.constellation.test",
        # Farah's circle reports back, and a draw waits for her decision.
        must_reach=frozenset({"rituals:report", "commons:draw", "commons:draw_create"}),
        never_shown=frozenset({*ORGANIZER_PAGES, "rituals:facilitate"}),
        enough_patterns=40,
    ),
}


@dataclass
class Visit:
    """One page as the person saw it: its status and axe's findings per width."""

    path: str
    pattern: tuple
    status: int
    landed_on: str
    violations: dict = field(default_factory=dict)


@dataclass
class Crawl:
    visits: list = field(default_factory=list)
    not_pages: list = field(default_factory=list)  # downloads and other non-HTML answers

    @property
    def view_names(self):
        return {visit.pattern[0] for visit in self.visits}

    def problems(self):
        """Readable lines, page by page: what did not answer, and what axe found."""
        lines = []
        for visit in self.visits:
            if visit.status != 200:
                lines.append(f"{visit.path} answered {visit.status}")
            elif pattern_of(visit.landed_on)[0] == LOG_IN and visit.pattern[0] != LOG_IN:
                lines.append(f"{visit.path} sent a logged-in person to log in")
            for width, violations in visit.violations.items():
                lines.extend(f"{visit.path} at {width}: {violation}" for violation in violations)
        return lines


def path_of(url):
    """``/path?query`` of an absolute URL, without its fragment."""
    parts = urlsplit(urldefrag(url)[0])
    return parts.path + (f"?{parts.query}" if parts.query else "")


def pattern_of(path):
    """The view's URL name plus the query string's sorted keys. A path that resolves to no
    view is a pattern of its own; its visit's 404 will tell."""
    parts = urlsplit(path)
    keys = tuple(sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)}))
    try:
        return (resolve(parts.path).view_name, keys)
    except Resolver404:
        return (f"no view at {parts.path}", keys)


def worth_following(url, origin):
    """A link on this site to a page, not a file, the admin or the way out."""
    parts = urlsplit(url)
    return (
        f"{parts.scheme}://{parts.netloc}" == origin
        and not parts.path.startswith(SKIPPED_PREFIXES)
        and not parts.path.endswith(SKIPPED_SUFFIXES)
        and pattern_of(parts.path)[0] not in SKIPPED_VIEWS
    )


def links_on(page: Page):
    """Every ``<a href>`` on the page, HTML's and SVG's, as an absolute URL."""
    return page.eval_on_selector_all(
        "a[href]:not([download])",
        "links => links.map(link => new URL(link.getAttribute('href'), document.baseURI).href)",
    )


def sign_in(page: Page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password:", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="What needs you")).to_be_visible()


def violations_at_both_widths(page: Page):
    """axe's serious and critical violations at the width the page is at, then at the other.

    Resizing the same document is cheaper than loading it again (and axe, injected once,
    stays); the next page starts at whichever width this one ended.
    """
    widths = {"phone": PHONE, "desktop": DESKTOP}
    now = "phone" if page.viewport_size == PHONE else "desktop"
    found = {now: serious_violations(page)}
    other = "desktop" if now == "phone" else "phone"
    page.set_viewport_size(widths[other])
    found[other] = serious_violations(page)
    return {width: lines for width, lines in found.items() if lines}


def open_page(page: Page, path):
    """The response to a GET of ``path``, or None when the browser took it as a download."""
    try:
        return page.goto(path)
    except PlaywrightError as error:
        if "Download is starting" in error.message:
            return None
        raise


def crawl(page: Page, origin):
    """Breadth first from "/", one address per pattern, following links only (GET)."""
    found = Crawl()
    queue = deque(["/"])
    seen = {pattern_of("/")}
    while queue:
        path = queue.popleft()
        response = open_page(page, path)
        content_type = response.headers.get("content-type", "") if response else "a download"
        if not content_type.startswith("text/html"):
            found.not_pages.append(f"{path} ({content_type})")
            continue
        visit = Visit(
            path=path, pattern=pattern_of(path), status=response.status, landed_on=path_of(page.url)
        )
        found.visits.append(visit)
        seen.add(pattern_of(visit.landed_on))  # after a redirect: that page is seen now
        if response.status != 200:
            continue
        visit.violations = violations_at_both_widths(page)
        for url in links_on(page):
            link = path_of(url)
            if worth_following(url, origin) and pattern_of(link) not in seen:
                seen.add(pattern_of(link))
                queue.append(link)
    return found


def row_counts():
    """Rows per table, but for the records that reading is meant to leave: a conflict case
    logs who opened it (its parties see that log), and the calendar page makes the person's
    feed address the first time it shows it."""
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.label not in {"rituals.CaseView", "rituals.CalendarFeed"}
    }


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=StringIO())


@pytest.mark.parametrize("role", PEOPLE)
def test_every_page_a_person_is_shown_answers_and_passes_axe(new_context, live_server, demo, role):
    person = PEOPLE[role]
    page = new_context(viewport=PHONE).new_page()
    sign_in(page, person.email)
    before = row_counts()

    found = crawl(page, live_server.url)

    problems = found.problems()
    assert not problems, f"{role} {person.email}: {len(problems)} problems\n" + "\n".join(problems)
    missed = person.must_reach - found.view_names
    assert not missed, f"{role} never reached {sorted(missed)}"
    wrongly_shown = person.never_shown & found.view_names
    assert not wrongly_shown, f"{role} was shown {sorted(wrongly_shown)}"
    assert len(found.visits) >= person.enough_patterns, (
        f"{role} reached only {sorted(found.view_names)}; not pages: {found.not_pages}"
    )
    assert row_counts() == before, "following links changed the database"
