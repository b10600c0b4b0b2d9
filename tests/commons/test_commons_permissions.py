"""Every commons URL × every kind of caller: the permission table, continued.

The same rules as ``tests/test_permissions_table.py`` (anonymous → log in, outsiders →
404, members without the role → 403 with the reason, allowed → 200 or 302), plus the
commons' own:

- pools, the ledger, contributions, draw requests, fairness, the CSV, the draw queue
  and the archive are open to every member;
- only organizers open pools and reverse ledger entries;
- a draw request is decided by members of a circle other than the requester's own
  (never the requester), once each, while it is pending;
- only the requester withdraws a request, while it is open;
- an archive entry is edited by its author or an organizer;
- a pool, entry, draw or archive entry of another movement addressed through
  tidewater's URLs is 404 for everyone, organizers included; so is an entry addressed
  under a pool it does not belong to.

The fixture world is built through ``commons.services``, the way the app builds it.
"""

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.html import escape

from commons import services
from commons.models import Approval, DrawRequest, LedgerEntry, Pool
from tests.factories import CircleFactory, CircleMembershipFactory, MembershipFactory
from tests.test_permissions_table import (
    ANY_MEMBER,
    ANY_MEMBER_ACTS,
    CALLERS,
    LOGIN,
    MISSING_ID,
    NOT_FOUND_FOR_ALL,
    OUTSIDERS,
    WRONG_METHOD,
    Row,
    allow,
)

# Names that belong to elsewhere: no answer given through tidewater's URLs may show them.
ELSEWHERE_SECRETS = ("Rent Strike Fund", "How we ran the eviction watch")


@dataclass
class CommonsWorld:
    """The fixture people, their circles, and the commons objects the URLs point at.

    Circles: Street Medics (cora convenes, alice sits in), Kitchen (mo convenes, fay
    sits in), Legal (alice convenes, pat sits in). So for a request by mo or fay for the
    Kitchen, cora and alice may decide while mo and fay may not.
    """

    tidewater: object
    elsewhere: object
    alice: object
    fay: object
    mo: object
    cora: object
    nina: object
    otto: object
    medics: object
    kitchen: object
    legal: object
    bail_fund: object  # money, EUR, granted at once up to 50, two circles approve above
    tent_library: object  # items (tents), another pool of tidewater
    bail_entry: object  # cora's contribution to the bail fund, reversible
    tent_entry: object  # fay's contribution to the tent library
    reversed_entry: object  # a bail-fund contribution alice already reversed
    pending_draw: object  # mo asks 120 for the Kitchen: waits for two circles
    alice_decided_draw: object  # fay asks 150 for the Kitchen; alice approved for Legal
    granted_draw: object  # mo's 20, granted at once: settled
    approved_draw: object  # mo's 1000, approved by two circles, waiting for funds: open
    archive_entry: object  # written by mo for the Kitchen
    elsewhere_pool: object
    elsewhere_entry: object
    elsewhere_draw: object  # otto's pending request
    elsewhere_archive_entry: object

    def user(self, caller):
        who = getattr(self, caller)
        return getattr(who, "user", who)


