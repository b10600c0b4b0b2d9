"""Ids and numbers are parsed strictly: by form fields, never by ``str.isdigit``.

``PARAMETERS`` lists every id and number parameter of the project's forms and of its URLs'
query strings; each gets every value in ``HOSTILE``: a superscript, the digits of other
scripts, an exponent, a signed zero, NUL, ten thousand digits, and thirty nines (which
fit no database integer). Whatever comes in, the answer is a page, never a 500:

* a refused value brings the form back with the message next to its field (200; 400 for
  a draw decision), or, in facilitator mode and on the member list, redirects with the
  message (``messages.error``); nothing is written;
* amounts (``commons/amounts.py``): the digits of any script are the number they look
  like, and the page says back what was stored; exponents, superscripts, NUL, signs and
  absurd sizes are refused;
* whole numbers (``forms.IntegerField``) are what ``int()`` reads, then the field's
  bounds apply: "١٢٣" is 123 and "-0" is 0, kept if in range and shown back;
* ids (``movement/fields.py``) are ASCII digits of at most 18, for one id or many: "١٢٣",
  "1e3" and thirty nines are refused next to the field and never looked up;
  ``test_an_id_in_other_digits`` writes a real id in other digits to show it;
* ``?page=`` follows ``Paginator.get_page``: page 1 for anything that is not a whole
  number, the last page for a whole number out of range ("-0" included).

Ids in URL paths (``<int:pool_id>`` and the like) are ASCII digits by Django's converter:
``test_ids_in_url_paths_are_ascii_digits_only`` checks each one. Choices that hold words
(time zone, rhythm kind, moon phase, lens, a draw's state) and free text are left to the
apps' own bad-input tests.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
from django.apps import apps
from django.contrib.messages import constants, get_messages
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from circles.views import PAGE_SIZE as CIRCLES_PAGE
from commons import services as commons_services
from commons.amounts import MAX_AMOUNT, is_zero
from commons.models import Approval, ArchiveEntry, DrawRequest, LedgerEntry, Pool
from commons.views import PAGE_SIZE as COMMONS_PAGE
from movement.models import AuditEvent, Invitation, Membership, Notification
from movement.views import PAGE_SIZE as MOVEMENT_PAGE
from rituals.models import AgendaItem, Commitment, Gathering, Rhythm, Rsvp
from rituals.services import facilitation
from tests.bad_input import assert_field_error
from tests.factories import (
    CircleFactory,
    CircleMembershipFactory,
    GatheringFactory,
    MembershipFactory,
    PoolFactory,
    RhythmFactory,
)

pytestmark = pytest.mark.django_db

CONVERGENCE_PAGE = 12  # past gatherings per page (rituals.views.convergence)

HOSTILE = [
    pytest.param("²", id="superscript-two"),
    pytest.param("١٢٣", id="arabic-indic-123"),
    pytest.param("１２３", id="fullwidth-123"),
    pytest.param("1e3", id="exponent"),
    pytest.param("-0", id="minus-zero"),
    pytest.param("\x00", id="nul"),
    pytest.param("9" * 10_000, id="10000-digits"),
    pytest.param("9" * 30, id="30-nines"),
]

# Kinds of parameter: how each reads a value (see the module's docstring).
AMOUNT = "amount"  # commons.amounts: digits of any script, above zero, up to MAX_AMOUNT
LIMIT = "limit"  # an amount that may also be 0: a pool's instant limit
CHOICE = "choice"  # a ChoiceField: one of its values, exactly as written
ID = "id"  # a ModelChoiceField
IDS = "ids"  # a ModelMultipleChoiceField
DATE = "date"  # a DateField, TimeField or DateTimeField
PAGE = "page"  # ?page= of a paginated list
CURSOR = "cursor"  # ?older= / ?newer= of a keyset list: a cursor that does not parse is page 1
VERSION = "version"  # ?v= of the live panel: compared, as text, with the gathering's version


@dataclass(frozen=True)
class Whole:
    """A forms.IntegerField from ``low`` to ``high``."""

    low: int
    high: int

    def __str__(self):
        return f"whole {self.low}..{self.high}"


# How the page answers a refused value.
FORM = "the form again, the message next to the field"
REDIRECT = "a redirect with messages.error"
LIST = "the list, on the page it reads from the value"


@dataclass(frozen=True)
class Parameter:
    where: str  # the URL's name (in facilitator mode, with the action)
    field: str  # the form field or query-string key
    kind: Any
    world: str  # the function below that builds the form or list (with what it needs)
    answer: str = FORM
    method: str = "post"
    status: int = 200  # the status of the page that comes back with the message
    context: str = "form"  # the template's name for the form (for a list: the page)

    def __str__(self):
        return f"{self.where}{'?' if self.method == 'get' else ':'}{self.field}"


def form(where, name, kind, world, **options):
    return Parameter(where, name, kind, world, **options)


def query(where, key, kind, world, **options):
    options = {"answer": LIST, "context": "page", **options}
    return Parameter(where, key, kind, world, method="get", **options)


def action(name, field_name, kind, world):
    return Parameter(f"rituals:facilitate_action/{name}", field_name, kind, world, REDIRECT)


PARAMETERS = [
    # commons: forms
    form("commons:pool_create", "instant_limit", LIMIT, "pool_limit"),
    form("commons:pool_create", "approvals_required", Whole(1, 20), "pool_approvals"),
    form("commons:pool_edit", "instant_limit", LIMIT, "policy_limit"),
    form("commons:pool_edit", "approvals_required", Whole(1, 20), "policy_approvals"),
    form("commons:contribute", "amount", AMOUNT, "contribution_amount"),
    form("commons:contribute", "circle", ID, "contribution_circle"),
    form("commons:draw_create", "amount", AMOUNT, "draw_amount"),
    form("commons:draw_create", "circle", CHOICE, "draw_circle"),  # typed by name now
    form("commons:draw_decide", "circle", ID, "draw_decision", status=400),
    form("commons:draw_decide", "decision", CHOICE, "draw_decision", status=400),
    form("commons:archive_create", "circle", ID, "archive_new"),
    form("commons:archive_edit", "circle", ID, "archive_edit"),
    # commons: query strings
    query("commons:fairness", "start", DATE, "fairness", answer=FORM, context="period"),
    query("commons:fairness", "end", DATE, "fairness", answer=FORM, context="period"),
    query("commons:draws", "page", PAGE, "draw_list"),
    query("commons:pool", "older", CURSOR, "ledger"),
    query("commons:pool", "newer", CURSOR, "ledger"),
    query("commons:archive", "page", PAGE, "archive_list"),
    # rituals: forms
    form("rituals:rhythm", "week", CHOICE, "rhythm"),
    form("rituals:rhythm", "weekday", CHOICE, "rhythm"),
    form("rituals:rhythm", "local_time", DATE, "rhythm"),
    form("rituals:rhythm", "duration_minutes", Whole(15, 720), "rhythm_duration"),
    form("rituals:rhythm", "report_days_before", Whole(0, 30), "rhythm_report_days"),
    form("rituals:gathering", "answer", CHOICE, "rsvp"),
    form("rituals:report", "commitment_<pk>", CHOICE, "report_outcome"),
    form("rituals:gathering_edit", "starts_at", DATE, "gathering_edit"),
    form("rituals:gathering_edit", "ends_at", DATE, "gathering_edit"),
    form("rituals:gathering_edit", "facilitators", IDS, "gathering_edit"),
    # rituals: facilitator mode
    action("add_item", "minutes", Whole(1, 180), "new_agenda_item"),
    action("extend_item", "minutes", Whole(1, 60), "extend_minutes"),
    action("up", "item", ID, "move_up"),
    action("down", "item", ID, "move_down"),
    action("start_item", "item", ID, "start_item"),
    action("extend_item", "item", ID, "extend_item"),
    action("end_item", "item", ID, "end_item"),
    action("notes", "item", ID, "save_notes"),
    action("commitment", "circle", CHOICE, "commitment_circle"),  # typed by name now
    # rituals: query strings
    query("rituals:convergence", "page", PAGE, "past_gatherings", context="past"),
    query("rituals:live", "v", VERSION, "live_panel"),
    # movement
    form("movement:member_role", "role", CHOICE, "member_role", answer=REDIRECT),
    form("movement:invitations", "role", CHOICE, "invitation"),
    form("movement:invitations", "expires_on", DATE, "invitation"),
    query("movement:members", "older", CURSOR, "members"),
    query("movement:audit", "older", CURSOR, "audit"),
    query("movement:audit", "newer", CURSOR, "audit"),
    query("movement:invitations", "page", PAGE, "invitations"),
    query("notifications", "page", PAGE, "notifications"),
    # circles (a convener's seat is an id in the URL's path: see URL_IDS)
    query("circles:directory", "page", PAGE, "directory"),
]

ON_SQLITE = connection.vendor == "sqlite"

# Where the project does not (yet) do what the table says: (parameter, value) -> why.
KNOWN = {}


# --- the world each parameter needs -----------------------------------------------------------


class World:
    """The shared fixtures (tests/conftest.py), fetched when a parameter asks for them."""

    def __init__(self, request):
        self._request = request

    def __getattr__(self, name):
        return self._request.getfixturevalue(name)


@dataclass
class Target:
    """One form or list, logged in and ready to take a hostile value."""

    client: Any
    url: str
    data: dict = field(default_factory=dict)  # a valid form, or an empty query string
    # The parameter's value as the form stores it (None while nothing is stored).
    stored: Callable[[], Any] = lambda: None
    # What the write was made with, when ``stored`` holds more than that.
    chosen: Callable[[], Any] | None = None
    # ID and IDS: the ids the field offers. PAGE: how many pages the list has.
    allowed: frozenset = frozenset()
    pages: int = 1
    # An accepted number is said back: ``says(number)`` is in a message or on ``show``
    # (by default, the page the form led to).
    says: Callable[[Any], str] | None = None
    show: str | None = None
    # REDIRECT: how the error message begins.
    said: str = ""
    # The field's name, when it is made for one object (``commitment_<pk>``).
    name: str | None = None


def url(name, **kwargs):
    return reverse(name, kwargs={"movement_slug": "tidewater", **kwargs})


def euros(amount):
    return f"€{Decimal(amount):,.2f}"


def funded_pool(w, **options):
    pool = PoolFactory(movement=w.tidewater, **options)
    commons_services.contribute(by=w.alice, pool=pool, amount=Decimal("300"))
    return pool


def last(queryset, column):
    return queryset.order_by("pk").values_list(column, flat=True).last()


def minutes(delta):
    return int(delta.total_seconds() // 60)


# commons ---------------------------------------------------------------------------------------

VALID_POOL = {
    "name": "Tool Library",
    "kind": "money",
    "currency": "EUR",
    "purpose": "Tools anyone can borrow.",
    "instant_limit": "25",
    "approvals_required": "2",
}


def new_pool(column):
    def world(w):
        return Target(
            w.login(w.alice),
            url("commons:pool_create"),
            VALID_POOL,
            lambda: last(Pool.objects.filter(name="Tool Library"), column),
            says=euros,  # the pool's page: "Any member can draw up to €123.00 at once."
        )

    return world


def pool_policy(column):
    def world(w):
        pool = PoolFactory(movement=w.tidewater, instant_limit=Decimal("50"), approvals_required=2)
        return Target(
            w.login(w.alice),
            url("commons:pool_edit", pool_id=pool.pk),
            {"purpose": "Held in common.", "instant_limit": "50", "approvals_required": "2"},
            lambda: last(Pool.objects.filter(pk=pool.pk), column),
            says=euros,
        )

    return world


pool_limit, pool_approvals = new_pool("instant_limit"), new_pool("approvals_required")
policy_limit, policy_approvals = pool_policy("instant_limit"), pool_policy("approvals_required")


def contribution(column):
    def world(w):
        pool = PoolFactory(movement=w.tidewater)
        return Target(
            w.login(w.cora),
            url("commons:contribute", pool_id=pool.pk),
            {"amount": "10"},
            lambda: last(LedgerEntry.objects.filter(pool=pool), column),
            allowed=frozenset({w.medics.pk}),  # the circles cora sits in
            says=lambda amount: (
                f"Thank you: your contribution of {euros(amount)} is on the ledger."
            ),
        )

    return world


contribution_amount, contribution_circle = contribution("amount"), contribution("circle_id")


def draw(column):
    def world(w):
        pool = funded_pool(w, instant_limit=Decimal("500"))  # 123 is granted at once
        return Target(
            w.login(w.mo),
            url("commons:draw_create", pool_id=pool.pk),
            {"amount": "20", "purpose": "Bail for Sam"},
            lambda: last(DrawRequest.objects.filter(pool=pool), column),
            allowed=frozenset({w.medics.pk}),  # the movement's active circles
            says=lambda amount: f"Granted: {euros(amount)} is on the ledger.",
        )

    return world


draw_amount, draw_circle = draw("amount"), draw("circle_id")


def draw_decision(w):
    """cora (medics) decides on mo's €200 draw, which waits for two other circles."""
    cora = w.cora
    legal = CircleFactory(movement=w.tidewater, name="Legal", slug="legal")
    CircleMembershipFactory(circle=legal, member=MembershipFactory(movement=w.tidewater))
    request = commons_services.request_draw(
        by=w.mo, pool=funded_pool(w), amount=Decimal("200"), purpose="Bail for Sam"
    )
    assert request.state == DrawRequest.State.PENDING
    return Target(
        w.login(cora),
        url("commons:draw_decide", draw_id=request.pk),
        {"decision": "approve", "circle": str(w.medics.pk)},
        lambda: last(Approval.objects.filter(draw_request=request), "circle_id"),
        allowed=frozenset({w.medics.pk}),  # cora's circles that may decide
    )


