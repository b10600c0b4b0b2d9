"""A rotating mutual-aid pool: members join on their own consent, the order is agreed
before the first round (by lot, or need first), each round's pot goes to one of them when
its timer fires, once even with two sweepers; a short round pays what it holds and shows
the gap; outsiders see totals only."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from commons import selectors
from commons.models import LedgerEntry, Pool, RotationRound
from commons.services import rotation
from movement.models import Notification
from movement.needs import needs_of
from rituals.models import Timer
from rituals.timers import fire_due_timers
from tests.at_once import at_once
from tests.factories import MembershipFactory

START = datetime(2027, 3, 1, 12, tzinfo=UTC)


def open_pool(alice, *, order="lot", round_days=14, share="50"):
    return rotation.open_rotation(
        by=alice,
        name="Mutual Aid Circle",
        currency="EUR",
        purpose="Each month one of us gets the pot.",
        share=share,
        round_days=round_days,
        order=order,
    )


@pytest.fixture
def people(tidewater):
    return [
        MembershipFactory(movement=tidewater, user__display_name=name)
        for name in ("Ana", "Ben", "Cy")
    ]


@pytest.fixture
def running(alice, people):
    opened = open_pool(alice)
    for person in (alice, *people):
        rotation.join(by=person, rotation=opened)
    order = [seat.pk for seat in rotation.proposed_order(opened)]
    return rotation.start(by=alice, rotation=opened, order=order, now=START)


def advance(rotation_, number):
    """Fire round ``number``'s close as the sweep would, once its time has come."""
    round_ = rotation_.rounds.get(number=number)
    while fire_due_timers(now=round_.closes_at + timedelta(seconds=1), limit=50):
        pass


def test_the_rounds_are_planned_at_start_and_each_pays_its_recipient(running, alice, people):
    rounds = list(running.rounds.order_by("number"))
    assert [r.number for r in rounds] == [1, 2, 3, 4]
    assert len({r.recipient_id for r in rounds}) == 4
    everyone = [alice, *people]
    for person in everyone:
        rotation.pay_share(by=person, rotation=running, now=START + timedelta(hours=1))
    pool = Pool.objects.get(pk=running.pool_id)
    assert pool.balance == Decimal(200)
    advance(running, 1)
    first = RotationRound.objects.get(rotation=running, number=1)
    pool.refresh_from_db()
    assert first.closed_at and first.paid_out == Decimal(200) and pool.balance == 0
    assert first.payout.recorded_by == first.recipient.member and first.payout.amount == -200
    told = Notification.objects.filter(kind="commons.round_paid", recipient=first.recipient.member)
    assert told.count() == 1
    # Round 2 is open now, and its close is booked.
    assert Timer.objects.filter(
        kind="commons.round_closes", target_id=running.rounds.get(number=2).pk, fired_at=None
    ).exists()


def test_a_short_round_pays_what_it_holds_and_shows_the_gap(running, alice, people):
    rotation.pay_share(by=alice, rotation=running, now=START)
    rotation.pay_share(by=people[0], rotation=running, now=START)
    advance(running, 1)
    page = selectors.rotation_page(running, seat=selectors.seat_of(running, alice))
    first = page["rounds"][0]
    assert (first.paid_out, first.gap) == (Decimal(100), Decimal(100))
    # A round that took nothing pays nothing, and the ledger never goes below zero.
    advance(running, 2)
    second = RotationRound.objects.get(rotation=running, number=2)
    assert second.paid_out == 0 and second.payout is None
    assert Pool.objects.get(pk=running.pool_id).balance == 0


def test_a_share_is_put_in_once_per_round(running, alice):
    rotation.pay_share(by=alice, rotation=running, now=START)
    with pytest.raises(ValidationError, match="in already"):
        rotation.pay_share(by=alice, rotation=running, now=START)
    assert LedgerEntry.objects.filter(pool=running.pool).count() == 1


def test_after_the_last_round_it_is_finished(running):
    for number in (1, 2, 3, 4):
        advance(running, number)
    running.refresh_from_db()
    assert running.state == "finished"
    assert RotationRound.objects.filter(rotation=running, closed_at=None).count() == 0


