"""The demo has a past (issue 11): a year of ledger in its pools, three gatherings held with
their minutes, and a draw that waits for Farah's circle, all written by ``seed_demo`` alone.
"""

import inspect
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Max
from django.utils import timezone

from circles.models import Circle, CircleMembership
from commons import services as commons_services
from commons.models import Approval, DrawRequest, LedgerEntry, Pool
from commons.selectors import balance_series, chart_series, with_tally
from commons.services import rotation
from constellation.management.commands.seed_demo import CIRCLES, MOVEMENT_NAME, PEOPLE
from constellation.seeding import demo_story
from constellation.seeding.history import plan_commons
from movement.models import AuditEvent, Membership, Movement
from movement.needs import needs_of
from movement.vocabulary import AUDIT_VERBS
from rituals.models import AgendaItem, CircleReport, Commitment, Cycle, Decision, Gathering, Rsvp
from rituals.selectors import drifting_circles, live_state
from rituals.services import convergence

DAY = timedelta(days=1)


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(db):
    seed()
    return Movement.objects.get(name=MOVEMENT_NAME)


def member(movement, key):
    return Membership.objects.select_related("movement", "user").get(
        movement=movement, user__email=f"{key}@demo.constellation.test"
    )


def snapshot():
    """Every row the demo seed writes, counted, and every pool's balance."""
    models = [
        Movement,
        Membership,
        Circle,
        CircleMembership,
        Pool,
        LedgerEntry,
        DrawRequest,
        Approval,
        AuditEvent,
        Cycle,
        Gathering,
        CircleReport,
        AgendaItem,
        Decision,
        Commitment,
        Rsvp,
    ]
    counts = {model.__name__: model.objects.count() for model in models}
    counts["balances"] = dict(Pool.objects.values_list("name", "balance"))
    counts["newest entry"] = LedgerEntry.objects.aggregate(newest=Max("id"))["newest"]
    return counts


# --- the commons' year ----------------------------------------------------------------------


def test_the_ledger_spans_a_year_and_reconciles(demo):
    out = StringIO()
    call_command("reconcile_commons", stdout=out)
    assert "All 4 pools reconcile" in out.getvalue()
    now = timezone.now()
    # The year's pools; the rotating pool started a month ago, in its third round now.
    for pool in Pool.objects.filter(movement=demo).exclude(kind=Pool.Kind.ROTATING):
        times = pool.entries.order_by("created_at").values_list("created_at", flat=True)
        assert times.first() < now - 330 * DAY, pool.name
        assert times.last() > now - 30 * DAY, pool.name
        months = {(moment.year, moment.month) for moment in times}
        assert len(months) >= 8, pool.name


def test_each_ledger_runs_on_from_the_previous_entry_and_never_below_zero(demo):
    for pool in Pool.objects.filter(movement=demo):
        balance = 0
        for amount, after in pool.entries.order_by("created_at", "id").values_list(
            "amount", "balance_after"
        ):
            balance += amount
            assert after == balance >= 0, pool.name
        assert pool.balance == balance, pool.name


def test_contributions_are_anonymous_or_for_a_circle_and_draws_were_granted(demo):
    entries = LedgerEntry.objects.filter(pool__movement=demo)
    contributions = entries.filter(kind=LedgerEntry.Kind.CONTRIBUTION)
    assert contributions.filter(anonymous=True).count() >= 5
    assert contributions.filter(circle__isnull=False).count() >= 20
    assert contributions.exclude(note="").count() >= 20
    assert entries.filter(kind=LedgerEntry.Kind.DRAW).count() >= 10
    reversal = entries.get(kind=LedgerEntry.Kind.REVERSAL)
    assert reversal.amount == -reversal.reverses.amount
    assert reversal.reverses.created_at < reversal.created_at


def test_the_balance_chart_of_every_pool_moves(demo):
    for pool in Pool.objects.filter(movement=demo):
        series = balance_series(pool)
        assert len({balance for _day, balance in series}) >= 3, pool.name
        assert chart_series(pool) == series


