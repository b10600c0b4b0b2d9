"""Random sequences of commons operations keep the ledger's promises.

A Hypothesis state machine contributes, draws, requests large draws, approves and
declines them as members of other circles, withdraws requests and reverses entries,
all through ``commons.services``. Before each call it predicts from the database
whether the call must succeed or be refused, and how the pool's balance must move;
after every step it checks the invariants of the ledger:

* each pool's stored balance equals the sum of its entries, and each entry's
  ``balance_after`` is the running sum up to it;
* a pool that forbids it never goes below zero;
* every reversal cancels exactly one non-reversal entry of its pool, and no entry is
  reversed twice;
* a granted request has exactly one draw entry for its amount, every draw entry
  belongs to exactly one granted request, and no other request has an entry;
* a request's state agrees with the decisions on it, and nobody decided for the
  requester's own circles.

Each example runs inside a savepoint that is rolled back, so every example starts
from the same people and circles and fresh, empty pools.
"""

from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from circles.models import Circle, CircleMembership
from commons import services
from commons.models import Approval, DrawRequest, LedgerEntry, Pool
from tests.factories import CircleFactory, CircleMembershipFactory, MembershipFactory, PoolFactory

SETTINGS = settings(
    max_examples=40,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

State = DrawRequest.State
Kind = LedgerEntry.Kind

people = st.integers(min_value=0, max_value=5)
pools = st.integers(min_value=0, max_value=1)
picks = st.integers(min_value=0, max_value=10_000)


def cents(low, high):
    return st.integers(min_value=low, max_value=high).map(lambda n: Decimal(n) / 100)


@pytest.fixture
def world(tidewater, alice, mo, cora, medics):
    """Six people in four circles: mo and kit share Kitchen, kit is also in Legal,
    alice (an organizer) is in no circle."""
    kitchen = CircleFactory(movement=tidewater, name="Kitchen")
    legal = CircleFactory(movement=tidewater, name="Legal")
    tenants = CircleFactory(movement=tidewater, name="Tenants")
    lena = MembershipFactory(movement=tidewater, user__display_name="Lena")
    tom = MembershipFactory(movement=tidewater, user__display_name="Tom")
    kit = MembershipFactory(movement=tidewater, user__display_name="Kit")
    for circle, member in [
        (kitchen, mo),
        (legal, lena),
        (tenants, tom),
        (kitchen, kit),
        (legal, kit),
    ]:
        CircleMembershipFactory(circle=circle, member=member)
    members = [alice, mo, cora, lena, tom, kit]
    return {
        "lena": lena,
        "outcomes": Counter(),
        "members": members,
        "circles": [kitchen, medics, legal, tenants],
        "circle_ids": {
            m.pk: set(CircleMembership.objects.filter(member=m).values_list("circle_id", flat=True))
            for m in members
        },
    }


def refused(call):
    """Run ``call``; return the ValidationError it raised, or None if it went through."""
    try:
        call()
    except ValidationError as error:
        return error
    return None


class LedgerMachine(RuleBasedStateMachine):
    world = None  # set per test by a subclass

    def __init__(self):
        super().__init__()
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        movement = self.world["members"][0].movement
        self.pools = [
            PoolFactory(
                movement=movement,
                name="Bail Fund",
                purpose="Bail.",
                instant_limit=Decimal("20"),
                approvals_required=2,
            ),
            # No service sets allow_negative: a time bank may run on credit.
            PoolFactory(
                hours=True,
                movement=movement,
                name="Time Bank",
                purpose="Hours for each other.",
                instant_limit=Decimal("5"),
                approvals_required=1,
                allow_negative=True,
            ),
        ]

    def tally(self, outcome):
        self.world["outcomes"][outcome] += 1

    def teardown(self):
        transaction.set_rollback(True)
        self.savepoint.__exit__(None, None, None)

    # --- reading the world -------------------------------------------------------------

    def member(self, index):
        return self.world["members"][index]

    def pool(self, index):
        return Pool.objects.get(pk=self.pools[index].pk)

    def pick(self, queryset, index):
        rows = list(queryset.order_by("pk"))
        return rows[index % len(rows)] if rows else None

    def eligible(self, member, draw):
        """The member's circles that may decide on the request, as the service orders them."""
        if member.user_id == draw.requested_by_id:
            return []
        return sorted(self.world["circle_ids"][member.pk] - set(draw.excluded_circle_ids))

    def snapshot(self):
        return (
            list(Pool.objects.order_by("pk").values_list("pk", "balance")),
            list(LedgerEntry.objects.order_by("pk").values_list("pk", "amount")),
            list(DrawRequest.objects.order_by("pk").values_list("pk", "state", "entry_id")),
            list(Approval.objects.order_by("pk").values_list("pk", "decision")),
        )

    def waiting(self, pool):
        return set(
            DrawRequest.objects.filter(pool=pool, state=State.APPROVED).values_list("pk", flat=True)
        )

    def funded_since(self, waiting_before):
        """The amounts of requests that waited for funds and are granted now."""
        return sum(
            DrawRequest.objects.filter(pk__in=waiting_before, state=State.GRANTED).values_list(
                "amount", flat=True
            ),
            Decimal(0),
        )

    def assert_nothing_changed(self, before, error):
        assert self.snapshot() == before, f"refused ({error.messages}) but something changed"

    # --- operations ----------------------------------------------------------------------

    @rule(
        who=people,
        index=pools,
        amount=cents(1, 5_000),
        for_circle=st.booleans(),
        anon=st.booleans(),
    )
    def contribute(self, who, index, amount, for_circle, anon):
        by, pool = self.member(who), self.pool(index)
        own = sorted(self.world["circle_ids"][by.pk])
        circle = Circle.objects.get(pk=own[0]) if for_circle and own else None
        waiting = self.waiting(pool)

        error = refused(
            lambda: services.contribute(
                by=by, pool=pool, amount=amount, circle=circle, anonymous=anon
            )
        )

        assert error is None, error.messages
        funded = self.funded_since(waiting)
        self.tally("contribution" + (" funded a waiting draw" if funded else ""))
        assert self.pool(index).balance == pool.balance + amount - funded

    @rule(who=people, index=pools, amount=cents(1, 2_000))
    def instant_draw(self, who, index, amount):
        by, pool = self.member(who), self.pool(index)
        amount = min(amount, pool.instant_limit)
        affordable = pool.allow_negative or pool.balance >= amount
        before = self.snapshot()

        error = refused(
            lambda: services.request_draw(by=by, pool=pool, amount=amount, purpose="Bus fare")
        )

        self.tally(f"instant draw {'granted' if affordable else 'refused'}")
        if affordable:
            assert error is None, error.messages
            assert self.pool(index).balance == pool.balance - amount
        else:
            assert error is not None, f"drew {amount} from a pool holding {pool.balance}"
            assert error.messages[0].startswith("The pool holds ")
            self.assert_nothing_changed(before, error)

    @rule(who=people, index=pools, amount=cents(1, 6_000), serves=st.integers(0, 4))
    def request_large_draw(self, who, index, amount, serves):
        by, pool = self.member(who), self.pool(index)
        amount = pool.instant_limit + amount
        circles = self.world["circles"]
        circle = circles[serves] if serves < len(circles) else None
        excluded = self.world["circle_ids"][by.pk] | ({circle.pk} if circle else set())
        enough_circles = len({c.pk for c in circles} - excluded) >= pool.approvals_required
        before = self.snapshot()

        error = refused(
            lambda: services.request_draw(
                by=by, pool=pool, amount=amount, purpose="Bail", circle=circle
            )
        )

        self.tally(f"large request {'waits' if enough_circles else 'refused'}")
        if enough_circles:
            assert error is None, error.messages
            draw = DrawRequest.objects.latest("pk")
            assert (draw.state, draw.entry_id, draw.amount) == (State.PENDING, None, amount)
            assert set(draw.excluded_circle_ids) == excluded
            assert self.pool(index).balance == pool.balance
        else:
            assert error is not None, "a request no set of circles could approve was accepted"
            self.assert_nothing_changed(before, error)

    @rule(who=people, index=picks, approve=st.booleans(), comment=st.booleans())
    def decide_as_anyone(self, who, index, approve, comment):
        draw = self.pick(DrawRequest.objects.all(), index)
        if draw is not None:
            self.decide(self.member(who), draw, approve, comment)

    @rule(who=people, index=picks, approve=st.booleans())
    def decide_as_someone_who_may(self, who, index, approve):
        draw = self.pick(DrawRequest.objects.filter(state=State.PENDING), index)
        if draw is None:
            return
        decided = set(Approval.objects.filter(draw_request=draw).values_list("member", flat=True))
        deciders = [
            member
            for member in self.world["members"]
            if self.eligible(member, draw) and member.user_id not in decided
        ]
        if deciders:
            self.decide(deciders[who % len(deciders)], draw, approve, comment=True)

    @rule(index=picks)
    def approve_until_settled(self, index):
        """Eligible members approve one waiting request, one after another, until it is
        granted or waits for funds (or nobody is left to approve it)."""
        draw = self.pick(DrawRequest.objects.filter(state=State.PENDING), index)
        while draw is not None and draw.state == State.PENDING:
            decisions = Approval.objects.filter(draw_request=draw)
            approving = set(decisions.filter(decision="approve").values_list("circle", flat=True))
            decided = set(decisions.values_list("member", flat=True))
            # Without a circle named, a decision counts for the first eligible circle.
            approver = next(
                (
                    member
                    for member in self.world["members"]
                    if member.user_id not in decided
                    and self.eligible(member, draw)
                    and self.eligible(member, draw)[0] not in approving
                ),
                None,
            )
            if approver is None:
                return
            self.decide(approver, draw, approve=True, comment=False)
            draw.refresh_from_db()

    def decide(self, by, draw, approve, comment):
        pool = self.pool(self.pools.index(draw.pool))
        decision = "approve" if approve else "decline"
        eligible = self.eligible(by, draw)
        allowed = (
            (approve or comment)
            and draw.state == State.PENDING
            and eligible
            and not Approval.objects.filter(draw_request=draw, member=by.user).exists()
        )
        before = self.snapshot()

        error = refused(
            lambda: services.decide_draw(
                by=by,
                draw_request=draw,
                decision=decision,
                comment="Not now" if comment else "",
            )
        )

        self.tally(f"{decision} {'counted' if allowed else 'refused'}")
        if not allowed:
            assert error is not None, f"{decision} by {by} on a {draw.state} request accepted"
            self.assert_nothing_changed(before, error)
            return
        assert error is None, error.messages
        same_mind = set(
            Approval.objects.filter(draw_request=draw, decision=decision).values_list(
                "circle_id", flat=True
            )
        )
        assert eligible[0] in same_mind
        draw.refresh_from_db()
        settled = len(same_mind) >= pool.approvals_required
        if not settled:
            expected = State.PENDING
        elif not approve:
            expected = State.DECLINED
        elif (pool.allow_negative or pool.balance >= draw.amount) and not (
            # One queue: an earlier approved request still waiting for funds goes first.
            DrawRequest.objects.filter(pool_id=draw.pool_id, state=State.APPROVED)
            .exclude(pk=draw.pk)
            .exists()
        ):
            expected = State.GRANTED
        else:
            expected = State.APPROVED
        assert draw.state == expected
        self.tally(f"{decision} left the request {expected}")
        drawn = draw.amount if expected == State.GRANTED else 0
        assert self.pool(self.pools.index(draw.pool)).balance == pool.balance - drawn

    @rule(who=people, index=picks, focus=st.booleans())
    def withdraw(self, who, index, focus):
        # With focus: the requester of an open request.
        requests = DrawRequest.objects.filter(state__in=DrawRequest.OPEN_STATES)
        draw = self.pick(requests if focus else DrawRequest.objects.all(), index)
        if draw is None:
            return
        by = self.member(who)
        if focus:
            by = next(m for m in self.world["members"] if m.user_id == draw.requested_by_id)
        allowed = by.user_id == draw.requested_by_id and draw.state in DrawRequest.OPEN_STATES
        before = self.snapshot()

        error = refused(lambda: services.withdraw_draw(by=by, draw_request=draw))

        self.tally(f"withdrawal {'done' if allowed else 'refused'}")
        if not allowed:
            assert error is not None, f"{by} withdrew a {draw.state} request"
            self.assert_nothing_changed(before, error)
            return
        assert error is None, error.messages
        draw.refresh_from_db()
        assert (draw.state, draw.entry_id) == (State.WITHDRAWN, None)
        balances = before[0]
        assert list(Pool.objects.order_by("pk").values_list("pk", "balance")) == balances

    @rule(who=people, index=picks, reason=st.sampled_from(["Counted twice", "  "]))
    def reverse(self, who, index, reason):
        entry = self.pick(LedgerEntry.objects.all(), index)
        if entry is None:
            return
        pool_index = self.pools.index(entry.pool)
        pool = self.pool(pool_index)
        allowed = (
            reason.strip()
            and entry.kind != Kind.REVERSAL
            and not LedgerEntry.objects.filter(reverses=entry).exists()
            and (pool.allow_negative or pool.balance - entry.amount >= 0)
        )
        waiting = self.waiting(pool)
        before = self.snapshot()

        error = refused(
            lambda: services.reverse_entry(by=self.member(who), entry=entry, reason=reason)
        )

        self.tally(f"reversal of a {entry.kind} {'done' if allowed else 'refused'}")
        if not allowed:
            assert error is not None, f"reversed {entry} (pool holds {pool.balance})"
            self.assert_nothing_changed(before, error)
            return
        assert error is None, error.messages
        reversal = LedgerEntry.objects.get(reverses=entry)
        assert (reversal.kind, reversal.amount) == (Kind.REVERSAL, -entry.amount)
        funded = self.funded_since(waiting)
        assert self.pool(pool_index).balance == pool.balance - entry.amount - funded

    # --- invariants, checked after every step ---------------------------------------------

    @invariant()
    def balances_are_the_sum_of_their_entries(self):
        for pool in Pool.objects.filter(pk__in=[p.pk for p in self.pools]):
            # Summed here in Decimal: SQLite's SUM goes through floats (see test_reconcile).
            entries = list(LedgerEntry.objects.filter(pool=pool).order_by("pk"))
            assert pool.balance == sum((entry.amount for entry in entries), Decimal(0)), pool
            running = Decimal(0)
            for entry in entries:
                running += entry.amount
                assert entry.balance_after == running, entry

    @invariant()
    def pools_that_forbid_it_never_go_below_zero(self):
        for pool in Pool.objects.filter(pk__in=[p.pk for p in self.pools], allow_negative=False):
            assert pool.balance >= 0, pool
            assert not LedgerEntry.objects.filter(pool=pool, balance_after__lt=0).exists()

    @invariant()
    def each_reversal_cancels_exactly_one_entry_once(self):
        reversals = LedgerEntry.objects.filter(kind=Kind.REVERSAL).select_related("reverses")
        reversed_ids = [reversal.reverses_id for reversal in reversals]
        assert None not in reversed_ids
        assert len(reversed_ids) == len(set(reversed_ids))
        for reversal in reversals:
            original = reversal.reverses
            assert original.kind != Kind.REVERSAL
            assert original.pool_id == reversal.pool_id
            assert reversal.amount == -original.amount
        assert not LedgerEntry.objects.exclude(kind=Kind.REVERSAL).filter(reverses__isnull=False)

    @invariant()
    def granted_requests_have_exactly_one_draw_entry(self):
        for draw in DrawRequest.objects.select_related("entry"):
            if draw.state == State.GRANTED:
                assert draw.entry is not None, draw
                assert draw.entry.kind == Kind.DRAW
                assert draw.entry.amount == -draw.amount
                assert draw.entry.pool_id == draw.pool_id
            else:
                assert draw.entry_id is None, draw
        draw_entries = LedgerEntry.objects.filter(kind=Kind.DRAW)
        granted = DrawRequest.objects.filter(state=State.GRANTED)
        assert draw_entries.count() == granted.count()
        assert set(draw_entries.values_list("pk", flat=True)) == set(
            granted.values_list("entry_id", flat=True)
        )

    @invariant()
    def request_states_agree_with_the_decisions(self):
        draws = DrawRequest.objects.select_related("pool").annotate(
            approving=Count(
                "approvals__circle", filter=Q(approvals__decision="approve"), distinct=True
            ),
            declining=Count(
                "approvals__circle", filter=Q(approvals__decision="decline"), distinct=True
            ),
        )
        for draw in draws:
            needed = draw.pool.approvals_required
            if draw.state == State.PENDING:
                assert draw.approving < needed and draw.declining < needed, draw
            elif draw.state == State.APPROVED:
                assert draw.approving >= needed, draw
            elif draw.state == State.DECLINED:
                assert draw.declining >= needed, draw
            elif draw.state == State.GRANTED and draw.amount > draw.pool.instant_limit:
                assert draw.approving >= needed, draw
            for approval in draw.approvals.all():
                assert approval.member_id != draw.requested_by_id
                assert approval.circle_id not in draw.excluded_circle_ids
                assert CircleMembership.objects.filter(
                    circle=approval.circle, member__user=approval.member
                ).exists()


def test_random_operations_keep_the_ledger_consistent(world):
    machine = type("Ledger", (LedgerMachine,), {"world": world})
    run_state_machine_as_test(machine, settings=SETTINGS)

    outcomes = world["outcomes"]
    print("\nledger state machine outcomes:")
    for outcome, count in sorted(outcomes.items()):
        print(f"  {count:5d}  {outcome}")


# --- the queue of approved draws waiting for funds ---------------------------------------


def test_withdrawing_the_oldest_waiting_draw_funds_the_next_one(world, alice, mo):
    lena = world["lena"]
    pool = services.create_pool(
        by=alice,
        name="Rent Fund",
        kind=Pool.Kind.MONEY,
        currency="EUR",
        purpose="Rent for evicted neighbours.",
        instant_limit=Decimal("10"),
        approvals_required=1,
    )
    first = services.request_draw(by=mo, pool=pool, amount=Decimal("60"), purpose="Flat A")
    second = services.request_draw(by=mo, pool=pool, amount=Decimal("30"), purpose="Flat B")
    for draw in (first, second):
        services.decide_draw(by=lena, draw_request=draw, decision="approve")
    services.contribute(by=alice, pool=pool, amount=Decimal("50"))
    second.refresh_from_db()
    assert second.state == State.APPROVED  # oldest first: it waits behind the 60

    services.withdraw_draw(by=mo, draw_request=first)

    second.refresh_from_db()
    assert second.state == State.GRANTED