def test_rounds_close_at_nine_on_the_movement_s_clock_across_daylight_saving(
    tidewater, alice, people
):
    tidewater.time_zone = "Europe/Paris"
    tidewater.save(update_fields=["time_zone"])
    alice.movement.refresh_from_db()
    opened = open_pool(alice, round_days=7)
    for person in (alice, people[0]):
        rotation.join(by=person, rotation=opened)
    opened.pool.movement.refresh_from_db()
    order = [seat.pk for seat in rotation.proposed_order(opened)]
    started = rotation.start(
        by=alice, rotation=opened, order=order, now=datetime(2027, 3, 22, 12, tzinfo=UTC)
    )
    closes = [r.closes_at.astimezone(UTC) for r in started.rounds.order_by("number")]
    assert closes == [
        datetime(2027, 3, 29, 7, tzinfo=UTC),  # 09:00 CEST, after the change on the 28th
        datetime(2027, 4, 5, 7, tzinfo=UTC),
    ]


def test_nobody_joins_after_the_rounds_begin(running, mo):
    with pytest.raises(ValidationError, match="rounds have begun"):
        rotation.join(by=mo, rotation=running)


def test_the_order_must_hold_every_participant(alice, people):
    opened = open_pool(alice)
    mine = rotation.join(by=alice, rotation=opened)
    seats = [rotation.join(by=person, rotation=opened) for person in people]
    with pytest.raises(ValidationError, match="missing: Cy"):
        rotation.start(by=alice, rotation=opened, order=[mine.pk, seats[0].pk, seats[1].pk])
    with pytest.raises(ValidationError, match="once"):
        rotation.start(by=alice, rotation=opened, order=[mine.pk, *(s.pk for s in seats), 999])


def test_only_a_participating_organizer_or_its_opener_starts_it(alice, people, fay):
    opened = open_pool(alice)
    seats = [rotation.join(by=person, rotation=opened) for person in people]
    order = [s.pk for s in seats]
    with pytest.raises(PermissionDenied):
        rotation.start(by=alice, rotation=opened, order=order)  # not taking part
    with pytest.raises(PermissionDenied):
        rotation.start(by=people[0], rotation=opened, order=order)


def test_the_lot_is_the_same_whoever_draws_it(alice, people):
    opened = open_pool(alice)
    for person in people:
        rotation.join(by=person, rotation=opened)
    assert rotation.proposed_order(opened) == rotation.proposed_order(opened)


def test_by_need_an_approved_ask_goes_first(alice, people):
    opened = open_pool(alice, order="need")
    for person in (alice, *people):
        rotation.join(by=person, rotation=opened)
    ana, ben, cy = people
    with pytest.raises(ValidationError):
        rotation.ask_earlier(by=cy, rotation=opened, reason="  ")
    rotation.ask_earlier(by=cy, rotation=opened, reason="Rent is due on the 5th.")
    asking = selectors.seat_of(opened, cy)
    assert [need.title for need in needs_of(ana) if "earlier" in need.title]
    rotation.vote_earlier(by=ana, seat=asking, approve=True)
    asking.refresh_from_db()
    assert asking.earlier == "pending"  # 2 of the 3 others needed
    with pytest.raises(ValidationError, match="decided already"):
        rotation.vote_earlier(by=ana, seat=asking, approve=False)
    with pytest.raises(ValidationError, match="other participants"):
        rotation.vote_earlier(by=cy, seat=asking, approve=True)
    rotation.vote_earlier(by=ben, seat=asking, approve=True)
    asking.refresh_from_db()
    assert asking.earlier == "approved"
    assert rotation.proposed_order(opened)[0] == asking


def test_it_takes_nothing_but_shares_and_pays_nothing_but_pots(running, alice):
    from commons import services

    with pytest.raises(ValidationError, match="rotating pool"):
        services.contribute(by=alice, pool=running.pool, amount="10")
    with pytest.raises(ValidationError, match="rotating pool"):
        services.request_draw(by=alice, pool=running.pool, amount="10", purpose="x")


