"""Bad input on every commons form: a field error next to the field, never a 500, nothing written.

The world comes from ``tests/commons/conftest.py``: alice organizes Tidewater, mo is in
"Food", pat in "Legal", quinn in "Art"; "Bail Fund" is a EUR pool granting up to €50 at
once and needing two other circles above that.
"""

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from commons import services
from commons.models import Approval, ArchiveEntry, ArchiveTag, DrawRequest, LedgerEntry, Pool
from movement.models import AuditEvent, Notification
from tests.bad_input import (
    NUL,
    REQUIRED,
    assert_field_error,
    post_form,
    too_long,
    unknown_choice,
    without_none,
)
from tests.factories import CircleFactory, DrawRequestFactory, PoolFactory

NOT_A_NUMBER = "Enter a number, like 12.50."
ABOVE_ZERO = "Enter an amount above zero."
TOO_LARGE = "That amount is too large for a pool."
CENTS = "This pool counts at most 2 decimal places."
WHOLE_UNITS = "This pool counts whole units only."
NOT_AVAILABLE = "Select a valid choice. That choice is not one of the available choices."
WHOLE_NUMBER = "Enter a whole number."
CURRENCY = "Use a three-letter ISO currency code, like EUR or USD."
UNIT = "Name what the pool holds, like meals or tents."
POOL_TAKEN = "The commons already has a pool with this name."
DECLINE_WHY = "Say why you decline, so the requester can answer."


def at_least(limit):
    return f"Ensure this value is greater than or equal to {limit}."


def at_most(limit):
    return f"Ensure this value is less than or equal to {limit}."


def written():
    """Everything a commons form could write, to compare before and after a refused post."""
    return {
        "ledger": list(LedgerEntry.objects.order_by("pk").values_list("pk", flat=True)),
        "balances": dict(Pool.objects.values_list("pk", "balance")),
        "pools": list(Pool.objects.order_by("pk").values_list("pk", "name", "instant_limit")),
        "draws": list(DrawRequest.objects.order_by("pk").values_list("pk", "state")),
        "approvals": Approval.objects.count(),
        "archive": list(
            ArchiveEntry.objects.order_by("pk").values_list(
                "pk", "title", "body", "lens", "circle_id", "updated_at"
            )
        ),
        "tags": sorted(ArchiveEntry.tags.through.objects.values_list("archiveentry_id", "pk")),
        "tag names": sorted(ArchiveTag.objects.values_list("name", flat=True)),
        "audit": AuditEvent.objects.count(),
        "notifications": Notification.objects.count(),
    }


def commons_url(name, **kwargs):
    return reverse(f"commons:{name}", kwargs={"movement_slug": "tidewater", **kwargs})


@pytest.fixture
def tents(tidewater):
    return PoolFactory(
        items=True,
        movement=tidewater,
        name="Tents",
        purpose="Shelter for the camp.",
        instant_limit=Decimal("2"),
    )


# --- amounts, shared by the contribution, draw and pool forms -------------------------------