def archive_new(w):
    return Target(
        w.login(w.cora),
        url("commons:archive_create"),
        {"title": "Jail support", "body": "Bring snacks and water."},
        lambda: last(ArchiveEntry.objects.filter(title="Jail support"), "circle_id"),
        allowed=frozenset({w.medics.pk}),  # the circles cora sits in
    )


def archive_edit(w):
    entry = commons_services.add_archive_entry(by=w.cora, title="Jail support", body="Snacks.")
    return Target(
        w.login(w.cora),
        url("commons:archive_edit", entry_id=entry.pk),
        {"title": "Jail support", "body": "Snacks and water."},
        lambda: ArchiveEntry.objects.values_list("circle_id", "body").get(pk=entry.pk),
        chosen=lambda: ArchiveEntry.objects.values_list("circle_id", flat=True).get(pk=entry.pk),
        allowed=frozenset({w.medics.pk}),
    )


def fairness(w):
    return Target(w.login(w.mo), url("commons:fairness", pool_id=funded_pool(w).pk))


# Each list holds one row more than a page: two pages, so that "the first page" and "the
# last page" are two different answers.


def draw_list(w):
    pool = funded_pool(w, instant_limit=Decimal("500"))
    for _ in range(COMMONS_PAGE + 1):
        commons_services.request_draw(by=w.mo, pool=pool, amount=Decimal("1"), purpose="Bus")
    return Target(w.login(w.mo), url("commons:draws"), pages=2)