def test_past_draws_were_settled_as_the_services_settle_them(demo):
    draws = with_tally(
        DrawRequest.objects.filter(pool__movement=demo).exclude(state=DrawRequest.State.PENDING)
    ).select_related("pool", "entry")
    assert set(draws.values_list("state", flat=True)) == {"granted", "declined", "withdrawn"}
    for draw in draws:
        needed = draw.pool.approvals_required
        if draw.amount <= draw.pool.instant_limit:
            assert (draw.state, draw.approving_circles, draw.declining_circles) == ("granted", 0, 0)
            assert draw.decided_at == draw.created_at
        elif draw.state == "granted":
            assert draw.approving_circles == needed > draw.declining_circles
        elif draw.state == "declined":
            assert draw.declining_circles == needed > draw.approving_circles
        if draw.state == "granted":
            assert (draw.entry.kind, draw.entry.amount) == ("draw", -draw.amount)
            assert draw.entry.created_at == draw.decided_at
        else:
            assert draw.entry is None
        assert draw.decided_at > draw.created_at or draw.amount <= draw.pool.instant_limit


def test_no_approval_came_from_the_requester_s_circles(demo):
    seats = set(
        CircleMembership.objects.filter(circle__movement=demo).values_list(
            "member__user_id", "circle_id"
        )
    )
    approvals = Approval.objects.filter(draw_request__pool__movement=demo).select_related(
        "draw_request"
    )
    assert approvals.count() >= 15
    for approval in approvals:
        assert approval.circle_id not in approval.draw_request.excluded_circle_ids
        assert (approval.member_id, approval.circle_id) in seats
        assert approval.member_id != approval.draw_request.requested_by_id


def test_the_audit_trail_tells_the_year_in_declared_words(demo):
    events = AuditEvent.objects.filter(movement=demo)
    assert set(events.values_list("verb", flat=True)) <= set(AUDIT_VERBS)
    contributed = events.filter(
        verb__in=[commons_services.Verb.CONTRIBUTED, rotation.Verb.SHARE_PAID]
    ).count()
    assert (
        contributed
        == LedgerEntry.objects.filter(
            pool__movement=demo, kind=LedgerEntry.Kind.CONTRIBUTION
        ).count()
    )
    founded = events.get(verb="movement.created").created_at
    assert founded == demo.created_at < timezone.now() - 365 * DAY
    assert events.order_by("created_at").first().verb == "movement.created"
    assert not Circle.objects.filter(movement=demo, created_at__gte=founded + 60 * DAY).exists()


def test_the_past_plan_keeps_the_rules_whatever_day_the_seed_runs():
    """Gatherings fall on first Saturdays, so the year shifts with the day the seed runs:
    replay it for every day of a year (a broken rule raises)."""
    seats = {email.split("@")[0]: set() for email, _name, _role in PEOPLE}
    for name, _lens, _initiative, _theory, convener, others in CIRCLES:
        for key in (convener, *others):
            seats[key].add(name)
    start = datetime(2027, 1, 1, 9, 30, tzinfo=UTC)
    for day in range(366):
        plan = plan_commons(now=start + timedelta(days=day, hours=7 * day), seats=seats)
        assert min(entry.balance_after for entry in plan.entries) >= 0
        assert plan.entries[-1].at < plan.now


# --- three gatherings held ---------------------------------------------------------------------


def test_three_closed_gatherings_have_their_minutes(demo):
    closed = Gathering.objects.filter(movement=demo, state=Gathering.State.CLOSED)
    assert [g.cycle.number for g in closed.order_by("starts_at")] == [1, 2, 3]
    for gathering in closed:
        assert gathering.ends_at < timezone.now()
        assert gathering.facilitators.exists()
        assert CircleReport.objects.filter(cycle=gathering.cycle).count() >= 5
        assert gathering.rsvps.count() >= 10
        minutes = live_state(gathering)
        assert len(minutes["agenda"]) >= 7
        assert all(item.notes for item in minutes["agenda"] if item.circle_id is None)
        assert len(minutes["decisions"]) == 3
        assert len(minutes["commitments"]) >= 5


def test_commitments_are_reviewed_in_the_next_cycle_s_report(demo):
    reviewed = Commitment.objects.filter(gathering__movement=demo, reviewed_in__isnull=False)
    assert reviewed.count() >= 8
    assert {c.outcome for c in reviewed} == {"done", "partly", "not_done"}
    for commitment in reviewed.select_related("gathering__cycle", "reviewed_in__cycle"):
        assert commitment.reviewed_in.circle_id == commitment.circle_id
        assert commitment.reviewed_in.cycle.number == commitment.gathering.cycle.number + 1
    last = Gathering.objects.get(movement=demo, cycle__number=3)
    assert not last.commitments.exclude(outcome="open").exists()