# (typed, message) on the EUR bail fund.
BAD_AMOUNTS = [
    pytest.param("", REQUIRED, id="empty"),
    pytest.param("   ", REQUIRED, id="blank"),
    pytest.param("0", ABOVE_ZERO, id="zero"),
    pytest.param("0.00", ABOVE_ZERO, id="zero-with-cents"),
    pytest.param("-5", ABOVE_ZERO, id="negative"),
    pytest.param("-0", ABOVE_ZERO, id="negative-zero"),
    pytest.param("NaN", NOT_A_NUMBER, id="NaN"),
    pytest.param("nan", NOT_A_NUMBER, id="nan"),
    pytest.param("sNaN", NOT_A_NUMBER, id="signalling-nan"),
    pytest.param("Infinity", NOT_A_NUMBER, id="Infinity"),
    pytest.param("-inf", NOT_A_NUMBER, id="minus-inf"),
    # Exponents are refused: "1e3" is not how anyone writes a thousand euros.
    pytest.param("1e400", NOT_A_NUMBER, id="huge-exponent"),
    pytest.param("-1e400", NOT_A_NUMBER, id="minus-huge-exponent"),
    pytest.param("1e3", NOT_A_NUMBER, id="exponent"),
    pytest.param("²", NOT_A_NUMBER, id="superscript-two"),
    pytest.param("12.345", CENTS, id="three-decimals"),
    pytest.param("99999999999999999999", TOO_LARGE, id="twenty-nines"),
    pytest.param("1000000000000.01", TOO_LARGE, id="just-above-the-maximum"),
    # In English "1,215.50" is read as people write it (tests/test_languages.py), but a
    # comma out of place, or a decimal comma, is not an English number.
    pytest.param("1,00.00", NOT_A_NUMBER, id="thousands-comma-misplaced"),
    pytest.param("12,50", NOT_A_NUMBER, id="decimal-comma"),
    pytest.param("abc", NOT_A_NUMBER, id="letters"),
    pytest.param("€12", NOT_A_NUMBER, id="currency-sign"),
    pytest.param("12\u200b", NOT_A_NUMBER, id="zero-width-space"),
    pytest.param("1" * 41, too_long(40, 41), id="too-long"),
    pytest.param("1\x002", NUL, id="nul"),
]
# A pool's limit may be 0 (every draw needs approval); everything else above is refused.
BAD_LIMITS = [case for case in BAD_AMOUNTS if case.values[0].strip() not in ("", "0", "0.00", "-0")]
# Python reads any Unicode decimal digits, so "١٢" (Arabic-Indic) and "１２" (full width)
# are twelve, exactly as a person typing them means; surrounding spaces are dropped.
TWELVE = [" 12 ", "١٢", "１２", "\t12\n"]
TWELVE_IDS = ["padded", "arabic-indic", "full-width", "tab-and-newline"]


# --- contributing ---------------------------------------------------------------------------


def contribute(client, pool, amount, **extra):
    return post_form(
        client, commons_url("contribute", pool_id=pool.pk), {"amount": amount}, **extra
    )


@pytest.mark.parametrize(("typed", "message"), BAD_AMOUNTS)
def test_contribution_shows_amount_error(login, mo, bail_fund, typed, message):
    response = contribute(login(mo), bail_fund, typed)
    assert_field_error(response, "amount", message)


@pytest.mark.parametrize(("typed", "message"), BAD_AMOUNTS)
def test_refused_contribution_writes_nothing(login, mo, bail_fund, typed, message):
    before = written()
    contribute(login(mo), bail_fund, typed)
    assert written() == before


def test_missing_amount_is_required(login, mo, bail_fund):
    response = contribute(login(mo), bail_fund, None, note="forgot the amount")
    assert_field_error(response, "amount", REQUIRED)


def test_contribution_in_halves_to_an_items_pool_is_refused(login, mo, tents):
    before = written()
    response = contribute(login(mo), tents, "1.5")
    assert_field_error(response, "amount", WHOLE_UNITS)
    assert written() == before


def test_contribution_for_a_circle_you_are_not_in_is_refused(login, in_food, bail_fund, legal):
    before = written()
    response = contribute(login(in_food), bail_fund, "10", circle=legal.pk)
    assert_field_error(response, "circle", NOT_AVAILABLE)
    assert written() == before


def test_over_long_note_is_refused(login, mo, bail_fund):
    response = contribute(login(mo), bail_fund, "10", note="n" * 501)
    assert_field_error(response, "note", too_long(500, 501))


@pytest.mark.parametrize("typed", TWELVE, ids=TWELVE_IDS)
def test_contribution_of_twelve_however_typed_is_accepted(login, mo, bail_fund, typed):
    response = contribute(login(mo), bail_fund, typed)
    bail_fund.refresh_from_db()
    assert (response.status_code, bail_fund.balance) == (302, Decimal("12.00"))


# Arbitrary text, plus text shaped like numbers so the interesting branches are reached.
amount_texts = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"]), max_size=45),
    st.from_regex(
        r"\A\s?[-+]?[0-9٠-٩]{0,14}([.,][0-9]{0,5})?([eE][-+]?[0-9]{1,4})?\s?\Z", fullmatch=True
    ),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["NaN", "-sNaN", "Infinity", "1e400", "1E-400", "0.00", "1_000", "1e12"]),
)


@settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(typed=amount_texts)
def test_any_amount_text_gets_a_page_never_a_server_error(login, mo, bail_fund, typed):
    before = Pool.objects.get(pk=bail_fund.pk).balance
    response = contribute(login(mo), bail_fund, typed)
    moved = Pool.objects.get(pk=bail_fund.pk).balance - before
    event(f"status {response.status_code}")  # --hypothesis-show-statistics: both happen
    assert (response.status_code, moved != 0) in [(200, False), (302, True)]
    if response.status_code == 302:
        # What was stored is what was typed, not a rounded or clipped neighbour.
        assert moved == Decimal(typed.strip())


# --- requesting a draw -------------------------------------------------------------------------


def request_draw(client, pool, **overrides):
    data = {"amount": "20", "purpose": "Bail for Sam", "circle": ""}
    return post_form(client, commons_url("draw_create", pool_id=pool.pk), data, **overrides)


@pytest.mark.parametrize(("typed", "message"), BAD_AMOUNTS)
def test_draw_request_shows_amount_error(login, in_food, funded, typed, message):
    response = request_draw(login(in_food), funded, amount=typed)
    assert_field_error(response, "amount", message)


@pytest.mark.parametrize(("typed", "message"), BAD_AMOUNTS)
def test_refused_draw_amount_writes_nothing(login, in_food, funded, typed, message):
    before = written()
    request_draw(login(in_food), funded, amount=typed)
    assert written() == before


def test_draw_in_halves_from_an_items_pool_is_refused(login, in_food, tents):
    before = written()
    response = request_draw(login(in_food), tents, amount="1.5")
    assert_field_error(response, "amount", WHOLE_UNITS)
    assert written() == before


@pytest.mark.parametrize("typed", TWELVE, ids=TWELVE_IDS)
def test_draw_of_twelve_however_typed_is_granted(login, in_food, funded, typed):
    response = request_draw(login(in_food), funded, amount=typed)
    funded.refresh_from_db()
    assert (response.status_code, funded.balance) == (302, Decimal("288.00"))


@pytest.fixture
def elsewhere_circle(elsewhere):
    return CircleFactory(movement=elsewhere, name="Far Away", slug="far-away")


@pytest.fixture
def archived_circle(tidewater):
    return CircleFactory(
        movement=tidewater, name="Old Crew", slug="old-crew", archived_at=timezone.now()
    )


# (field, value or fixture name for a circle, message)
BAD_DRAWS = [
    ("purpose", None, REQUIRED),
    ("purpose", "", REQUIRED),
    ("purpose", " \n\t ", REQUIRED),
    ("purpose", "p" * 2001, too_long(2000, 2001)),
    # The circle is typed by name (with suggestions): a name that is not an active circle
    # of this movement is refused next to the field.
    (
        "circle",
        "elsewhere_circle",
        "No circle here is called “Far Away”: pick one of the suggestions.",
    ),
    (
        "circle",
        "archived_circle",
        "No circle here is called “Old Crew”: pick one of the suggestions.",
    ),
    ("circle", "abc", "No circle here is called “abc”: pick one of the suggestions."),
    ("circle", "999999", "No circle here is called “999999”: pick one of the suggestions."),
    (
        "circle",
        "9" * 30,
        "No circle here is called “" + "9" * 30 + "”: pick one of the suggestions.",
    ),
    ("circle", "-1", "No circle here is called “-1”: pick one of the suggestions."),
]
BAD_DRAW_IDS = [
    "missing-purpose",
    "empty-purpose",
    "whitespace-purpose",
    "long-purpose",
    "circle-of-another-movement",
    "archived-circle",
    "circle-not-a-number",
    "circle-that-does-not-exist",
    "circle-id-beyond-bigint",
    "negative-circle-id",
]


def bad_draw_value(request, field, value):
    if field == "circle" and value.endswith("_circle"):
        return request.getfixturevalue(value).name
    return value


@pytest.mark.parametrize(("field", "value", "message"), BAD_DRAWS, ids=BAD_DRAW_IDS)
def test_draw_request_shows_field_error(request, login, in_food, funded, field, value, message):
    value = bad_draw_value(request, field, value)
    response = request_draw(login(in_food), funded, **{field: value})
    assert_field_error(response, field, message)