def ledger(w):
    pool = funded_pool(w)  # one contribution, and as many again as a page holds
    for _ in range(COMMONS_PAGE):
        commons_services.contribute(by=w.mo, pool=pool, amount=Decimal("1"))
    return Target(w.login(w.mo), url("commons:pool", pool_id=pool.pk), pages=2)


def archive_list(w):
    for number in range(COMMONS_PAGE + 1):
        commons_services.add_archive_entry(by=w.cora, title=f"Note {number}", body="Snacks.")
    return Target(w.login(w.mo), url("commons:archive"), pages=2)


# rituals ---------------------------------------------------------------------------------------

VALID_RHYTHM = {
    "time_zone": "Europe/Paris",
    "kind": "monthly",
    "week": "1",
    "weekday": "5",
    "local_time": "18:00",
    "duration_minutes": "120",
    "report_days_before": "3",
}


def rhythm_form(read):
    def world(w):
        def stored():
            row = Rhythm.objects.filter(movement=w.tidewater).first()
            return read(row) if row else None

        return Target(
            w.login(w.alice),
            url("rituals:rhythm"),
            VALID_RHYTHM,
            stored,
            says=lambda number: f'value="{number}"',  # in the rhythm form, opened again
            show=url("rituals:rhythm"),
        )

    return world


