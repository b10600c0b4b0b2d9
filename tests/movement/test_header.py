"""The header every page shares: the unread count, the current page, the movement's links
(also on the roof's notifications and calendar pages), allauth's pages in the same layout,
and forms whose help text (the password rules) reaches screen readers."""

from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from circles.forms import CircleForm
from movement.models import Notification
from movement.services import NotificationKind, mark_read, notify
from tests.factories import MembershipFactory

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Element:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children, self.text = [], ""

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def all_text(self):
        return self.text + "".join(child.all_text() for child in self.children)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


class Tree(HTMLParser):
    """The page as written (no HTML5 repairs): an element inside a <p> in the source is
    still inside it here, which is what a browser would quietly break apart."""

    def __init__(self, html):
        super().__init__()
        self.root = self.node = Element("#document", {}, None)
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, self.node)
        self.node.children.append(element)
        if tag not in VOID:
            self.node = element

    def handle_endtag(self, tag):
        node = self.node
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None:
            self.node = node.parent

    def handle_data(self, data):
        self.node.text += data

    def find_all(self, tag=None, **attrs):
        return [
            element
            for element in self.root.walk()
            if (tag is None or element.tag == tag)
            and all(element.attrs.get(key.rstrip("_")) == value for key, value in attrs.items())
        ]

    def by_id(self, element_id):
        found = self.find_all(id=element_id)
        assert len(found) == 1, f"{len(found)} elements with id {element_id!r}"
        return found[0]


def tree(response):
    assert response.status_code == 200, response.status_code
    return Tree(response.content.decode())


def site_link(page, name):
    nav = page.find_all("nav", **{"aria-label": "Site"})
    assert len(nav) == 1
    return [a for a in nav[0].walk() if a.tag == "a" and a.all_text().strip() == name]


def say(user, subject="Your role changed"):
    notify(kind=NotificationKind.ROLE_CHANGED, recipient=user, subject=subject, body="…")


# --- the unread count ----------------------------------------------------------------


def test_the_header_counts_the_persons_unread_notifications(tidewater, alice, mo, login):
    for n in range(3):
        say(alice.user, f"Message {n}")
    say(mo.user)  # someone else's
    first = Notification.objects.filter(recipient=alice.user).first()
    mark_read(user=alice.user, notification_ids=[first.pk])

    page = tree(login(alice).get(reverse("movement:home", args=[tidewater.slug])))

    (link,) = page.find_all("a", class_="notifications-link")
    assert "2 unread notifications" in link.all_text()
    assert page.find_all("span", class_="unread-count")[0].all_text().strip() == "2"


def test_one_unread_notification_is_said_in_the_singular(tidewater, alice, login):
    say(alice.user)

    page = tree(login(alice).get(reverse("movement:home", args=[tidewater.slug])))

    (link,) = page.find_all("a", class_="notifications-link")
    assert "1 unread notification" in link.all_text()
    assert "notifications" not in link.all_text()


def test_no_badge_when_everything_is_read(tidewater, alice, login):
    page = tree(login(alice).get(reverse("movement:home", args=[tidewater.slug])))

    (link,) = page.find_all("a", class_="notifications-link")
    assert link.all_text().strip() == "Notifications"
    assert not page.find_all("span", class_="unread-count")


def test_the_count_is_one_query_and_only_when_the_header_is_rendered(tidewater, alice, login):
    say(alice.user)
    client = login(alice)

    with CaptureQueriesContext(connection) as page:
        client.get(reverse("movement:members", args=[tidewater.slug]))
    with CaptureQueriesContext(connection) as partial:  # an htmx piece: no header
        client.get(reverse("movement:member_suggest", args=[tidewater.slug]), {"q": "Al"})

    def counts(captured):
        return [q["sql"] for q in captured.captured_queries if "movement_notification" in q["sql"]]

    assert len(counts(page)) == 1
    assert "COUNT(" in counts(page)[0].upper()
    assert counts(partial) == []


def test_people_logged_out_see_no_count(client):
    page = tree(client.get(reverse("account_login")))

    assert not page.find_all("a", class_="notifications-link")


# --- the current page ------------------------------------------------------------------


def test_the_current_page_is_marked(tidewater, alice, login):
    page = tree(login(alice).get(reverse("movement:members", args=[tidewater.slug])))

    (members,) = site_link(page, "Members")
    assert members.attrs.get("aria-current") == "page"
    marked = [a for a in page.root.walk() if a.tag == "a" and "aria-current" in a.attrs]
    assert marked == [members]


def test_a_page_inside_a_section_marks_the_section(tidewater, alice, medics, login):
    page = tree(login(alice).get(reverse("circles:detail", args=[tidewater.slug, medics.slug])))

    (circles,) = site_link(page, "Circles")
    assert circles.attrs.get("aria-current") == "true"


# --- the movement's links on the roof's pages ----------------------------------------------


