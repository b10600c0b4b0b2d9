"""The commons' recurring giving at scale (issue 15): a pool with 10,000 live pledges and
120,000 pledged gifts (a year of them), read for its monthly total and last month's kept
figure, and its page; a rotating pool of 60 participants, 60 rounds, 30 closed, and its
page as a participant reads it. Each figure is the best of three runs."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from bench.conftest import best_of, report
from commons.models import Pledge, PledgeGift, Pool, RotationRound, RoundShare
from commons.selectors import pledge_figures, rotation_page, seat_of
from commons.services import pledges, rotation
from movement.models import Membership, User
from tests.factories import MovementFactory

PLEDGES = 10_000
MONTHS = 12
PARTICIPANTS = 60


def _people(movement, count):
    users = User.objects.bulk_create(
        User(email=f"giver{index}@example.org", display_name=f"Giver {index}")
        for index in range(count)
    )
    return Membership.objects.bulk_create(
        Membership(movement=movement, user=user, role="member") for user in users
    )


@pytest.mark.django_db
def test_pledges_and_a_rotating_pool_at_scale():
    movement = MovementFactory()
    organizer_user = User.objects.create_user(
        email="bench@example.org", password="x", display_name="B"
    )
    organizer = Membership.objects.create(movement=movement, user=organizer_user, role="organizer")
    fund = Pool.objects.create(
        movement=movement,
        name="Bail",
        name_key="bail",
        kind="money",
        currency="EUR",
        purpose="x",
        instant_limit=Decimal(10),
    )
    givers = _people(movement, PLEDGES)
    today = pledges.local_today(movement)
    first = (today.replace(day=1) - timedelta(days=365)).replace(day=1)
    made = Pledge.objects.bulk_create(
        (
            Pledge(
                pool=fund,
                pledged_by_id=giver.user_id,
                amount=Decimal(5 + index % 20),
                rhythm="weekly" if index % 5 == 0 else "monthly",
                starts_on=first,
                next_due_on=today,
            )
            for index, giver in enumerate(givers)
        ),
        batch_size=2_000,
    )
    PledgeGift.objects.bulk_create(
        (
            PledgeGift(
                pledge=pledge,
                pool=fund,
                amount=pledge.amount,
                due_on=date(
                    first.year + (first.month + month - 1) // 12,
                    (first.month + month - 1) % 12 + 1,
                    1,
                ),
                state="skipped" if (pledge.pk + month) % 7 == 0 else "unanswered",
            )
            for pledge in made
            for month in range(MONTHS)
        ),
        batch_size=5_000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    figures_time, figures = best_of(lambda: pledge_figures(fund, today=today))
    client = Client()
    client.force_login(organizer_user)
    page_time, _response = best_of(
        lambda: client.get(fund.get_absolute_url(), HTTP_HOST="localhost")
    )

    circle = rotation.open_rotation(
        by=organizer,
        name="Sou-sou",
        currency="EUR",
        purpose="x",
        share="50",
        round_days=7,
        order="lot",
    )
    for member in [organizer, *givers[: PARTICIPANTS - 1]]:
        rotation.join(by=member, rotation=circle)
    order = [seat.pk for seat in rotation.proposed_order(circle)]
    started = timezone.now() - timedelta(days=7 * PARTICIPANTS // 2)
    rotation.start(by=organizer, rotation=circle, order=order, now=started)
    seats = list(circle.seats.all())
    for round_ in RotationRound.objects.filter(rotation=circle, number__lte=PARTICIPANTS // 2):
        for seat in seats:
            member = Membership(movement=movement, user_id=seat.member_id)
            rotation.pay_share(by=member, rotation=circle, now=round_.opens_at)
        rotation.close_round(round_id=round_.pk, now=round_.closes_at)
    mine = seat_of(circle, organizer)
    read_time, _page = best_of(lambda: rotation_page(circle, seat=mine))
    rotation_time, _response = best_of(
        lambda: client.get(circle.pool.get_absolute_url(), HTTP_HOST="localhost")
    )
    report(
        f"Pledges and a rotating pool ({connection.vendor})",
        [
            (
                f"a pool's pledged total and last month's kept figure ({PLEDGES:,} pledges, "
                f"{PledgeGift.objects.count():,} gifts; {figures['due']:,} due last month)",
                f"{figures_time * 1000:.1f} ms",
            ),
            ("that pool's page", f"{page_time * 1000:.1f} ms"),
            (
                f"a rotating pool's rounds ({PARTICIPANTS} taking part, "
                f"{RoundShare.objects.count():,} shares in)",
                f"{read_time * 1000:.1f} ms",
            ),
            ("its page, as a participant reads it", f"{rotation_time * 1000:.1f} ms"),
        ],
    )