rhythm = rhythm_form(
    lambda row: (row.week, row.weekday, row.local_time, row.duration, row.report_days_before)
)
rhythm_duration = rhythm_form(lambda row: minutes(row.duration))
rhythm_report_days = rhythm_form(lambda row: row.report_days_before)


def next_week(w):
    start = (timezone.now() + timedelta(days=7)).replace(second=0, microsecond=0)
    return GatheringFactory(movement=w.tidewater, starts_at=start)


def rsvp(w):
    gathering = next_week(w)
    return Target(
        w.login(w.mo),
        url("rituals:gathering", gathering_id=gathering.pk),
        {"answer": "yes"},
        lambda: last(Rsvp.objects.filter(gathering=gathering), "answer"),
    )


def report_outcome(w):
    """cora reports for medics; the form asks how last cycle's commitment went."""
    earlier = GatheringFactory(
        movement=w.tidewater,
        starts_at=timezone.now() - timedelta(days=30),
        state=Gathering.State.CLOSED,
    )
    commitment = Commitment.objects.create(gathering=earlier, circle=w.medics, text="Buy gauze")
    gathering = next_week(w)
    return Target(
        w.login(w.cora),
        url("rituals:report", gathering_id=gathering.pk, circle_slug=w.medics.slug),
        {"did": "Staffed actions.", "intention": "Train medics."},
        lambda: Commitment.objects.values_list("outcome", "reviewed_in").get(pk=commitment.pk),
        name=f"commitment_{commitment.pk}",
    )