@pytest.mark.parametrize(("field", "value", "message"), BAD_DRAWS, ids=BAD_DRAW_IDS)
def test_refused_draw_request_writes_nothing(
    request, login, in_food, funded, field, value, message
):
    value = bad_draw_value(request, field, value)
    before = written()
    request_draw(login(in_food), funded, **{field: value})
    assert written() == before


def test_large_draw_without_enough_other_circles_says_why(login, in_food, pat, funded):
    # Only "Legal" is not mo's circle, and the pool needs two circles to approve.
    before = written()
    response = request_draw(login(in_food), funded, amount="200")
    assert_field_error(
        response,
        "amount",
        "Above €50.00 a draw needs approvals from 2 circles other than yours, and this "
        "movement has only 1. Ask for less, or ask an organizer to change the pool's policy.",
    )
    assert written() == before


def test_draw_the_pool_cannot_afford_says_why(login, in_food, bail_fund):
    before = written()
    response = request_draw(login(in_food), bail_fund, amount="20")
    assert_field_error(response, "amount", "The pool holds €0.00; this needs €20.00.")
    assert written() == before


# --- opening a pool ----------------------------------------------------------------------------

VALID_POOL = {
    "name": "Tool Library",
    "kind": "money",
    "currency": "EUR",
    "unit": "",
    "purpose": "Tools anyone can borrow.",
    "instant_limit": "25",
    "approvals_required": "2",
}
VALID_ITEMS_POOL = {**VALID_POOL, "kind": "items", "currency": "", "unit": "drills"}


def open_pool(client, **overrides):
    return post_form(client, commons_url("pool_create"), VALID_POOL, **overrides)


@pytest.mark.parametrize(("typed", "message"), BAD_LIMITS)
def test_pool_instant_limit_shows_error(login, alice, typed, message):
    response = open_pool(login(alice), instant_limit=typed)
    assert_field_error(response, "instant_limit", message)


@pytest.mark.parametrize(("typed", "message"), BAD_LIMITS)
def test_refused_instant_limit_opens_no_pool(login, alice, typed, message):
    before = written()
    open_pool(login(alice), instant_limit=typed)
    assert written() == before


@pytest.mark.parametrize("typed", ["", "   ", None], ids=["empty", "blank", "missing"])
def test_instant_limit_is_required(login, alice, typed):
    response = open_pool(login(alice), instant_limit=typed)
    assert_field_error(response, "instant_limit", REQUIRED)


@pytest.mark.parametrize("typed", ["0", "0.00", " 0 "], ids=["zero", "zero-with-cents", "padded"])
def test_instant_limit_of_zero_means_every_draw_needs_approval(login, alice, typed):
    response = open_pool(login(alice), instant_limit=typed)
    assert (response.status_code, Pool.objects.get().instant_limit) == (302, 0)


def test_instant_limit_in_halves_on_an_items_pool_is_refused(login, alice):
    before = written()
    response = open_pool(login(alice), **{**VALID_ITEMS_POOL, "instant_limit": "1.5"})
    assert_field_error(response, "instant_limit", WHOLE_UNITS)
    assert written() == before


@pytest.mark.parametrize("typed", ["0.000", "00", "٠"])
def test_instant_limit_of_zero_written_otherwise_is_accepted(login, alice, typed):
    response = open_pool(login(alice), instant_limit=typed)
    assert (response.status_code, Pool.objects.get().instant_limit) == (302, 0)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"instant_limit": "12.34567"}, CENTS),
        ({**VALID_ITEMS_POOL, "instant_limit": "1.00001"}, WHOLE_UNITS),
    ],
    ids=["euros", "items"],
)
def test_instant_limit_precision_error_names_the_pools_precision(login, alice, overrides, message):
    response = open_pool(login(alice), **overrides)
    assert_field_error(response, "instant_limit", message)


@pytest.mark.parametrize("typed", TWELVE, ids=TWELVE_IDS)
def test_instant_limit_of_twelve_however_typed_is_accepted(login, alice, typed):
    response = open_pool(login(alice), instant_limit=typed)
    assert (response.status_code, Pool.objects.get().instant_limit) == (302, Decimal("12.00"))