@pytest.mark.parametrize(
    ("url_name", "link", "mark"),
    [
        ("notifications", "Notifications", "page"),
        ("notification_settings", "Notifications", "true"),
        ("calendar", "Calendar", "page"),
    ],
)
def test_a_person_with_one_movement_keeps_its_links(url_name, link, mark, tidewater, alice, login):
    page = tree(login(alice).get(reverse(url_name)))

    (members,) = site_link(page, "Members")
    assert members.attrs["href"] == reverse("movement:members", args=[tidewater.slug])
    (own,) = site_link(page, link)
    assert own.attrs.get("aria-current") == mark


@pytest.mark.parametrize("url_name", ["notifications", "notification_settings", "calendar"])
def test_a_person_in_two_movements_is_not_guessed_for(url_name, alice, elsewhere, login):
    MembershipFactory(movement=elsewhere, user=alice.user)

    page = tree(login(alice).get(reverse(url_name)))

    assert site_link(page, "Members") == []


def test_a_person_without_a_movement_sees_only_their_account(nina, login):
    page = tree(login(nina).get(reverse("notifications")))

    assert site_link(page, "Members") == []
    assert site_link(page, "Calendar")


# --- allauth's pages in the app's layout ------------------------------------------------

ACCOUNT_PAGES_LOGGED_OUT = ["account_login", "account_signup", "account_reset_password"]
ACCOUNT_PAGES_LOGGED_IN = ["account_email", "account_change_password", "mfa_index"]


def assert_app_layout(page):
    assert len(page.find_all("main")) == 1
    assert len(page.find_all("header", class_="site-header")) == 1
    assert len(page.find_all("footer", class_="site-footer")) == 1
    assert len(page.find_all("nav", **{"aria-label": "Site"})) == 1
    # allauth's own layout prints a "Menu:" list of its own; ours replaces it.
    assert "Menu:" not in page.root.all_text()


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ACCOUNT_PAGES_LOGGED_OUT)
def test_account_pages_use_the_app_layout(url_name, client):
    assert_app_layout(tree(client.get(reverse(url_name))))


@pytest.mark.parametrize("url_name", ACCOUNT_PAGES_LOGGED_IN)
def test_account_pages_of_a_logged_in_person_use_the_app_layout(url_name, alice, login):
    assert_app_layout(tree(login(alice).get(reverse(url_name))))


# --- help text that reaches screen readers ---------------------------------------------


def assert_described(page, input_id):
    """The input's aria-describedby names a <div> holding words, outside any <p>."""
    (field,) = page.find_all("input", id=input_id)
    described_by = field.attrs.get("aria-describedby")
    assert described_by, f"{input_id} is described by nothing"
    for element_id in described_by.split():
        help_text = page.by_id(element_id)
        assert help_text.tag == "div"
        assert help_text.all_text().strip()
        assert "p" not in {ancestor.tag for ancestor in help_text.ancestors()}
        assert "span" not in {ancestor.tag for ancestor in help_text.ancestors()}


@pytest.mark.django_db
def test_sign_up_gives_the_password_rules_to_screen_readers(client):
    page = tree(client.get(reverse("account_signup")))

    assert_described(page, "id_password1")
    rules = page.by_id("id_password1_helptext")
    assert [child.tag for child in rules.children] == ["ul"]


def test_password_change_gives_the_password_rules_to_screen_readers(alice, login):
    page = tree(login(alice).get(reverse("account_change_password")))

    assert_described(page, "id_password1")


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["account_signup", "account_login"])
def test_no_list_or_block_sits_inside_a_paragraph(url_name, client):
    page = tree(client.get(reverse(url_name)))

    blocks = {"div", "ul", "ol", "table", "form", "section", "fieldset"}
    for paragraph in page.find_all("p"):
        inside = {element.tag for element in paragraph.walk()} - {"p"}
        assert not inside & blocks, paragraph.all_text()


# --- no blank choice checked ----------------------------------------------------------------


def test_the_lens_radio_offers_no_blank_choice():
    form = CircleForm()

    assert "" not in [value for value, _label in form.fields["lens"].choices]


def test_a_new_circles_form_starts_with_no_lens_checked(tidewater, alice, login):
    page = tree(login(alice).get(reverse("circles:create", args=[tidewater.slug])))

    lenses = page.find_all("input", type="radio", name="lens")
    assert lenses
    assert all(lens.attrs.get("value") for lens in lenses)
    assert not [lens for lens in lenses if "checked" in lens.attrs]


def test_the_lens_is_still_required(tidewater):
    form = CircleForm(data={"name": "Cooks", "initiative": "Feed.", "theory_of_change": "Eat."})

    assert not form.is_valid()
    assert "lens" in form.errors


def test_the_notifications_page_itself_shows_no_count(alice, login):
    say(alice.user)

    page = tree(login(alice).get(reverse("notifications")))

    (link,) = page.find_all("a", class_="notifications-link")
    assert link.all_text().strip() == "Notifications"
    assert link.attrs.get("aria-current") == "page"