def gathering_edit(w):
    gathering = next_week(w)
    local = timezone.localtime(gathering.starts_at, w.tidewater.zone)

    def stored():
        row = Gathering.objects.get(pk=gathering.pk)
        return row.starts_at, row.ends_at, tuple(row.facilitators.values_list("pk", flat=True))

    members = Membership.objects.filter(movement=w.tidewater).values_list("pk", flat=True)
    return Target(
        w.login(w.alice),
        url("rituals:gathering_edit", gathering_id=gathering.pk),
        {
            "starts_at": f"{local:%Y-%m-%dT%H:%M}",
            "ends_at": f"{local + timedelta(hours=2):%Y-%m-%dT%H:%M}",
            "place": "Harbor hall",
        },
        stored,
        chosen=lambda: stored()[2],
        allowed=frozenset(members),
    )


def live(w):
    """A gathering live in facilitator mode, run by fay, with one ten-minute item."""
    gathering = GatheringFactory(
        movement=w.tidewater, starts_at=timezone.now() + timedelta(minutes=30)
    )
    facilitation.start_gathering(by=w.fay, gathering=gathering)
    item = facilitation.add_agenda_item(by=w.fay, gathering=gathering, title="Welcome", minutes=10)
    return gathering, item


def agenda_of(gathering):
    """Everything facilitator mode changes on the agenda."""

    def stored():
        items = AgendaItem.objects.filter(gathering=gathering).order_by("pk")
        columns = ("pk", "position", "title", "timebox", "started_at", "ended_at", "notes")
        current = Gathering.objects.values_list("current_item", flat=True).get(pk=gathering.pk)
        return tuple(items.values_list(*columns)), current

    return stored


# What an action in facilitator mode did, read back from the gathering.


def current_item(gathering):
    return Gathering.objects.values_list("current_item", flat=True).get(pk=gathering.pk)


def extended_item(gathering):
    """The item whose ten minutes became fifteen."""
    items = AgendaItem.objects.filter(gathering=gathering, timebox=timedelta(minutes=15))
    return last(items, "pk")


def added_minutes(gathering):
    return minutes(AgendaItem.objects.get(gathering=gathering).timebox) - 10


def ended_item(gathering):
    return last(AgendaItem.objects.filter(gathering=gathering).exclude(ended_at=None), "pk")


def noted_item(gathering):
    return last(AgendaItem.objects.filter(gathering=gathering).exclude(notes=""), "pk")


class Anything:
    def __eq__(self, other):
        return True


def moved_nowhere(gathering):
    """The only item moves neither up nor down: the action is accepted and changes nothing."""
    return Anything()