# (overrides, field, message)
BAD_POOLS = [
    ({"name": ""}, "name", REQUIRED),
    ({"name": "   "}, "name", REQUIRED),
    ({"name": "n" * 81}, "name", too_long(80, 81)),
    ({"name": "bail fund"}, "name", POOL_TAKEN),
    ({"name": "  BAIL FUND  "}, "name", POOL_TAKEN),
    ({"purpose": ""}, "purpose", REQUIRED),
    ({"purpose": " \n "}, "purpose", REQUIRED),
    ({"purpose": "p" * 2001}, "purpose", too_long(2000, 2001)),
    ({"kind": "gold"}, "kind", unknown_choice("gold")),
    ({"kind": "Money"}, "kind", unknown_choice("Money")),
    ({"kind": None}, "kind", REQUIRED),
    ({"currency": ""}, "currency", CURRENCY),
    ({"currency": "XYZ"}, "currency", CURRENCY),
    ({"currency": "eu"}, "currency", CURRENCY),
    ({"currency": "€"}, "currency", CURRENCY),
    ({"currency": "EURO"}, "currency", too_long(3, 4)),
    ({**VALID_ITEMS_POOL, "unit": ""}, "unit", UNIT),
    ({**VALID_ITEMS_POOL, "unit": "   "}, "unit", UNIT),
    ({**VALID_ITEMS_POOL, "unit": "u" * 31}, "unit", too_long(30, 31)),
    ({"approvals_required": "0"}, "approvals_required", at_least(1)),
    ({"approvals_required": "-1"}, "approvals_required", at_least(1)),
    ({"approvals_required": "two"}, "approvals_required", WHOLE_NUMBER),
    ({"approvals_required": "1.5"}, "approvals_required", WHOLE_NUMBER),
    ({"approvals_required": "999"}, "approvals_required", at_most(20)),
    ({"approvals_required": "9" * 30}, "approvals_required", at_most(20)),
    ({"approvals_required": ""}, "approvals_required", REQUIRED),
]
BAD_POOL_IDS = [
    "empty-name",
    "blank-name",
    "long-name",
    "duplicate-name-lower-case",
    "duplicate-name-padded-capitals",
    "empty-purpose",
    "blank-purpose",
    "long-purpose",
    "unknown-kind",
    "kind-in-capitals",
    "missing-kind",
    "money-without-currency",
    "currency-XYZ",
    "currency-eu",
    "currency-euro-sign",
    "currency-too-long",
    "items-without-unit",
    "items-with-blank-unit",
    "long-unit",
    "zero-approvals",
    "negative-approvals",
    "approvals-in-words",
    "approvals-in-halves",
    "too-many-approvals",
    "approvals-beyond-bigint",
    "approvals-empty",
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_POOLS, ids=BAD_POOL_IDS)
def test_pool_form_shows_field_error(login, alice, bail_fund, overrides, field, message):
    response = open_pool(login(alice), **overrides)
    assert_field_error(response, field, message)


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_POOLS, ids=BAD_POOL_IDS)
def test_refused_pool_opens_nothing(login, alice, bail_fund, overrides, field, message):
    before = written()
    open_pool(login(alice), **overrides)
    assert written() == before


@pytest.mark.parametrize(
    ("existing", "attempt"),
    [("Caisse Été", "caisse été"), ("Касса", "КАССА"), ("Ωmega Fund", "ωMEGA FUND")],
    ids=["french", "cyrillic", "greek"],
)
def test_duplicate_pool_name_with_accents_in_other_case_is_refused(
    request, login, alice, existing, attempt
):
    open_pool(login(alice), name=existing)
    response = open_pool(login(alice), name=attempt)
    assert_field_error(response, "name", POOL_TAKEN)


def test_members_who_are_not_organizers_cannot_open_pools(login, mo):
    response = open_pool(login(mo))
    assert response.status_code == 403
    assert b"Only organizers can open pools." in response.content


# --- deciding on a draw ----------------------------------------------------------------------


