"""``seed_demo --size large`` run tiny: the same code as the full run, every count × 1%."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Max

from circles.models import Circle, CircleMembership
from commons.models import Approval, ArchiveEntry, DrawRequest, LedgerEntry, Pool
from commons.selectors import with_tally
from constellation.seeding.large import DOMAIN as LARGE_DOMAIN
from constellation.seeding.large import MEMBER_LOGIN, ORGANIZER_LOGIN, POOLS, Sizes
from movement.models import AuditEvent, Membership, Movement, Notification, User
from movement.vocabulary import AUDIT_VERBS
from rituals.models import CircleReport, Commitment, Gathering

SCALE = 0.01
SIZES = Sizes.at(SCALE)
DEMO = "Tidewater Constellation"


def seed(**options):
    out = StringIO()
    call_command("seed_demo", size="large", scale=SCALE, stdout=out, **options)
    return out.getvalue()


def counts():
    models = [
        User,
        Movement,
        Membership,
        Circle,
        CircleMembership,
        Pool,
        LedgerEntry,
        DrawRequest,
        Approval,
        ArchiveEntry,
        Gathering,
        CircleReport,
        Commitment,
        Notification,
        AuditEvent,
    ]
    return {model.__name__: model.objects.count() for model in models}


def in_demo(movement):
    """What the large seed adds to the demo movement, counted."""
    return {
        "circles": Circle.objects.filter(movement=movement).count(),
        "members": Membership.objects.filter(movement=movement).count(),
        "archive": ArchiveEntry.objects.filter(movement=movement).count(),
        "notifications": Notification.objects.filter(movement=movement).count(),
        "audit_events": AuditEvent.objects.filter(movement=movement).count(),
        "other_movements": Movement.objects.exclude(pk=movement.pk).count(),
    }


@pytest.fixture
def large(db):
    call_command("seed_demo", stdout=StringIO())
    movement = Movement.objects.get(name=DEMO)
    before = in_demo(movement)
    output = seed()
    after = in_demo(movement)
    return movement, output, {key: after[key] - before[key] for key in after}


@pytest.fixture
def large_pools(large):
    movement, _output, _added = large
    return Pool.objects.filter(movement=movement, name__in=[spec.name for spec in POOLS])


def test_the_commons_reconciles(large):
    out = StringIO()
    call_command("reconcile_commons", stdout=out)
    assert "reconcile" in out.getvalue()


def test_each_ledger_runs_on_from_the_previous_entry_and_never_below_zero(large_pools):
    for pool in large_pools:
        balance = 0
        for kind, amount, after in (
            LedgerEntry.objects.filter(pool=pool)
            .order_by("created_at", "id")
            .values_list("kind", "amount", "balance_after")
        ):
            balance += amount
            assert after == balance, pool.name
            assert after >= 0, pool.name
            assert (kind == "contribution") == (amount > 0) or kind == "reversal"
        assert pool.balance == balance, pool.name


def test_reversals_cancel_one_earlier_entry_exactly(large_pools):
    reversals = LedgerEntry.objects.filter(pool__in=large_pools, kind="reversal").select_related(
        "reverses"
    )
    assert reversals.count() >= 1
    for reversal in reversals:
        original = reversal.reverses
        assert reversal.amount == -original.amount
        assert original.kind != "reversal"
        assert original.pool_id == reversal.pool_id
        assert (original.created_at, original.pk) < (reversal.created_at, reversal.pk)


def test_counts_are_as_asked(large):
    movement, _output, added = large
    assert added == {
        "circles": SIZES.circles,
        "members": SIZES.members,
        "archive": SIZES.archive,
        "notifications": SIZES.notifications,
        "audit_events": SIZES.audit_events,
        "other_movements": SIZES.small_movements,
    }
    pools = Pool.objects.filter(movement=movement, name__in=[spec.name for spec in POOLS])
    assert pools.count() == SIZES.pools
    assert LedgerEntry.objects.filter(pool__in=pools).count() == SIZES.entries
    draws = DrawRequest.objects.filter(pool__in=pools)
    assert draws.count() == SIZES.draws
    assert set(draws.values_list("state", flat=True)) == set(DrawRequest.State.values)
    # The large seed numbers its cycles first; the demo's own past comes after them.
    closed = Gathering.objects.filter(
        movement=movement, state=Gathering.State.CLOSED, cycle__number__lte=SIZES.gatherings
    )
    assert closed.count() == SIZES.gatherings
    assert (
        CircleReport.objects.filter(cycle__gathering__in=closed).count()
        == SIZES.gatherings * SIZES.reports_per_gathering
    )


def test_every_member_sits_in_one_to_four_circles_and_every_circle_has_a_convener(large):
    movement, _output, _added = large
    seats = CircleMembership.objects.filter(
        circle__movement=movement, member__user__email__endswith=LARGE_DOMAIN
    )
    per_member = seats.values("member").annotate(n=Count("id"))
    assert per_member.count() == SIZES.members
    assert per_member.aggregate(most=Max("n"))["most"] <= 4
    assert not (
        Circle.objects.filter(movement=movement)
        .exclude(circle_memberships__is_convener=True)
        .exists()
    )


def test_some_contributions_are_anonymous_and_some_for_a_circle(large_pools):
    contributions = LedgerEntry.objects.filter(pool__in=large_pools, kind="contribution")
    assert contributions.filter(anonymous=True).exists()
    assert contributions.filter(circle__isnull=False).exists()


def test_audit_events_use_declared_verbs_only(large):
    movement, _output, _added = large
    verbs = set(AuditEvent.objects.filter(movement=movement).values_list("verb", flat=True))
    assert verbs <= set(AUDIT_VERBS)


def test_granted_draws_point_at_their_draw_entry(large_pools):
    granted = DrawRequest.objects.filter(pool__in=large_pools, state="granted")
    assert granted.exists()
    for draw in granted.select_related("entry"):
        assert draw.entry.kind == "draw"
        assert draw.entry.amount == -draw.amount
        assert draw.entry.pool_id == draw.pool_id


def test_approvals_never_come_from_excluded_circles(large_pools):
    approvals = Approval.objects.filter(draw_request__pool__in=large_pools).select_related(
        "draw_request"
    )
    assert approvals.exists()
    seats = set(
        CircleMembership.objects.filter(circle__movement=large_pools[0].movement).values_list(
            "member__user_id", "circle_id"
        )
    )
    for approval in approvals:
        assert approval.circle_id not in approval.draw_request.excluded_circle_ids
        assert (approval.member_id, approval.circle_id) in seats
        assert approval.member_id != approval.draw_request.requested_by_id


def test_each_draw_request_s_decisions_match_its_state(large_pools):
    draws = with_tally(DrawRequest.objects.filter(pool__in=large_pools).select_related("pool"))
    for draw in draws:
        needed = draw.pool.approvals_required
        approving, declining = draw.approving_circles, draw.declining_circles
        if draw.amount <= draw.pool.instant_limit:
            assert (draw.state, approving, declining) == ("granted", 0, 0)
        elif draw.state in ("granted", "approved"):
            assert approving == needed and declining < needed
        elif draw.state == "declined":
            assert declining == needed and approving < needed
        else:
            assert approving < needed and declining < needed


def test_only_the_log_in_accounts_have_a_password(large):
    _movement, output, _added = large
    for email, _name, _role in (ORGANIZER_LOGIN, MEMBER_LOGIN):
        assert email in output
        assert User.objects.get(email=email).has_usable_password()
    assert (
        not User.objects.filter(email__endswith=LARGE_DOMAIN)
        .exclude(email__in=[ORGANIZER_LOGIN[0], MEMBER_LOGIN[0]])
        .filter(password__regex=r"^[^!]")
        .exists()
    )


def test_a_second_run_adds_nothing(large):
    before = counts()
    output = seed()
    assert "already" in output
    assert counts() == before