def facilitate(action, read, said, **data):
    """``action`` on the live gathering's item, with ``data``. Facilitator mode answers a
    refused field with "<the field's label>: <what is wrong>" (``said``)."""

    def world(w):
        gathering, item = live(w)
        return Target(
            w.login(w.fay),
            url("rituals:facilitate_action", gathering_id=gathering.pk, action=action),
            {"item": str(item.pk), **data},
            agenda_of(gathering),
            chosen=lambda: read(gathering),
            allowed=frozenset({item.pk}),
            said=said,
        )

    return world


ITEM = "Agenda item: "
extend_minutes = facilitate("extend_item", added_minutes, "Add minutes: ", minutes="5")
move_up = facilitate("up", moved_nowhere, ITEM)
move_down = facilitate("down", moved_nowhere, ITEM)
start_item = facilitate("start_item", current_item, ITEM)
extend_item = facilitate("extend_item", extended_item, ITEM, minutes="5")
end_item = facilitate("end_item", ended_item, ITEM)
save_notes = facilitate("notes", noted_item, ITEM, notes="Two medics trained.")


def new_agenda_item(w):
    gathering, _item = live(w)
    added = AgendaItem.objects.filter(gathering=gathering, title="Next sprint")
    return Target(
        w.login(w.fay),
        url("rituals:facilitate_action", gathering_id=gathering.pk, action="add_item"),
        {"title": "Next sprint", "minutes": "15"},
        lambda: minutes(added.get().timebox) if added.exists() else None,
        says=lambda number: f"({timedelta(minutes=number)})",  # the agenda: "(2:03:00)"
        show=url("rituals:facilitate", gathering_id=gathering.pk),
        said="Timebox (minutes): ",
    )


def commitment_circle(w):
    gathering, _item = live(w)
    return Target(
        w.login(w.fay),
        url("rituals:facilitate_action", gathering_id=gathering.pk, action="commitment"),
        {"text": "Run a first-aid training."},
        lambda: last(Commitment.objects.filter(gathering=gathering), "circle_id"),
        allowed=frozenset({w.medics.pk}),  # the movement's active circles
        said="Circle: ",
    )


def past_gatherings(w):
    for weeks in range(1, CONVERGENCE_PAGE + 2):
        GatheringFactory(movement=w.tidewater, starts_at=timezone.now() - timedelta(weeks=weeks))
    return Target(w.login(w.mo), url("rituals:convergence"), pages=2)


def live_panel(w):
    gathering, _item = live(w)
    return Target(w.login(w.mo), url("rituals:live", gathering_id=gathering.pk))


# movement and circles -------------------------------------------------------------------------


def member_role(w):
    return Target(
        w.login(w.alice),
        url("movement:member_role", member_id=w.mo.pk),
        {"role": "facilitator"},
        lambda: Membership.objects.values_list("role", flat=True).get(pk=w.mo.pk),
        said="Pick one of the roles.",
    )


def invitation(w):
    return Target(
        w.login(w.alice),
        url("movement:invitations"),
        {
            "role": "member",
            "expires_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
            "single_use": "on",
        },
        lambda: tuple(Invitation.objects.values_list("role", "expires_at")),
    )


def members(w):
    MembershipFactory.create_batch(MOVEMENT_PAGE, movement=w.tidewater)  # and alice
    return Target(w.login(w.alice), url("movement:members"), pages=2)


def audit(w):
    RhythmFactory(by=w.alice)  # one event written as the app writes it, and more
    AuditEvent.objects.bulk_create(
        AuditEvent(movement=w.tidewater, actor=w.alice.user, verb="rhythm.set", target="Monthly")
        for _ in range(MOVEMENT_PAGE)
    )
    return Target(w.login(w.alice), url("movement:audit"), pages=2)


def invitations(w):
    invited = invitation(w)  # one made through the form, and more
    assert invited.client.post(invited.url, invited.data).status_code == 302
    expires_at = timezone.now() + timedelta(days=7)
    Invitation.objects.bulk_create(
        Invitation(movement=w.tidewater, created_by=w.alice.user, expires_at=expires_at)
        for _ in range(MOVEMENT_PAGE)
    )
    return Target(invited.client, invited.url, pages=2)