def _tidewater_commons(tidewater, alice, fay, mo, cora, medics):
    kitchen = CircleFactory(movement=tidewater, name="Kitchen", slug="kitchen")
    legal = CircleFactory(movement=tidewater, name="Legal", slug="legal")
    CircleMembershipFactory(circle=kitchen, member=mo, is_convener=True)
    CircleMembershipFactory(circle=kitchen, member=fay)
    CircleMembershipFactory(circle=legal, member=alice, is_convener=True)
    CircleMembershipFactory(circle=medics, member=alice)
    pat = MembershipFactory(movement=tidewater, user__display_name="Pat")
    CircleMembershipFactory(circle=legal, member=pat)

    bail_fund = services.create_pool(
        by=alice,
        name="Bail Fund",
        kind=Pool.Kind.MONEY,
        currency="EUR",
        purpose="Bail and fines for anyone arrested at an action.",
        instant_limit=Decimal("50"),
        approvals_required=2,
    )
    tent_library = services.create_pool(
        by=alice,
        name="Tent Library",
        kind=Pool.Kind.ITEMS,
        unit="tents",
        purpose="Tents for occupations and camps.",
        instant_limit=Decimal("2"),
        approvals_required=2,
    )
    bail_entry = services.contribute(
        by=cora, pool=bail_fund, amount=Decimal("200"), circle=medics, note="Benefit gig"
    )
    services.contribute(by=mo, pool=bail_fund, amount=Decimal("100"), anonymous=True)
    services.contribute(by=alice, pool=bail_fund, amount=Decimal("300"), circle=legal)
    reversed_entry = services.contribute(by=fay, pool=bail_fund, amount=Decimal("5"))
    services.reverse_entry(by=alice, entry=reversed_entry, reason="Counted twice.")
    tent_entry = services.contribute(by=fay, pool=tent_library, amount=Decimal("10"))

    pending_draw = services.request_draw(
        by=mo,
        pool=bail_fund,
        amount=Decimal("120"),
        purpose="Fines after the march.",
        circle=kitchen,
    )
    alice_decided_draw = services.request_draw(
        by=fay, pool=bail_fund, amount=Decimal("150"), purpose="Bail for two.", circle=kitchen
    )
    services.decide_draw(
        by=alice,
        draw_request=alice_decided_draw,
        decision=Approval.Decision.APPROVE,
        circle=legal,
    )
    granted_draw = services.request_draw(
        by=mo, pool=bail_fund, amount=Decimal("20"), purpose="Bus fare to court."
    )
    approved_draw = services.request_draw(
        by=mo, pool=bail_fund, amount=Decimal("1000"), purpose="A van.", circle=kitchen
    )
    for member, circle in ((alice, medics), (pat, legal)):
        services.decide_draw(
            by=member, draw_request=approved_draw, decision=Approval.Decision.APPROVE, circle=circle
        )
    archive_entry = services.add_archive_entry(
        by=mo,
        title="Running a court-support table",
        body="Bring water, a list of lawyers, and **snacks**.",
        tags=["court support", "bail"],
        circle=kitchen,
    )
    assert pending_draw.state == DrawRequest.State.PENDING
    assert alice_decided_draw.state == DrawRequest.State.PENDING
    assert granted_draw.state == DrawRequest.State.GRANTED
    approved_draw.refresh_from_db()
    assert approved_draw.state == DrawRequest.State.APPROVED
    return {
        "kitchen": kitchen,
        "legal": legal,
        "bail_fund": bail_fund,
        "tent_library": tent_library,
        "bail_entry": bail_entry,
        "tent_entry": tent_entry,
        "reversed_entry": reversed_entry,
        "pending_draw": pending_draw,
        "alice_decided_draw": alice_decided_draw,
        "granted_draw": granted_draw,
        "approved_draw": approved_draw,
        "archive_entry": archive_entry,
    }


def _elsewhere_commons(elsewhere, otto):
    night_pantry = CircleFactory(movement=elsewhere, name="Night Pantry", slug="night-pantry")
    CircleFactory(movement=elsewhere, name="Day Shelter", slug="day-shelter")
    CircleMembershipFactory(circle=night_pantry, member=otto, is_convener=True)
    pool = services.create_pool(
        by=otto,
        name="Rent Strike Fund",
        kind=Pool.Kind.MONEY,
        currency="EUR",
        purpose="Keeps striking tenants housed.",
        instant_limit=Decimal("10"),
        approvals_required=1,
    )
    entry = services.contribute(by=otto, pool=pool, amount=Decimal("100"))
    draw = services.request_draw(
        by=otto, pool=pool, amount=Decimal("50"), purpose="Locks.", circle=night_pantry
    )
    assert draw.state == DrawRequest.State.PENDING
    archived = services.add_archive_entry(
        by=otto, title="How we ran the eviction watch", body="Phone tree first."
    )
    return {
        "elsewhere_pool": pool,
        "elsewhere_entry": entry,
        "elsewhere_draw": draw,
        "elsewhere_archive_entry": archived,
    }


