from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from commons import selectors, services
from commons.models import Pool


@pytest.mark.django_db
def test_an_organizer_opens_a_money_pool_with_the_currency_precision(login, alice):
    response = login(alice).post(
        reverse("commons:pool_create", kwargs={"movement_slug": "tidewater"}),
        {
            "name": "Bail Fund",
            "kind": "money",
            "currency": "jpy",
            "purpose": "Bail.",
            "instant_limit": "5000",
            "approvals_required": "2",
        },
    )
    pool = Pool.objects.get()
    assert response.status_code == 302
    assert (pool.currency, pool.decimal_places, pool.instant_limit) == ("JPY", 0, 5000)


@pytest.mark.django_db
def test_items_pools_count_whole_units(alice):
    pool = services.create_pool(
        by=alice, name="Tents", kind="items", unit="tents", purpose="Shelter", instant_limit=2
    )
    with pytest.raises(ValidationError):
        services.contribute(by=alice, pool=pool, amount=Decimal("1.5"))


@pytest.mark.django_db
def test_the_policy_is_shown_in_plain_words(login, mo, bail_fund):
    html = login(mo).get(bail_fund.get_absolute_url()).content.decode()
    assert "Any member can draw up to €50.00 at once." in html
    assert "members of 2 circles other than the requester's own" in html


@pytest.mark.django_db
def test_anonymous_contributions_hide_the_contributor_from_others(login, mo, alice, bail_fund):
    services.contribute(by=mo, pool=bail_fund, amount=Decimal("20"), anonymous=True)
    others_see = login(alice).get(bail_fund.get_absolute_url()).content.decode()
    assert "anonymous" in others_see
    assert "Mo" not in others_see.split('id="ledger-heading"')[1]
    own_view = login(mo).get(bail_fund.get_absolute_url()).content.decode()
    assert "Mo (anonymous to others)" in own_view
    # The ledger still knows who.
    assert bail_fund.entries.get().recorded_by == mo.user


@pytest.mark.django_db
def test_reversal_is_a_new_entry_never_an_edit(alice, funded):
    original = funded.entries.get()
    reversal = services.reverse_entry(by=alice, entry=original, reason="Entered twice")
    original.refresh_from_db()
    funded.refresh_from_db()
    assert original.amount == Decimal("300")
    assert reversal.amount == Decimal("-300")
    assert reversal.reverses == original
    assert funded.balance == 0


@pytest.mark.django_db
def test_fairness_shows_each_circle_net_of_reversals(alice, funded, tidewater):
    from tests.commons.conftest import seat
    from tests.factories import CircleFactory

    food = CircleFactory(movement=tidewater, name="Food")
    seat(food, alice)
    mistaken = services.contribute(by=alice, pool=funded, amount=Decimal("40"), circle=food)
    services.contribute(by=alice, pool=funded, amount=Decimal("10"), circle=food)
    services.reverse_entry(by=alice, entry=mistaken, reason="Typo")
    services.request_draw(by=alice, pool=funded, amount=Decimal("25"), purpose="Fees", circle=food)
    from django.utils import timezone

    rows = {
        row["circle__name"]: row
        for row in selectors.fairness(
            funded,
            start=timezone.now() - timezone.timedelta(days=1),
            end=timezone.now() + timezone.timedelta(days=1),
        )
    }
    assert rows["Food"]["contributed"] == Decimal("10")
    assert rows["Food"]["drawn"] == Decimal("25")
    assert rows[None]["contributed"] == Decimal("300")


@pytest.mark.django_db
def test_balance_series_has_one_point_per_day_with_the_same_numbers(alice, funded):
    services.contribute(by=alice, pool=funded, amount=Decimal("25"))
    series = selectors.balance_series(funded)
    assert series[0][1] == 0
    assert series[-1][1] == Decimal("325")


@pytest.mark.django_db
def test_organizers_get_a_reverse_link_once_per_entry(login, alice, mo, funded):
    entry = funded.entries.get()
    link = reverse(
        "commons:entry_reverse",
        kwargs={"movement_slug": "tidewater", "pool_id": funded.pk, "entry_id": entry.pk},
    )
    assert link in login(alice).get(funded.get_absolute_url()).content.decode()
    assert link not in login(mo).get(funded.get_absolute_url()).content.decode()
    services.reverse_entry(by=alice, entry=entry, reason="Typo")
    assert link not in login(alice).get(funded.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_an_organizer_changes_the_policy_on_the_record(login, alice, bail_fund):
    url = reverse(
        "commons:pool_edit", kwargs={"movement_slug": "tidewater", "pool_id": bail_fund.pk}
    )
    response = login(alice).post(
        url, {"purpose": "Bail and fees.", "instant_limit": "25", "approvals_required": "3"}
    )
    bail_fund.refresh_from_db()
    assert response.status_code == 302
    assert (bail_fund.instant_limit, bail_fund.approvals_required) == (Decimal("25"), 3)
    event = bail_fund.movement.audit_events.get(verb="pool.policy_changed")
    assert event.data["previous"] == {"instant_limit": "50.0000", "approvals_required": 2}


@pytest.mark.django_db
def test_a_policy_limit_finer_than_the_pool_counts_is_refused(login, alice, bail_fund):
    url = reverse(
        "commons:pool_edit", kwargs={"movement_slug": "tidewater", "pool_id": bail_fund.pk}
    )
    response = login(alice).post(
        url, {"purpose": "Bail.", "instant_limit": "2.345", "approvals_required": "2"}
    )
    assert response.status_code == 200
    assert "instant_limit" in response.context["form"].errors
    bail_fund.refresh_from_db()
    assert bail_fund.instant_limit == Decimal("50")


@pytest.mark.django_db
def test_the_balance_series_ends_on_today_where_the_movement_lives(alice, funded):
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    # 03:00 UTC on 1 December is still 30 November in New York.
    late = datetime(2026, 12, 1, 3, tzinfo=UTC)
    with timezone.override(ZoneInfo("America/New_York")):
        series = selectors.balance_series(funded, now=late)
    assert series[-1][0].isoformat() == "2026-11-30"
