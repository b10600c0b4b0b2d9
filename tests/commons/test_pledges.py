"""Pledges: a member promises a gift on a rhythm; each time it falls due (on a durable
timer, at 09:00 on the movement's wall clock) they are asked, and "I gave" is a ledger
contribution, once however often it is sent; "skip" is seen by nobody else."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from commons import selectors
from commons.models import LedgerEntry, Pledge, PledgeGift
from commons.services import pledges
from movement.models import Notification
from movement.needs import needs_of
from rituals.models import Timer
from rituals.timers import fire_due_timers
from tests.at_once import at_once
from tests.factories import MembershipFactory

NOW = datetime(2027, 1, 10, 12, tzinfo=UTC)


@pytest.fixture
def paris(tidewater):
    tidewater.time_zone = "Europe/Paris"
    tidewater.save(update_fields=["time_zone"])
    return tidewater


def pledge(by, pool, *, amount="20", rhythm="monthly", starts_on=date(2027, 1, 31), **kw):
    return pledges.make_pledge(
        by=by,
        pool=pool,
        amount=amount,
        rhythm=rhythm,
        starts_on=starts_on,
        now=kw.pop("now", NOW),
        **kw,
    )


def due_timers(target):
    return list(
        Timer.objects.filter(target_id=target.pk, kind="commons.pledge_due")
        .order_by("due_at")
        .values_list("due_at", "fired_at", "cancelled_at")
    )


def fire_until(moment):
    while fire_due_timers(now=moment, limit=50):
        pass


@pytest.mark.parametrize(
    "anchor,year,month,expected",
    [
        (31, 2027, 2, date(2027, 2, 28)),
        (31, 2028, 2, date(2028, 2, 29)),
        (31, 2027, 4, date(2027, 4, 30)),
        (31, 2027, 5, date(2027, 5, 31)),
        (15, 2027, 2, date(2027, 2, 15)),
    ],
)
def test_a_pledge_on_the_31st_falls_on_the_month_s_last_day(anchor, year, month, expected):
    assert pledges.monthly_on(anchor, year, month) == expected


def test_a_monthly_pledge_walks_through_short_months_and_asks_at_nine(paris, mo, bail_fund):
    bail_fund.movement.refresh_from_db()
    made = pledge(mo, bail_fund)
    assert made.next_due_on == date(2027, 1, 31)
    fire_until(datetime(2027, 5, 1, tzinfo=UTC))
    made.refresh_from_db()
    days = list(made.gifts.order_by("due_on").values_list("due_on", flat=True))
    assert days == [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30)]
    local_hours = {due.astimezone(paris.zone).hour for due, _, _ in due_timers(made)}
    assert local_hours == {9}  # 08:00 UTC in winter, 07:00 UTC after 28 March
    utc_hours = {due.astimezone(UTC).hour for due, _, _ in due_timers(made)}
    assert utc_hours == {7, 8}
    assert made.next_due_on == date(2027, 5, 31)


def test_a_weekly_pledge_keeps_nine_o_clock_across_the_spring_change(paris, mo, bail_fund):
    bail_fund.movement.refresh_from_db()
    made = pledge(mo, bail_fund, rhythm="weekly", starts_on=date(2027, 3, 22))
    fire_until(datetime(2027, 3, 30, tzinfo=UTC))
    fired = [due for due, fired_at, _ in due_timers(made) if fired_at]
    assert [due.astimezone(UTC) for due in fired] == [
        datetime(2027, 3, 22, 8, tzinfo=UTC),  # CET: UTC+1
        datetime(2027, 3, 29, 7, tzinfo=UTC),  # CEST: UTC+2
    ]
    assert [due.astimezone(paris.zone).hour for due in fired] == [9, 9]


def test_a_pledge_falling_due_asks_its_pledger_once(mo, bail_fund):
    made = pledge(mo, bail_fund, starts_on=date(2027, 1, 15))
    fire_until(datetime(2027, 1, 16, tzinfo=UTC))
    gift = PledgeGift.objects.get(pledge=made)
    assert (gift.state, gift.amount, gift.due_on) == ("due", Decimal(20), date(2027, 1, 15))
    told = Notification.objects.filter(recipient=mo.user, kind="commons.pledge_due")
    assert told.count() == 1
    # The same day handled again (a retried handler) asks nothing more.
    pledges.pledge_falls_due(pledge_id=made.pk, due_on=date(2027, 1, 15))
    assert PledgeGift.objects.count() == 1 and told.count() == 1
    need = [n for n in needs_of(mo, now=NOW) if "Did you give" in n.title]
    assert need and "€20.00" in need[0].title and f"#pledge-{made.pk}" in need[0].url


def test_i_gave_puts_the_gift_on_the_ledger_once(mo, bail_fund):
    made = pledge(mo, bail_fund, starts_on=date(2027, 1, 15), anonymous=True)
    fire_until(datetime(2027, 1, 16, tzinfo=UTC))
    gift = PledgeGift.objects.get(pledge=made)
    pledges.answer_gift(by=mo, gift=gift, gave=True)
    gift.refresh_from_db()
    bail_fund.refresh_from_db()
    assert gift.state == "given" and gift.entry.amount == Decimal(20)
    assert gift.entry.anonymous and gift.entry.recorded_by == mo.user
    assert bail_fund.balance == Decimal(20)
    with pytest.raises(ValidationError, match="already said you gave"):
        pledges.answer_gift(by=mo, gift=gift, gave=True)
    assert LedgerEntry.objects.filter(pool=bail_fund).count() == 1
    assert not [n for n in needs_of(mo, now=NOW) if "Did you give" in n.title]


def test_an_unanswered_time_can_still_be_answered_after_the_next_falls_due(mo, bail_fund):
    made = pledge(mo, bail_fund, rhythm="weekly", starts_on=date(2027, 1, 11))
    fire_until(datetime(2027, 1, 19, tzinfo=UTC))
    first, second = made.gifts.order_by("due_on")
    assert (first.state, second.state) == ("unanswered", "due")
    pledges.answer_gift(by=mo, gift=first, gave=False)
    pledges.answer_gift(by=mo, gift=second, gave=True)
    assert list(made.gifts.order_by("due_on").values_list("state", flat=True)) == [
        "skipped",
        "given",
    ]


def test_paused_it_asks_nothing_resumed_it_asks_again_ended_it_stops(mo, bail_fund):
    made = pledge(mo, bail_fund, rhythm="weekly", starts_on=date(2027, 1, 11))
    pledges.pause_pledge(by=mo, pledge=made, paused=True)
    fire_until(datetime(2027, 1, 12, tzinfo=UTC))
    assert not PledgeGift.objects.exists()
    pledges.pause_pledge(by=mo, pledge=made, paused=False)
    fire_until(datetime(2027, 1, 19, tzinfo=UTC))
    assert list(made.gifts.values_list("due_on", flat=True)) == [date(2027, 1, 18)]
    pledges.end_pledge(by=mo, pledge=made)
    fire_until(datetime(2027, 3, 1, tzinfo=UTC))
    made.refresh_from_db()
    assert made.ended_at and made.next_due_on is None and made.gifts.count() == 1
    assert all(fired or cancelled for _, fired, cancelled in due_timers(made))


def test_a_pledge_with_a_last_time_ends_there(mo, bail_fund):
    made = pledge(mo, bail_fund, starts_on=date(2027, 1, 15), ends_on=date(2027, 3, 20))
    fire_until(datetime(2027, 6, 1, tzinfo=UTC))
    made.refresh_from_db()
    assert made.gifts.count() == 3 and made.ended_at is not None


def test_a_changed_amount_counts_from_the_next_time(mo, bail_fund):
    made = pledge(mo, bail_fund, starts_on=date(2027, 1, 15))
    fire_until(datetime(2027, 1, 16, tzinfo=UTC))
    pledges.change_pledge(by=mo, pledge=made, amount="35", now=NOW)
    fire_until(datetime(2027, 2, 16, tzinfo=UTC))
    assert list(made.gifts.order_by("due_on").values_list("amount", flat=True)) == [
        Decimal(20),
        Decimal(35),
    ]


@pytest.mark.parametrize(
    "terms,field,message",
    [
        ({"amount": "0"}, "amount", "above zero"),
        ({"amount": "-5"}, "amount", "above zero"),
        ({"amount": "twenty"}, "amount", "Enter a number"),
        ({"currency": "USD"}, "currency", "pledge in EUR"),
        ({"starts_on": date(2027, 1, 1)}, "starts_on", "today or later"),
        ({"ends_on": date(2027, 1, 20)}, "ends_on", "cannot come before"),
        ({"rhythm": "convergence"}, "rhythm", "no convergence rhythm"),
    ],
)
def test_bad_terms_are_refused_next_to_their_field(mo, bail_fund, terms, field, message):
    with pytest.raises(ValidationError) as refused:
        pledge(mo, bail_fund, **terms)
    assert message in " ".join(refused.value.message_dict[field])
    assert not Pledge.objects.exists()


def test_the_pool_shows_what_is_pledged_and_kept_in_aggregate_only(
    login, mo, cora, alice, bail_fund
):
    # Made forty days ago, so last month's gifts are on the page today.
    today = pledges.local_today(bail_fund.movement)
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    then = datetime.combine(month, datetime.min.time(), tzinfo=UTC) - timedelta(days=1)
    weekly = pledge(mo, bail_fund, rhythm="weekly", amount="12", starts_on=month, now=then)
    monthly = pledge(cora, bail_fund, amount="40", starts_on=month.replace(day=5), now=then)
    pledge(alice, bail_fund, amount="5", starts_on=month.replace(day=20), now=then)
    fire_until(datetime.combine(month.replace(day=28), datetime.min.time(), tzinfo=UTC))
    gifts = {(g.pledge_id, g.due_on): g for g in PledgeGift.objects.all()}
    pledges.answer_gift(by=cora, gift=gifts[monthly.pk, month.replace(day=5)], gave=True)
    pledges.answer_gift(by=mo, gift=gifts[weekly.pk, month], gave=True)
    pledges.answer_gift(by=mo, gift=gifts[weekly.pk, month + timedelta(days=7)], gave=False)
    figures = selectors.pledge_figures(bail_fund, today=today)
    assert figures["pledges"] == 3
    assert figures["monthly"] == (Decimal(12) * 52 / 12 + 40 + 5).quantize(Decimal("0.01"))
    # mo's 1st, 8th, 15th and 22nd; cora's 5th; alice's 20th — two given.
    assert (figures["due"], figures["given"]) == (6, 2)
    assert (figures["given_amount"], figures["due_amount"]) == (Decimal(52), Decimal(93))
    page = login(alice).get(bail_fund.get_absolute_url()).content.decode()
    assert "€97.00 a month, by 3 pledges" in page
    assert "2 of 6 pledged gifts were given (€52.00 of €93.00)" in page
    # Who skipped is on nobody's page but mo's own.
    assert "skipped" not in page.lower()


def test_your_pledges_are_yours_alone(login, client, mo, cora, bail_fund):
    made = pledge(mo, bail_fund, starts_on=date(2027, 1, 15))
    fire_until(datetime(2027, 1, 16, tzinfo=UTC))
    mine = login(mo).get(f"/m/{bail_fund.movement.slug}/commons/pledges/")
    assert "I gave" in mine.content.decode()
    client.logout()
    theirs = login(cora).get(f"/m/{bail_fund.movement.slug}/commons/pledges/")
    assert "I gave" not in theirs.content.decode()
    assert (
        login(cora).get(f"/m/{bail_fund.movement.slug}/commons/pledges/{made.pk}/").status_code
        == 404
    )


def test_a_pledge_of_another_currency_is_refused_on_the_page(login, mo, bail_fund):
    url = f"/m/{bail_fund.movement.slug}/commons/pools/{bail_fund.pk}/pledge/"
    response = login(mo).post(
        url,
        {
            "amount": "20",
            "currency": "usd",
            "rhythm": "monthly",
            "starts_on": "2099-01-01",
        },
    )
    assert response.status_code == 200
    assert "pledge in EUR" in str(response.context["form"].errors["currency"])
    response = login(mo).post(
        url, {"amount": "0", "currency": "EUR", "rhythm": "monthly", "starts_on": "2099-01-01"}
    )
    assert "above zero" in str(response.context["form"].errors["amount"])
    assert not Pledge.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_twenty_i_gave_at_once_make_one_ledger_entry(postgres, tidewater, alice):
    assert connection.vendor == "postgresql"
    from commons import services

    pool = services.create_pool(
        by=alice, name="Bail", kind="money", currency="EUR", purpose="x", instant_limit=10
    )
    giver = MembershipFactory(movement=tidewater)
    made = pledge(giver, pool, starts_on=date(2027, 1, 15))
    fire_until(datetime(2027, 1, 16, tzinfo=UTC))
    gift = PledgeGift.objects.get()
    answers = at_once(20, lambda _: pledges.answer_gift(by=giver, gift=gift, gave=True))
    assert answers.count("done") == 1
    assert answers.count("You already said you gave this one.") == 19
    assert LedgerEntry.objects.filter(pool=pool).count() == 1
    pool.refresh_from_db()
    assert pool.balance == Decimal(20) and made.gifts.get().state == "given"


def test_twenty_sweeps_of_one_day_ask_once(mo, bail_fund):
    made = pledge(mo, bail_fund, starts_on=date(2027, 1, 15))
    for _ in range(20):
        pledges.pledge_falls_due(pledge_id=made.pk, due_on=date(2027, 1, 15))
    assert made.gifts.count() == 1
    assert Notification.objects.filter(kind="commons.pledge_due").count() == 1


def test_a_pledge_at_every_convergence_falls_on_the_gathering_days(alice, mo, bail_fund):
    from tests.factories import RhythmFactory

    RhythmFactory(by=alice, now=NOW)  # the first Saturday of each month, Paris
    bail_fund.movement.refresh_from_db()
    made = pledge(mo, bail_fund, rhythm="convergence", starts_on=date(2027, 1, 11))
    assert made.next_due_on == date(2027, 2, 6)
    fire_until(datetime(2027, 4, 4, tzinfo=UTC))
    days = list(made.gifts.order_by("due_on").values_list("due_on", flat=True))
    assert days == [date(2027, 2, 6), date(2027, 3, 6), date(2027, 4, 3)]
    assert selectors.pledge_figures(bail_fund, today=date(2027, 4, 4))["monthly"] == Decimal(
        "20.00"
    )


def test_home_asks_only_for_the_latest_day_of_a_live_pledge(mo, bail_fund):
    made = pledge(mo, bail_fund, rhythm="weekly", starts_on=date(2027, 1, 11))
    fire_until(datetime(2027, 1, 19, tzinfo=UTC))
    asked = [n.title for n in needs_of(mo, now=NOW) if "Did you give" in n.title]
    assert len(asked) == 1  # the 18th; the 11th waits on the pledges page, unasked
    pledges.pause_pledge(by=mo, pledge=made, paused=True)
    assert not [n for n in needs_of(mo, now=NOW) if "Did you give" in n.title]