def test_outsiders_see_totals_and_participants_see_the_order(
    login, client, running, mo, alice, people
):
    url = running.pool.get_absolute_url()
    inside = login(people[0]).get(url).content.decode()
    assert "Ana" in inside and "Ben" in inside and "The rounds" in inside
    client.logout()
    outside = login(mo).get(url)
    body = outside.content.decode()
    assert outside.status_code == 200 and "In the pot now" in body
    assert "Ana" not in body and "Ben" not in body and "The rounds" not in body
    for refused in ("ledger.csv", "fairness/"):
        response = login(mo).get(f"{url}{refused}")
        assert response.status_code == 403, refused


def test_needs_me_asks_each_participant_for_the_open_round_s_share(running, alice, people):
    owed = [n.title for n in needs_of(people[0], now=START + timedelta(hours=1))]
    assert any("share" in title and "Mutual Aid Circle" in title for title in owed)
    rotation.pay_share(by=people[0], rotation=running, now=START + timedelta(hours=1))
    owed = [n.title for n in needs_of(people[0], now=START + timedelta(hours=1))]
    assert not any("Mutual Aid Circle" in title for title in owed)


@pytest.mark.parametrize("size", [3, 20])
def test_the_pool_page_costs_the_same_at_any_size(
    size, tidewater, alice, login, django_assert_num_queries
):
    opened = open_pool(alice)
    rotation.join(by=alice, rotation=opened)
    for _ in range(size):
        rotation.join(by=MembershipFactory(movement=tidewater), rotation=opened)
    order = [seat.pk for seat in rotation.proposed_order(opened)]
    rotation.start(by=alice, rotation=opened, order=order)
    rotation.pay_share(by=alice, rotation=opened)
    client = login(alice)
    with django_assert_num_queries(11):
        assert client.get(opened.pool.get_absolute_url()).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_two_sweepers_pay_a_round_out_once(postgres, tidewater, alice):
    assert connection.vendor == "postgresql"
    opened = open_pool(alice)
    people = [alice, *(MembershipFactory(movement=tidewater) for _ in range(3))]
    for person in people:
        rotation.join(by=person, rotation=opened)
    order = [seat.pk for seat in rotation.proposed_order(opened)]
    rotation.start(by=alice, rotation=opened, order=order, now=START)
    for person in people:
        rotation.pay_share(by=person, rotation=opened, now=START)
    first = opened.rounds.get(number=1)
    payouts = []
    at_once(2, lambda _: payouts.append(rotation.close_round(round_id=first.pk)))
    assert sum(payout is not None for payout in payouts) == 1
    assert LedgerEntry.objects.filter(pool=opened.pool, kind="draw").count() == 1
    assert Pool.objects.get(pk=opened.pool_id).balance == 0


@pytest.mark.django_db(transaction=True)
def test_twenty_shares_sent_at_once_count_once(postgres, tidewater, alice):
    opened = open_pool(alice)
    rotation.join(by=alice, rotation=opened)
    other = MembershipFactory(movement=tidewater)
    rotation.join(by=other, rotation=opened)
    order = [seat.pk for seat in rotation.proposed_order(opened)]
    rotation.start(by=alice, rotation=opened, order=order, now=START)
    answers = at_once(20, lambda _: rotation.pay_share(by=other, rotation=opened, now=START))
    assert answers.count("done") == 1
    assert LedgerEntry.objects.filter(pool=opened.pool).count() == 1


def test_starting_with_a_place_left_empty_says_who_is_missing(login, alice, people):
    opened = open_pool(alice)
    for person in (alice, *people):
        rotation.join(by=person, rotation=opened)
    url = f"/m/{opened.pool.movement.slug}/commons/pools/{opened.pool_id}/rotation/start/"
    client = login(alice)
    form = client.get(url).context["form"]
    places = {name: field.initial for name, field in form.fields.items()}
    cy = selectors.seat_of(opened, people[2])
    places[f"place_{cy.pk}"] = ""
    response = client.post(url, places)
    assert response.status_code == 200
    assert "missing: Cy" in str(response.context["form"].non_field_errors())
    taken = next(place for name, place in places.items() if name != f"place_{cy.pk}")
    twice = {**places, f"place_{cy.pk}": taken}
    response = client.post(url, twice)
    assert "has this place already" in str(response.context["form"].errors)
    opened.refresh_from_db()
    assert opened.state == "forming" and not opened.rounds.exists()