@pytest.fixture
def waiting_draw(in_food, funded, pat, quinn):
    """Above the €50 limit: it waits for two circles other than Food."""
    return DrawRequestFactory(by=in_food, pool=funded, amount=Decimal("200"))


def decide(client, draw, **overrides):
    data = {"decision": "approve", "circle": "", "comment": ""}
    return post_form(client, commons_url("draw_decide", draw_id=draw.pk), data, **overrides)


# (field, value, message); a circle is named by its fixture.
BAD_DECISIONS = [
    ("comment", "", DECLINE_WHY),
    ("comment", "  \n ", DECLINE_WHY),
    ("comment", "c" * 1001, too_long(1000, 1001)),
    ("decision", "maybe", unknown_choice("maybe")),
    ("decision", "APPROVE", unknown_choice("APPROVE")),
    ("decision", None, REQUIRED),
    ("circle", "food", NOT_AVAILABLE),
    ("circle", "art", NOT_AVAILABLE),
    ("circle", "abc", NOT_AVAILABLE),
    ("circle", None, REQUIRED),
]
BAD_DECISION_IDS = [
    "decline-without-comment",
    "decline-with-blank-comment",
    "long-comment",
    "unknown-decision",
    "decision-in-capitals",
    "missing-decision",
    "the-requesters-own-circle",
    "a-circle-pat-is-not-in",
    "circle-not-a-number",
    "missing-circle",
]


def decision_data(request, field, value):
    data = {"decision": "decline" if field == "comment" else "approve"}
    if field != "circle":
        data["circle"] = request.getfixturevalue("legal").pk
    if field == "circle" and value in ("food", "art"):
        value = request.getfixturevalue(value).pk
    return {**data, field: value}


@pytest.mark.parametrize(("field", "value", "message"), BAD_DECISIONS, ids=BAD_DECISION_IDS)
def test_decision_shows_field_error(request, login, pat, waiting_draw, field, value, message):
    response = decide(login(pat), waiting_draw, **decision_data(request, field, value))
    assert_field_error(response, field, message, status=400)


@pytest.mark.parametrize(("field", "value", "message"), BAD_DECISIONS, ids=BAD_DECISION_IDS)
def test_refused_decision_writes_nothing(request, login, pat, waiting_draw, field, value, message):
    before = written()
    decide(login(pat), waiting_draw, **decision_data(request, field, value))
    assert written() == before


def test_refused_decision_page_still_counts_the_approvals(login, pat, legal, waiting_draw):
    response = decide(login(pat), waiting_draw, decision="decline", circle=legal.pk)
    assert "Circles approving so far: 0 of 2." in response.content.decode()


def test_the_requester_cannot_decide_on_their_own_draw(login, in_food, waiting_draw, food):
    before = written()
    response = decide(login(in_food), waiting_draw, circle=food.pk)
    assert response.status_code == 403
    assert written() == before


# --- reversing an entry ------------------------------------------------------------------------


def reverse_entry(client, pool, entry, reason):
    url = commons_url("entry_reverse", pool_id=pool.pk, entry_id=entry.pk)
    return post_form(client, url, {"reason": reason})


@pytest.mark.parametrize(
    ("reason", "message"),
    [("", REQUIRED), ("   \n\t", REQUIRED), ("r" * 501, too_long(500, 501))],
    ids=["empty", "whitespace", "too-long"],
)
def test_reversal_needs_a_reason(login, alice, funded, reason, message):
    entry = LedgerEntry.objects.get(pool=funded)
    before = written()
    response = reverse_entry(login(alice), funded, entry, reason)
    assert_field_error(response, "reason", message)
    assert written() == before


def test_reversal_that_would_overdraw_the_pool_says_why(login, alice, in_food, funded):
    contribution = LedgerEntry.objects.get(pool=funded)
    services.request_draw(by=in_food, pool=funded, amount=Decimal("40"), purpose="Fees")
    before = written()
    response = reverse_entry(login(alice), funded, contribution, "Entered twice")
    assert_field_error(
        response,
        "reason",
        "Reversing this would take the pool below zero (it holds €260.00).",
    )
    assert written() == before