def notifications(w):
    Notification.objects.bulk_create(
        Notification(recipient=w.mo.user, kind="commons.draw_settled", subject="Hi", body="Hi")
        for _ in range(MOVEMENT_PAGE + 1)
    )
    return Target(w.login(w.mo), reverse("notifications"), pages=2)


def directory(w):
    CircleFactory.create_batch(CIRCLES_PAGE + 1, movement=w.tidewater)
    return Target(w.login(w.mo), url("circles:directory"), pages=2)


# --- what the project does with a value -------------------------------------------------------


def whole(value):
    """The number ``int()`` reads, as IntegerField and ModelChoiceField do; None if none."""
    try:
        return int(value)
    except ValueError:  # not a number, or more digits than Python converts (4300)
        return None


def expected(parameter, value, target):
    """What the project stores for ``value`` (None: it refuses it); for a list, the page."""
    kind, number = parameter.kind, whole(value)
    if kind == LIMIT and is_zero(value):  # a limit of zero, however written: all need approval
        return Decimal(0)
    if kind in (AMOUNT, LIMIT):
        # Digits of any script and nothing else, in a field of 40 characters.
        if value.isdecimal() and len(value) <= 40 and 0 < Decimal(value) <= MAX_AMOUNT:
            return Decimal(value)
        return None
    if isinstance(kind, Whole):
        return number if number is not None and kind.low <= number <= kind.high else None
    if kind == ID:  # ASCII digits only (movement/fields.py)
        return number if value.isascii() and number in target.allowed else None
    if kind == IDS:
        return (number,) if value in {str(pk) for pk in target.allowed} else None
    if kind == PAGE:
        if number is None:
            return 1
        return number if 1 <= number <= target.pages else target.pages
    return None  # CHOICE, DATE, VERSION: none of them reads a number


PROJECT_APPS = ("movement", "circles", "commons", "rituals")


def rows():
    """How many rows each of the project's tables holds."""
    return {
        model._meta.label: model._default_manager.count()
        for app in PROJECT_APPS
        for model in apps.get_app_config(app).get_models()
    }


def said(response, level=None):
    return [
        str(message)
        for message in get_messages(response.wsgi_request)
        if level is None or message.level == level
    ]


def send(parameter, target, value):
    """Send ``value`` in the parameter's field, the rest of the form valid; check the answer."""
    name = target.name or parameter.field
    want = expected(parameter, value, target)
    before = rows(), target.stored()

    post = target.client.get if parameter.method == "get" else target.client.post
    response = post(target.url, {**target.data, name: value})

    assert response.status_code < 500
    if parameter.kind == PAGE:
        assert response.status_code == 200
        assert response.context[parameter.context].number == want
        assert (rows(), target.stored()) == before
    elif parameter.kind == CURSOR:  # the first page, as if no cursor were given
        assert response.status_code == 200
        first = target.client.get(target.url).context[parameter.context]
        assert list(response.context[parameter.context]) == list(first)
        assert (rows(), target.stored()) == before
    elif parameter.kind == VERSION:
        # Only the version's own text means "nothing changed" (204): this gets the panel.
        assert response.status_code == 200
        assert 'id="live"' in response.content.decode()
    elif want is None:
        assert_refused(parameter, target, name, response)
        assert (rows(), target.stored()) == before, "a refused value wrote something"
    else:
        assert_stored(parameter, target, response, want)


def assert_refused(parameter, target, name, response):
    if parameter.answer == REDIRECT:
        assert response.status_code == 302, "accepted"
        errors = said(response, constants.ERROR)
        assert len(errors) == 1 and errors[0].startswith(target.said), errors
        return
    assert response.status_code == parameter.status, f"accepted as {target.stored()!r}"
    errors = response.context[parameter.context].errors
    assert name in errors, errors.as_data()
    assert_field_error(
        response, name, errors[name][0], status=parameter.status, form=parameter.context
    )


def assert_stored(parameter, target, response, want):
    context = response.context and response.context.get(parameter.context)
    assert response.status_code == 302, context and context.errors.as_data()
    assert said(response, constants.ERROR) == []
    assert (target.chosen or target.stored)() == want
    if target.says and parameter.kind not in (ID, IDS):  # a number: the page says it back
        page = target.client.get(target.show or response.url)
        assert any(target.says(want) in text for text in [*said(response), page.content.decode()])


