"""Every page a member, a facilitator and an organizer can reach passes axe-core (issue 16).

The pages are found by crawling, not listed by hand: each of the demo's three people logs in
through the log-in page and follows, breadth first from "/", every same-origin link a page
shows them. A page that answers anything but 200 is a broken link that person is shown; a
serious or critical axe violation, at phone width (390×844) or at desktop width (1280×800),
is a page that person cannot fully use. Both are collected over the whole crawl and reported
together, page by page.

To stay finite and quick, one address is visited per *pattern*: the Django URL name plus the
query string's keys, so ``pools/1/`` and ``pools/2/`` count once. Each person's crawl must
reach the pages their role is for (an organizer's invitations, a facilitator's facilitator
mode), so the test cannot pass by crawling nothing.
"""

from collections import deque
from dataclasses import dataclass, field
from io import StringIO
from urllib.parse import parse_qsl, urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from tests.e2e.axe import serious_violations
from tests.e2e.people import PHONE

DESKTOP = {"width": 1280, "height": 800}
DEMO_PASSWORD = "sovereignty-not-spectacle"

# Pages the crawl never opens: leaving, the admin, files, and what is not a page.
SKIPPED_PREFIXES = ("/admin/", "/static/", "/media/")
SKIPPED_SUFFIXES = (".csv", ".zip", ".ics", ".png", ".jpg", ".jpeg", ".svg", ".pdf", ".txt")
SKIPPED_VIEWS = {"account_logout"}


@dataclass
class Visit:
    """One page as a person saw it."""

    url: str
    pattern: tuple
    status: int
    violations: dict = field(default_factory=dict)  # width name → lines


@dataclass
class Crawl:
    visits: list = field(default_factory=list)
    not_pages: list = field(default_factory=list)  # (url, content type): downloads and such

    @property
    def patterns(self):
        return {visit.pattern for visit in self.visits}

    @property
    def view_names(self):
        return {visit.pattern[0] for visit in self.visits}

    def problems(self):
        """Readable lines: every page that did not answer 200 or that axe found wanting."""
        lines = []
        for visit in self.visits:
            if visit.status != 200:
                lines.append(f"{visit.url} answered {visit.status}")
            for width, violations in visit.violations.items():
                lines.extend(f"{visit.url} at {width}: {violation}" for violation in violations)
        return lines


# The demo's three people, and pages their crawl must reach (URL names): the role's own
# pages are the ones a crawl that went wrong would miss.
PEOPLE = {
    "organizer": (
        "amara@demo.constellation.test",
        {"movement:invitations", "movement:audit", "commons:pool_create", "rituals:rhythm"},
    ),
    "facilitator": (
        "chen@demo.constellation.test",
        {"rituals:facilitate", "rituals:gathering", "commons:draw"},
    ),
    "member": (
        "farah@demo.constellation.test",
        {"movement:home", "commons:draw", "commons:draw_create", "rituals:gathering"},
    ),
}
# At least this many patterns per role.
ENOUGH = {"organizer": 30, "facilitator": 20, "member": 20}


def pattern_of(path_and_query):
    """The view's URL name plus the query string's sorted keys, or None for a path that
    resolves to no view (then the visit's status tells)."""
    parts = urlsplit(path_and_query)
    keys = tuple(sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)}))
    try:
        return (resolve(parts.path).view_name, keys)
    except Resolver404:
        return (f"unresolved {parts.path}", keys)


def same_origin_path(href, origin):
    """``/path?query`` of a link on this site without its fragment, or None for a link
    elsewhere or one the crawl leaves alone."""
    url, _fragment = urldefrag(href)
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    if parts.path.startswith(SKIPPED_PREFIXES) or parts.path.endswith(SKIPPED_SUFFIXES):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if pattern_of(path)[0] in SKIPPED_VIEWS:
        return None
    return path


def links_on(page: Page):
    """Every ``<a href>`` on the page, as absolute URLs (the browser resolves them)."""
    return page.eval_on_selector_all(
        "a[href]:not([download])", "links => links.map(link => link.href)"
    )


def sign_in(page: Page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password:", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="What needs you")).to_be_visible()


def check_at_both_widths(page: Page):
    """axe's serious and critical violations at the width the page is at, then at the other
    one: resizing the same document is cheaper than loading it twice, and the next page
    starts at whichever width this one ended."""
    current = "phone" if page.viewport_size == PHONE else "desktop"
    other = "desktop" if current == "phone" else "phone"
    found = {current: serious_violations(page)}
    page.set_viewport_size(DESKTOP if other == "desktop" else PHONE)
    found[other] = serious_violations(page)
    return {width: lines for width, lines in found.items() if lines}


def crawl(page: Page, origin):
    """Breadth first from "/", one address per pattern, GET only (a link is a GET)."""
    result = Crawl()
    queue = deque(["/"])
    queued = {pattern_of("/")}
    while queue:
        path = queue.popleft()
        try:
            response = page.goto(path)
        except PlaywrightError as error:
            if "Download is starting" not in error.message:
                raise
            result.not_pages.append((path, "a download"))
            continue
        content_type = response.headers.get("content-type", "")
        if not content_type.startswith("text/html"):
            result.not_pages.append((path, content_type))
            continue
        visit = Visit(url=path, pattern=pattern_of(path), status=response.status)
        result.visits.append(visit)
        # A redirect lands on a page of another pattern: that one is seen now.
        queued.add(pattern_of(urlsplit(page.url).path + (f"?{urlsplit(page.url).query}" if urlsplit(page.url).query else "")))
        if response.status != 200:
            continue
        visit.violations = check_at_both_widths(page)
        for href in links_on(page):
            link = same_origin_path(href, origin)
            if link is None:
                continue
            pattern = pattern_of(link)
            if pattern not in queued:
                queued.add(pattern)
                queue.append(link)
    return result


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=StringIO())


@pytest.mark.parametrize("role", PEOPLE)
def test_every_page_a_person_reaches_answers_and_passes_axe(new_context, live_server, demo, role):
    email, own_pages = PEOPLE[role]
    page = new_context(viewport=PHONE).new_page()
    sign_in(page, email)

    found = crawl(page, live_server.url)

    print(f"{role}: {len(found.patterns)} patterns, skipped {found.not_pages}")
    for v in found.visits:
        print("  ", v.pattern, v.url)
    problems = found.problems()
    assert not problems, f"{role} ({email}) met {len(problems)} problems:\n" + "\n".join(problems)
    assert own_pages <= found.view_names, f"{role}'s crawl missed {own_pages - found.view_names}"
    assert len(found.patterns) >= ENOUGH[role], sorted(found.patterns)