# --- every form ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "contribute",
        "draw_create",
        "pool_create",
        "entry_reverse",
        "draw_decide",
        "archive_create",
        "archive_edit",
    ],
)
def test_an_empty_post_writes_nothing(request, login, alice, pat, waiting_draw, url):
    funded, entry = waiting_draw.pool, LedgerEntry.objects.first()
    kwargs = {
        "contribute": {"pool_id": funded.pk},
        "draw_create": {"pool_id": funded.pk},
        "entry_reverse": {"pool_id": funded.pk, "entry_id": entry.pk},
        "draw_decide": {"draw_id": waiting_draw.pk},
        "archive_edit": {"entry_id": request.getfixturevalue("checklist").pk},
    }.get(url, {})
    who = pat if url == "draw_decide" else alice
    before = written()
    response = login(who).post(commons_url(url, **kwargs), {})
    assert response.status_code in (200, 400)
    assert written() == before


# --- the fairness period -----------------------------------------------------------------------


def fairness(client, pool, params):
    return client.get(commons_url("fairness", pool_id=pool.pk), params)


def test_period_ending_before_it_starts_is_explained(login, mo, funded):
    response = fairness(login(mo), funded, {"start": "2026-05-10", "end": "2026-05-01"})
    assert_field_error(response, "end", "Pick a day on or after the start.", form="period")


GARBAGE_DATES = [
    {"start": "yesterday", "end": "tomorrow"},
    {"start": "2026-02-30"},
    {"end": "2026-13-01"},
    {"start": "99999-01-01"},
    {"start": "0000-00-00"},
    {"start": "\x00"},
    {"start": "' OR 1=1 --", "end": "<script>"},
    {"start": ["2026-01-01", "junk"], "end": ["junk", "2026-02-01"]},
    {"start": "2" * 5000},
    {"start": "0001-01-01"},
    {"start": "9999-12-31"},
    {"unexpected": "parameter"},
]


@pytest.mark.parametrize("params", GARBAGE_DATES)
def test_fairness_survives_garbage_dates(login, mo, funded, params):
    response = fairness(login(mo), funded, params)
    assert response.status_code == 200


@pytest.mark.parametrize("end", ["9999-12-31", "0001-01-01", "0001-03-01"])
def test_fairness_survives_dates_at_the_edge_of_the_calendar(login, mo, funded, end):
    response = fairness(login(mo), funded, {"end": end})
    assert response.status_code == 200


# --- the knowledge archive ---------------------------------------------------------------------

VALID_ENTRY = {
    "title": "Jail support checklist",
    "body": "Bring water, a phone charger and the lawyer's number.",
    "tags": "court support, bail",
    "lens": "",
    "circle": "",
}


@pytest.fixture
def checklist(in_food, food):
    return services.add_archive_entry(
        by=in_food, title="Checklist", body="Water.", tags=["bail"], circle=food
    )


def archive_url(action, request):
    if action == "create":
        return commons_url("archive_create")
    return commons_url("archive_edit", entry_id=request.getfixturevalue("checklist").pk)


# (field, value, message); "legal" is a circle mo is not in.
BAD_ENTRIES = [
    ("title", "", REQUIRED),
    ("title", "   ", REQUIRED),
    ("title", None, REQUIRED),
    ("title", "t" * 161, too_long(160, 161)),
    ("body", "", REQUIRED),
    ("body", " \n\n\t ", REQUIRED),
    ("body", "b" * 20001, too_long(20000, 20001)),
    ("tags", ", ".join(f"tag{n}" for n in range(13)), "Use at most 12 tags."),
    ("tags", "bail, " + "t" * 41, "Keep each tag under 40 characters."),
    ("tags", "t," * 151, too_long(300, 302)),
    ("lens", "nonsense", unknown_choice("nonsense")),
    ("lens", "Voluntarist", unknown_choice("Voluntarist")),
    ("circle", "legal", NOT_AVAILABLE),
    ("circle", "abc", NOT_AVAILABLE),
]
BAD_ENTRY_IDS = [
    "empty-title",
    "blank-title",
    "missing-title",
    "long-title",
    "empty-body",
    "blank-body",
    "long-body",
    "thirteen-tags",
    "tag-of-41-characters",
    "tags-too-long",
    "unknown-lens",
    "lens-in-capitals",
    "circle-not-yours",
    "circle-not-a-number",
]