def cases():
    for parameter in PARAMETERS:
        for value in HOSTILE:
            reason = KNOWN.get((str(parameter), value.id))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(parameter, *value.values, id=f"{parameter}={value.id}", marks=marks)


@pytest.mark.parametrize(("parameter", "value"), cases())
def test_hostile_value(request, parameter, value):
    target = globals()[parameter.world](World(request))
    send(parameter, target, value)


# --- ids written in other digits ------------------------------------------------------------


def in_digits(number, zero):
    """``number`` in the digits of the script whose zero is ``zero``."""
    return "".join(chr(ord(zero) + int(digit)) for digit in str(number))


@pytest.mark.parametrize("zero", ["٠", "０"], ids=["arabic-indic", "fullwidth"])
@pytest.mark.parametrize("parameter", [p for p in PARAMETERS if p.kind in (ID, IDS)], ids=str)
def test_an_id_in_other_digits(request, parameter, zero):
    """The id on offer, written in other digits, is refused next to the field."""
    target = globals()[parameter.world](World(request))
    send(parameter, target, in_digits(min(target.allowed), zero))


# --- ids inside URL paths -----------------------------------------------------------------------

# Every ``<int:…>`` of the project's URLs, with the method its view answers. Django's ``int``
# converter matches ASCII digits only: other scripts' digits, signs, exponents and NUL never
# reach a view. Thirty nines reach it and find nothing; ten thousand digits are more than
# ``int()`` reads, which the converter takes for "no match".
HERE = 918273645  # where the hostile value goes
POOL = "pool"  # a real pool's id, so that the entry's id is the one looked up
URL_IDS = [
    ("commons:pool", {"pool_id": HERE}, "get"),
    ("commons:pool_edit", {"pool_id": HERE}, "get"),
    ("commons:contribute", {"pool_id": HERE}, "get"),
    ("commons:draw_create", {"pool_id": HERE}, "get"),
    ("commons:fairness", {"pool_id": HERE}, "get"),
    ("commons:ledger_csv", {"pool_id": HERE}, "get"),
    ("commons:entry_reverse", {"pool_id": HERE, "entry_id": 1}, "get"),
    ("commons:entry_reverse", {"pool_id": POOL, "entry_id": HERE}, "get"),
    ("commons:draw", {"draw_id": HERE}, "get"),
    ("commons:draw_decide", {"draw_id": HERE}, "post"),
    ("commons:draw_withdraw", {"draw_id": HERE}, "post"),
    ("commons:archive_entry", {"entry_id": HERE}, "get"),
    ("commons:archive_edit", {"entry_id": HERE}, "get"),
    ("rituals:gathering", {"gathering_id": HERE}, "get"),
    ("rituals:gathering_ics", {"gathering_id": HERE}, "get"),
    ("rituals:live", {"gathering_id": HERE}, "get"),
    ("rituals:gathering_edit", {"gathering_id": HERE}, "get"),
    ("rituals:facilitate", {"gathering_id": HERE}, "get"),
    ("rituals:facilitate_action", {"gathering_id": HERE, "action": "start"}, "post"),
    ("rituals:report", {"gathering_id": HERE, "circle_slug": "street-medics"}, "get"),
    ("movement:member_role", {"member_id": HERE}, "post"),
    ("movement:member_remove", {"member_id": HERE}, "post"),
    ("movement:invitation_revoke", {"invitation_id": HERE}, "post"),
    ("circles:convener_add", {"circle_slug": "street-medics", "seat_id": HERE}, "post"),
]


@pytest.mark.parametrize("value", HOSTILE)
def test_ids_in_url_paths_are_ascii_digits_only(login, alice, medics, value):
    client = login(alice)
    pool = PoolFactory(movement=alice.movement)
    answers = {}
    for name, kwargs, method in URL_IDS:
        kwargs = {key: pool.pk if arg == POOL else arg for key, arg in kwargs.items()}
        path = url(name, **kwargs).replace(str(HERE), quote(value, safe=""))
        hostile = next(key for key, arg in kwargs.items() if arg == HERE)
        answers[f"{name}:{hostile}"] = getattr(client, method)(path).status_code
    assert answers == dict.fromkeys(answers, 404)