@pytest.fixture
def world(tidewater, elsewhere, alice, fay, mo, cora, nina, otto, medics):
    return CommonsWorld(
        tidewater=tidewater,
        elsewhere=elsewhere,
        alice=alice,
        fay=fay,
        mo=mo,
        cora=cora,
        nina=nina,
        otto=otto,
        medics=medics,
        **_tidewater_commons(tidewater, alice, fay, mo, cora, medics),
        **_elsewhere_commons(elsewhere, otto),
    )


# --- URL builders ---------------------------------------------------------------------


def commons_url(name, slug="tidewater", **objects):
    """``objects`` maps a URL keyword to a world attribute (``None``: an id nothing has)."""

    def build(w):
        ids = {
            keyword: MISSING_ID if attribute is None else getattr(w, attribute).pk
            for keyword, attribute in objects.items()
        }
        return reverse(f"commons:{name}", kwargs={"movement_slug": slug, **ids})

    return build


def pool_url(name, pool="bail_fund", slug="tidewater"):
    return commons_url(name, slug, pool_id=pool)


def reverse_url(pool="bail_fund", entry="bail_entry", slug="tidewater"):
    return commons_url("entry_reverse", slug, pool_id=pool, entry_id=entry)


def draw_url(name, draw="pending_draw", slug="tidewater"):
    return commons_url(name, slug, draw_id=draw)


def archive_url(name, entry="archive_entry", slug="tidewater"):
    return commons_url(name, slug, entry_id=entry)


# --- valid form data ----------------------------------------------------------------

NEW_POOL = {
    "name": "Time Bank",
    "kind": "hours",
    "purpose": "Hours of childcare, driving and cooking, given and taken.",
    "instant_limit": "4",
    "approvals_required": "2",
}
CONTRIBUTION = {"amount": "25.00", "note": "Bake sale"}
SMALL_DRAW = {"amount": "30.00", "purpose": "Train tickets to the hearing."}
REVERSAL = {"reason": "Entered against the wrong pool."}
NEW_ARCHIVE_ENTRY = {
    "title": "Phone trees that work",
    "body": "Keep each branch to five people.",
    "tags": "outreach, phone tree",
    "lens": "voluntarist",
}


def approve_for_medics(w):
    # cora and alice both sit in Street Medics, which is not the requester's circle.
    return {"decision": "approve", "circle": w.medics.pk, "comment": ""}


def edited_archive_entry(w):
    return {
        "title": "Running a court-support table",
        "body": "Bring water, a list of lawyers, snacks and a charger.",
        "tags": "court support, bail, jail support",
        "lens": "",
        "circle": w.kitchen.pk,
    }


def elsewhere_edit(w):
    return edited_archive_entry(w) | {"circle": ""}


ORGANIZERS_OPEN_POOLS = "Only organizers can open pools."
ORGANIZERS_POLICY = "Only organizers change a pool's policy."
ORGANIZERS_REVERSE = "Only organizers reverse entries, and each entry only once."
OTHER_CIRCLES_DECIDE = "Only members of other circles decide, once, while the request waits."
REQUESTER_WITHDRAWS = "Only the requester can withdraw an open request."
AUTHOR_OR_ORGANIZER_EDITS = "Only its author or an organizer can edit this entry."

NOBODY = allow()  # every member 403: the action is closed to all of them