def test_the_rhythm_still_plans_the_next_three_gatherings(demo):
    upcoming = Gathering.objects.filter(movement=demo, starts_at__gt=timezone.now())
    assert [g.cycle.number for g in upcoming.order_by("starts_at")] == [4, 5, 6]
    assert all(g.state == Gathering.State.SCHEDULED for g in upcoming)
    assert convergence.schedule_ahead(movement=demo) == []


def test_a_closed_gathering_page_shows_its_minutes(client, demo):
    farah = member(demo, "farah")
    client.force_login(farah.user)
    gathering = Gathering.objects.get(movement=demo, cycle__number=2)
    response = client.get(gathering.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "Minutes" in body
    assert "A pledge drive: every circle asks its members" in body
    assert "Find ten new monthly pledges for the bail fund" in body


def test_organizers_see_the_podcast_drifting(demo):
    assert [c.name for c in drifting_circles(demo)] == [demo_story.RADIO]
    titles = [need.title for need in needs_of(member(demo, "amara"))]
    assert "A circle sent no report for two gatherings" in titles


# --- today: a draw that waits for Farah's circle ---------------------------------------------


def test_the_waiting_draw_is_on_farah_s_list_and_not_on_the_requester_s(demo):
    draw = DrawRequest.objects.select_related("pool").get(
        pool__movement=demo, state=DrawRequest.State.PENDING
    )
    assert draw.amount > draw.pool.instant_limit
    assert draw.requested_by.email == "emeka@demo.constellation.test"
    farah = member(demo, "farah")
    assert draw.get_absolute_url() in [need.url for need in needs_of(farah)]
    emeka = member(demo, "emeka")
    assert [need.title for need in needs_of(emeka) if need.url == draw.get_absolute_url()] == [
        "Your draw of €500.00 from Bail Fund"
    ]
    ines = member(demo, "ines")  # has approved already
    assert draw.get_absolute_url() not in [need.url for need in needs_of(ines)]


def test_farah_can_decide_on_it(demo):
    draw = DrawRequest.objects.get(pool__movement=demo, state=DrawRequest.State.PENDING)
    decided = commons_services.decide_draw(
        by=member(demo, "farah"), draw_request=draw, decision="approve"
    )
    assert decided.state == DrawRequest.State.GRANTED


# --- once, and only through the seed -----------------------------------------------------------


def test_seeding_twice_changes_nothing(demo):
    before = snapshot()
    output = seed()
    assert "with its past" not in output
    assert snapshot() == before


@pytest.mark.parametrize(
    "service",
    [
        commons_services.contribute,
        commons_services.request_draw,
        commons_services.decide_draw,
        commons_services.reverse_entry,
        convergence.submit_report,
        convergence.answer_gathering,
    ],
)
def test_the_services_take_no_date(service):
    """Only the seed writes the past: what a person submits happens now."""
    dated = [
        name
        for name in inspect.signature(service).parameters
        if name.endswith(("_at", "date", "when")) or name in {"now", "at", "created"}
    ]
    assert dated == []


# --- the conflict ritual --------------------------------------------------------------------


def test_the_ritual_is_adopted_and_two_drills_show_it_at_work(demo):
    from rituals.models import ConflictCase, ConflictRitual
    from rituals.selectors import case_figures

    ritual = ConflictRitual.objects.get(movement=demo)
    assert ritual.adopted_by.user.display_name == "Amara Okafor"
    assert "Twenty-four hours of cooling off" in ritual.text
    done, cooling = ConflictCase.objects.filter(movement=demo).order_by("created_at")
    assert done.is_practice and cooling.is_practice
    assert (done.state, done.outcome) == (ConflictCase.State.CLOSED, "resolved")
    assert done.created_at < done.awaiting_since < done.scheduled_at < done.held_at
    assert done.held_at < done.follow_up_at < done.closed_at < cooling.created_at
    assert cooling.state == ConflictCase.State.COOLING_OFF
    assert cooling.cooling_off_ends_at > timezone.now()
    this_year = timezone.localtime(timezone.now(), demo.zone).year
    drills = [
        case for case in (done, cooling) if case.created_at.astimezone(demo.zone).year == this_year
    ]
    assert case_figures(demo)["drills_this_year"] == len(drills)
    assert case_figures(demo)["opened"] == 0  # no real case in the demo


def test_the_demo_shows_a_blind_spot_and_pattern_decay_computed_from_its_data(demo):
    from constellation.lenses import lens_map
    from constellation.patterns import patterns

    spots = lens_map(demo).blind_spots
    assert [spot.lens for spot in spots] == ["structuralist"]
    assert spots[0].tactics  # the library's structuralist tactics to consider
    assert patterns(demo).warnings  # the demo's circles repeat themselves


def test_a_spark_would_fill_the_blind_spot_and_another_is_ready_to_become_a_circle(demo):
    from circles.models import Spark
    from movement.needs import needs_of

    structural = Spark.objects.get(movement=demo, lens="structuralist")
    assert structural.joins.count() == demo.spark_quorum - 1
    hana = member(demo, "hana")
    assert "Your spark can become a circle" in [need.title for need in needs_of(hana)]


def test_three_cycles_of_sovereignty_gained_are_recorded(demo):
    from rituals.models import SovereigntyRecord
    from rituals.selectors import sovereignty_by_cycle

    totals = sovereignty_by_cycle(demo)
    assert {number for number, _kind in totals} == {1, 2, 3}
    assert SovereigntyRecord.objects.filter(movement=demo, pool__name="Bail Fund").exists()


def test_a_hall_and_a_printing_press_are_booked_this_week(demo):
    from commons.models import Booking, Resource

    assert set(Resource.objects.filter(movement=demo).values_list("name", flat=True)) == {
        "Community hall",
        "Printing press",
    }
    ahead = Booking.objects.filter(resource__movement=demo, starts_at__gt=timezone.now())
    assert ahead.count() == 4
    assert max(b.starts_at for b in ahead) < timezone.now() + timedelta(days=7)


def test_the_bail_fund_has_monthly_pledges_some_kept_one_skipped(demo, client):
    from commons.models import Pledge, PledgeGift
    from movement.models import Membership
    from movement.needs import needs_of

    pledges = Pledge.objects.filter(pool__movement=demo, pool__name="Bail Fund")
    assert pledges.count() >= 6
    assert set(pledges.values_list("rhythm", flat=True)) == {"monthly"}
    states = list(PledgeGift.objects.filter(pledge__in=pledges).values_list("state", flat=True))
    assert states.count("given") >= 10 and states.count("skipped") == 1
    # Each given one is a gift on the ledger; every live pledge has its next day booked.
    given = PledgeGift.objects.filter(pledge__in=pledges, state="given")
    assert not given.filter(entry__isnull=True).exists()
    assert not pledges.filter(next_due_on__isnull=True).exists()
    amara = Membership.objects.get(movement=demo, user__email__startswith="amara")
    asked = [need.title for need in needs_of(amara)]
    assert (
        "Did you give €30.00 to Bail Fund?" in asked
        or not PledgeGift.objects.filter(pledge__pledged_by=amara.user).exists()
    )  # before nine in the morning in the movement's zone, she is asked at nine
    client.force_login(amara.user)
    page = client.get(pledges.first().pool.get_absolute_url()).content.decode()
    assert "a month, by" in page


def test_a_rotating_pool_of_six_is_in_its_third_round(demo, client):
    from commons import selectors
    from commons.models import Rotation
    from movement.models import Membership

    rotation = Rotation.objects.get(pool__movement=demo)
    assert rotation.seats.count() == 6 and rotation.state == "running"
    amara = Membership.objects.get(movement=demo, user__email__startswith="amara")
    page = selectors.rotation_page(rotation, seat=selectors.seat_of(rotation, amara))
    assert page["current"].number == 3 and page["closed"] == 2
    first, second = page["rounds"][:2]
    assert first.recipient.member.display_name == "Jamal Carter"  # his ask went first
    assert (first.gap, second.gap) == (0, rotation.share)  # round 2 was one share short
    assert rotation.pool.balance == rotation.share * page["current"].shares_in
    client.force_login(amara.user)
    assert client.get(rotation.pool.get_absolute_url()).status_code == 200