def entry_data(request, field, value):
    if field == "circle" and value == "legal":
        value = request.getfixturevalue("legal").pk
    return without_none({**VALID_ENTRY, field: value})


@pytest.mark.parametrize("action", ["create", "edit"])
@pytest.mark.parametrize(("field", "value", "message"), BAD_ENTRIES, ids=BAD_ENTRY_IDS)
def test_archive_form_shows_field_error(
    request, login, in_food, legal, action, field, value, message
):
    url = archive_url(action, request)
    response = login(in_food).post(url, entry_data(request, field, value))
    assert_field_error(response, field, message)


@pytest.mark.parametrize("action", ["create", "edit"])
@pytest.mark.parametrize(("field", "value", "message"), BAD_ENTRIES, ids=BAD_ENTRY_IDS)
def test_refused_archive_entry_writes_nothing(
    request, login, in_food, legal, action, field, value, message
):
    url = archive_url(action, request)
    before = written()
    login(in_food).post(url, entry_data(request, field, value))
    assert written() == before


def test_twelve_tags_are_accepted(login, in_food):
    tags = ", ".join(f"tag{n}" for n in range(12))
    response = login(in_food).post(commons_url("archive_create"), {**VALID_ENTRY, "tags": tags})
    assert response.status_code == 302


def test_a_tag_of_forty_characters_is_accepted(login, in_food):
    response = login(in_food).post(commons_url("archive_create"), {**VALID_ENTRY, "tags": "t" * 40})
    assert response.status_code == 302


HOSTILE_BODIES = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
    '![x](x "onerror=alert(1)")',
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "```\n<script>alert(1)</script>\n```",
    "| a |\n|---|\n| <script>alert(1)</script> |",
    "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))",
]


class _Elements(HTMLParser):
    """Every start tag in a page, with its attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))


def elements(html):
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.elements


def dangerous_url(value):
    # Browsers ignore control characters and spaces inside a scheme.
    squeezed = re.sub(r"[\x00-\x20]", "", value).lower()
    return squeezed.startswith(("javascript:", "vbscript:", "data:"))


def executable(html):
    """What in ``html`` could run: script elements other than our own static files,
    ``on…`` handler attributes, and links or sources with a script scheme."""
    found = []
    for tag, attrs in elements(html):
        if tag == "script" and not attrs.get("src", "").startswith("/static/"):
            found.append((tag, attrs))
        found += [(tag, name) for name in attrs if name.startswith("on")]
        found += [
            (tag, name, value)
            for name, value in attrs.items()
            if name in ("href", "src", "action", "formaction", "xlink:href")
            and dangerous_url(value)
        ]
    return found


@pytest.mark.parametrize("body", HOSTILE_BODIES)
def test_archive_markdown_renders_nothing_executable(login, in_food, body):
    response = login(in_food).post(
        commons_url("archive_create"),
        {**VALID_ENTRY, "title": "<script>alert(1)</script>", "body": body},
        follow=True,
    )
    assert response.redirect_chain, "the entry was not saved"
    assert executable(response.content.decode()) == []


def test_archive_markdown_keeps_safe_links_and_shows_raw_html_as_text(login, in_food):
    body = "[the lawyers](https://example.org/guild) <script>alert(1)</script>"
    response = login(in_food).post(
        commons_url("archive_create"), {**VALID_ENTRY, "body": body}, follow=True
    )
    html = response.content.decode()
    assert ("a", "https://example.org/guild") in [
        (tag, attrs.get("href")) for tag, attrs in elements(html)
    ]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("body", HOSTILE_BODIES)
def test_archive_markdown_shows_no_embedded_elements(login, in_food, body):
    response = login(in_food).post(
        commons_url("archive_create"), {**VALID_ENTRY, "body": body}, follow=True
    )
    rendered = response.content.decode().split('<div class="prose markdown">', 1)[1]
    rendered = rendered.split("</div>", 1)[0]
    embedded = {"script", "img", "svg", "iframe", "object", "embed", "style", "form"}
    assert [tag for tag, _attrs in elements(rendered) if tag in embedded] == []