ROWS = [
    # pools
    Row("pools", "GET", commons_url("pools"), ANY_MEMBER),
    Row("pool-create", "GET", commons_url("pool_create"), allow("alice"), ORGANIZERS_OPEN_POOLS),
    Row(
        "pool-create",
        "POST",
        commons_url("pool_create"),
        allow("alice", ok=302),
        ORGANIZERS_OPEN_POOLS,
        data=NEW_POOL,
    ),
    Row("pool", "GET", pool_url("pool"), ANY_MEMBER),
    Row("pool-edit", "GET", pool_url("pool_edit"), allow("alice"), ORGANIZERS_POLICY),
    Row(
        "pool-edit",
        "POST",
        pool_url("pool_edit"),
        allow("alice", ok=302),
        ORGANIZERS_POLICY,
        data={"purpose": "Bail and fees.", "instant_limit": "40", "approvals_required": "3"},
    ),
    Row("contribute", "GET", pool_url("contribute"), ANY_MEMBER),
    Row("contribute", "POST", pool_url("contribute"), ANY_MEMBER_ACTS, data=CONTRIBUTION),
    Row("draw-create", "GET", pool_url("draw_create"), ANY_MEMBER),
    Row("draw-create", "POST", pool_url("draw_create"), ANY_MEMBER_ACTS, data=SMALL_DRAW),
    Row("fairness", "GET", pool_url("fairness"), ANY_MEMBER),
    Row("ledger-csv", "GET", pool_url("ledger_csv"), ANY_MEMBER),
    # reversing ledger entries
    Row("entry-reverse", "GET", reverse_url(), allow("alice"), ORGANIZERS_REVERSE),
    Row(
        "entry-reverse",
        "POST",
        reverse_url(),
        allow("alice", ok=302),
        ORGANIZERS_REVERSE,
        data=REVERSAL,
    ),
    Row(
        "entry-reverse-already-reversed",
        "GET",
        reverse_url(entry="reversed_entry"),
        NOBODY,
        ORGANIZERS_REVERSE,
    ),
    Row(
        "entry-reverse-already-reversed",
        "POST",
        reverse_url(entry="reversed_entry"),
        NOBODY,
        ORGANIZERS_REVERSE,
        data=REVERSAL,
    ),
    # draw requests
    Row("draws", "GET", commons_url("draws"), ANY_MEMBER),
    Row("draw", "GET", draw_url("draw"), ANY_MEMBER),
    Row(
        "draw-decide",
        "POST",
        draw_url("draw_decide"),
        allow("cora", "alice", ok=302),
        OTHER_CIRCLES_DECIDE,
        data=approve_for_medics,
    ),
    Row("draw-decide", "GET", draw_url("draw_decide"), WRONG_METHOD),
    Row(
        "draw-decide-already-decided",
        "POST",
        draw_url("draw_decide", "alice_decided_draw"),
        allow("cora", ok=302),
        OTHER_CIRCLES_DECIDE,
        data=approve_for_medics,
    ),
    Row(
        "draw-decide-settled",
        "POST",
        draw_url("draw_decide", "granted_draw"),
        NOBODY,
        OTHER_CIRCLES_DECIDE,
        data=approve_for_medics,
    ),
    Row(
        # approved and waiting for funds: no longer pending, though cora never decided
        "draw-decide-approved",
        "POST",
        draw_url("draw_decide", "approved_draw"),
        NOBODY,
        OTHER_CIRCLES_DECIDE,
        data=approve_for_medics,
    ),
    Row(
        "draw-withdraw",
        "POST",
        draw_url("draw_withdraw"),
        allow("mo", ok=302),
        REQUESTER_WITHDRAWS,
    ),
    Row("draw-withdraw", "GET", draw_url("draw_withdraw"), WRONG_METHOD),
    Row(
        # still open while it waits for funds
        "draw-withdraw-approved",
        "POST",
        draw_url("draw_withdraw", "approved_draw"),
        allow("mo", ok=302),
        REQUESTER_WITHDRAWS,
    ),
    Row(
        "draw-withdraw-settled",
        "POST",
        draw_url("draw_withdraw", "granted_draw"),
        NOBODY,
        REQUESTER_WITHDRAWS,
    ),
    # the knowledge archive
    Row("archive", "GET", commons_url("archive"), ANY_MEMBER),
    Row("archive-create", "GET", commons_url("archive_create"), ANY_MEMBER),
    Row(
        "archive-create",
        "POST",
        commons_url("archive_create"),
        ANY_MEMBER_ACTS,
        data=NEW_ARCHIVE_ENTRY,
    ),
    Row("archive-entry", "GET", archive_url("archive_entry"), ANY_MEMBER),
    Row(
        "archive-edit",
        "GET",
        archive_url("archive_edit"),
        allow("mo", "alice"),
        AUTHOR_OR_ORGANIZER_EDITS,
    ),
    Row(
        "archive-edit",
        "POST",
        archive_url("archive_edit"),
        allow("mo", "alice", ok=302),
        AUTHOR_OR_ORGANIZER_EDITS,
        data=edited_archive_entry,
    ),
    # things that are not there
    Row("pool-missing", "GET", pool_url("pool", None), NOT_FOUND_FOR_ALL),
    Row(
        "contribute-missing",
        "POST",
        pool_url("contribute", None),
        NOT_FOUND_FOR_ALL,
        data=CONTRIBUTION,
    ),
    Row("entry-reverse-missing", "GET", reverse_url(entry=None), NOT_FOUND_FOR_ALL),
    Row("draw-missing", "GET", draw_url("draw", None), NOT_FOUND_FOR_ALL),
    Row(
        "draw-decide-missing",
        "POST",
        draw_url("draw_decide", None),
        NOT_FOUND_FOR_ALL,
        data=approve_for_medics,
    ),
    Row("draw-withdraw-missing", "POST", draw_url("draw_withdraw", None), NOT_FOUND_FOR_ALL),
    Row("archive-entry-missing", "GET", archive_url("archive_entry", None), NOT_FOUND_FOR_ALL),
    Row(
        "archive-edit-missing",
        "POST",
        archive_url("archive_edit", None),
        NOT_FOUND_FOR_ALL,
        data=NEW_ARCHIVE_ENTRY,
    ),
    # an entry addressed under another pool of the same movement
    Row(
        "entry-reverse-under-another-pool",
        "GET",
        reverse_url(pool="bail_fund", entry="tent_entry"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "entry-reverse-under-another-pool",
        "POST",
        reverse_url(pool="bail_fund", entry="tent_entry"),
        NOT_FOUND_FOR_ALL,
        data=REVERSAL,
    ),
    # objects of elsewhere addressed through tidewater's URLs look exactly like missing ones
    Row("pool-of-elsewhere", "GET", pool_url("pool", "elsewhere_pool"), NOT_FOUND_FOR_ALL),
    Row(
        "pool-edit-of-elsewhere",
        "POST",
        pool_url("pool_edit", "elsewhere_pool"),
        NOT_FOUND_FOR_ALL,
        data={"purpose": "Ours now.", "instant_limit": "0", "approvals_required": "1"},
    ),
    Row(
        "contribute-of-elsewhere",
        "GET",
        pool_url("contribute", "elsewhere_pool"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "contribute-of-elsewhere",
        "POST",
        pool_url("contribute", "elsewhere_pool"),
        NOT_FOUND_FOR_ALL,
        data=CONTRIBUTION,
    ),
    Row(
        "draw-create-of-elsewhere",
        "GET",
        pool_url("draw_create", "elsewhere_pool"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "draw-create-of-elsewhere",
        "POST",
        pool_url("draw_create", "elsewhere_pool"),
        NOT_FOUND_FOR_ALL,
        data=SMALL_DRAW | {"amount": "5.00"},
    ),
    Row("fairness-of-elsewhere", "GET", pool_url("fairness", "elsewhere_pool"), NOT_FOUND_FOR_ALL),
    Row(
        "ledger-csv-of-elsewhere",
        "GET",
        pool_url("ledger_csv", "elsewhere_pool"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "entry-reverse-of-elsewhere",
        "GET",
        reverse_url(pool="elsewhere_pool", entry="elsewhere_entry"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "entry-reverse-of-elsewhere",
        "POST",
        reverse_url(pool="elsewhere_pool", entry="elsewhere_entry"),
        NOT_FOUND_FOR_ALL,
        data=REVERSAL,
    ),
    Row(
        "entry-of-elsewhere-under-tidewater-pool",
        "GET",
        reverse_url(pool="bail_fund", entry="elsewhere_entry"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "entry-of-elsewhere-under-tidewater-pool",
        "POST",
        reverse_url(pool="bail_fund", entry="elsewhere_entry"),
        NOT_FOUND_FOR_ALL,
        data=REVERSAL,
    ),
    Row("draw-of-elsewhere", "GET", draw_url("draw", "elsewhere_draw"), NOT_FOUND_FOR_ALL),
    Row(
        "draw-decide-of-elsewhere",
        "POST",
        draw_url("draw_decide", "elsewhere_draw"),
        NOT_FOUND_FOR_ALL,
        data={"decision": "approve", "comment": ""},
    ),
    Row(
        "draw-withdraw-of-elsewhere",
        "POST",
        draw_url("draw_withdraw", "elsewhere_draw"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "archive-entry-of-elsewhere",
        "GET",
        archive_url("archive_entry", "elsewhere_archive_entry"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "archive-edit-of-elsewhere",
        "GET",
        archive_url("archive_edit", "elsewhere_archive_entry"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "archive-edit-of-elsewhere",
        "POST",
        archive_url("archive_edit", "elsewhere_archive_entry"),
        NOT_FOUND_FOR_ALL,
        data=elsewhere_edit,
    ),
    # and the other way round: tidewater's objects through elsewhere's URLs (otto's own)
    Row(
        "tidewater-pool-via-elsewhere",
        "GET",
        pool_url("pool", slug="elsewhere"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "tidewater-entry-reverse-via-elsewhere",
        "POST",
        reverse_url(slug="elsewhere"),
        NOT_FOUND_FOR_ALL,
        data=REVERSAL,
    ),
    Row(
        "tidewater-draw-decide-via-elsewhere",
        "POST",
        draw_url("draw_decide", slug="elsewhere"),
        NOT_FOUND_FOR_ALL,
        data=approve_for_medics,
    ),
    Row(
        "tidewater-archive-edit-via-elsewhere",
        "POST",
        archive_url("archive_edit", slug="elsewhere"),
        NOT_FOUND_FOR_ALL,
        data=edited_archive_entry,
    ),
]

CASES = [
    pytest.param(row, caller, id=f"{row.name}-{row.method}-{caller}")
    for row in ROWS
    for caller in CALLERS
]


def _request(client, row, world):
    if row.setup:
        row.setup(world)
    url = row.url(world)
    if row.method == "GET":
        return url, client.get(url)
    data = row.data(world) if callable(row.data) else row.data
    return url, client.post(url, data)


def _body(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.parametrize(("row", "caller"), CASES)
def test_commons_url_answers_each_caller_by_the_rules(row, caller, world, client):
    if caller != "anonymous":
        client.force_login(world.user(caller))
    url, response = _request(client, row, world)
    expected = row.expected[caller]
    body = _body(response)

    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?{urlencode({'next': url}, safe='/')}"
        return

    assert response.status_code == expected, f"{row.method} {url} as {caller}"
    if expected == 403:
        assert escape(row.reason) in body, "a 403 shows the plain reason"
    if expected == 404:
        if caller in OUTSIDERS:
            assert "Tidewater" not in body, "a 404 never names the movement"
        assert not [secret for secret in ELSEWHERE_SECRETS if escape(secret) in body]
    if expected == 302 and row.method == "POST":
        errors = [
            message
            for message in get_messages(response.wsgi_request)
            if message.level == message_levels.ERROR
        ]
        assert errors == [], "an allowed POST with valid data succeeds"
        assert not response["Location"].startswith("/accounts/login/")


# --- the table's 302s really did what they say --------------------------------------


def test_a_successful_reversal_leaves_both_entries_on_the_ledger(world, login):
    client = login(world.alice)
    client.post(reverse_url()(world), REVERSAL)
    assert LedgerEntry.objects.filter(reverses=world.bail_entry).count() == 1


def test_a_second_decision_by_the_same_member_is_refused(world, login):
    client = login(world.cora)
    url = draw_url("draw_decide")(world)
    client.post(url, approve_for_medics(world))
    response = client.post(url, approve_for_medics(world))
    assert response.status_code == 403
    assert Approval.objects.filter(draw_request=world.pending_draw).count() == 1


def test_a_withdrawn_request_cannot_be_withdrawn_again(world, login):
    client = login(world.mo)
    url = draw_url("draw_withdraw")(world)
    client.post(url)
    response = client.post(url)
    assert response.status_code == 403
    world.pending_draw.refresh_from_db()
    assert world.pending_draw.state == DrawRequest.State.WITHDRAWN
