"""The ledger is append-only: the database refuses to rewrite history, and a mistake is
answered by a reversal, a new entry pointing at the one it cancels.

The database-level tests need PostgreSQL (pgtrigger's ``Protect`` and the real check
constraint); they skip locally on SQLite and fail in CI without it. Reversals go
through the services and run on both.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from commons import services
from commons.models import LedgerEntry, Pool
from movement.models import AuditEvent

# pgtrigger raises a plain PL/pgSQL exception (psycopg reports it as a ProgrammingError).
REFUSED_BY_TRIGGER = "Cannot update or delete rows from commons_ledgerentry"


@pytest.fixture
def contribution(fund, alice):
    return services.contribute(by=alice, pool=fund, amount=Decimal("50"), note="Bake sale")


def stored(entry):
    """Every column of the entry's row as the database holds it now."""
    return LedgerEntry.objects.filter(pk=entry.pk).values().get()


def balance_of(pool):
    return Pool.objects.values_list("balance", flat=True).get(pk=pool.pk)


# --- the database refuses to rewrite entries (PostgreSQL) ---------------------------------


def test_raw_sql_update_of_an_entry_is_refused(postgres, contribution):
    before = stored(contribution)

    with (
        pytest.raises(DatabaseError, match=REFUSED_BY_TRIGGER),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE commons_ledgerentry SET amount = 5000, note = 'rewritten' WHERE id = %s",
            [contribution.pk],
        )

    assert stored(contribution) == before


def test_raw_sql_delete_of_an_entry_is_refused(postgres, contribution):
    before = stored(contribution)

    with (
        pytest.raises(DatabaseError, match=REFUSED_BY_TRIGGER),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM commons_ledgerentry WHERE id = %s", [contribution.pk])

    assert stored(contribution) == before


def test_orm_save_of_an_existing_entry_is_refused(postgres, contribution):
    before = stored(contribution)
    contribution.amount = Decimal("5000")
    contribution.note = "rewritten"

    with pytest.raises(DatabaseError, match=REFUSED_BY_TRIGGER), transaction.atomic():
        contribution.save()

    assert stored(contribution) == before


def test_orm_queryset_update_of_entries_is_refused(postgres, contribution):
    before = stored(contribution)

    with pytest.raises(DatabaseError, match=REFUSED_BY_TRIGGER), transaction.atomic():
        LedgerEntry.objects.filter(pool=contribution.pool).update(note="rewritten")

    assert stored(contribution) == before


def test_orm_delete_of_an_entry_is_refused(postgres, contribution):
    before = stored(contribution)

    with pytest.raises(DatabaseError, match=REFUSED_BY_TRIGGER), transaction.atomic():
        contribution.delete()

    assert stored(contribution) == before


def test_the_check_constraint_refuses_a_negative_balance_in_raw_sql(postgres, fund, contribution):
    with (
        pytest.raises(IntegrityError, match="pool_balance_not_negative"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE commons_pool SET balance = -0.01 WHERE id = %s", [fund.pk])

    assert balance_of(fund) == Decimal("50")


def test_the_check_constraint_lets_a_pool_that_allows_it_go_negative(postgres, fund):
    Pool.objects.filter(pk=fund.pk).update(allow_negative=True)

    with connection.cursor() as cursor:
        cursor.execute("UPDATE commons_pool SET balance = -10 WHERE id = %s", [fund.pk])

    assert balance_of(fund) == Decimal("-10")


def test_the_check_constraint_also_holds_against_the_orm(db, fund, contribution):
    # SQLite enforces CHECK constraints too: this one runs on both databases.
    with pytest.raises(IntegrityError), transaction.atomic():
        Pool.objects.filter(pk=fund.pk).update(balance=Decimal("-1"))

    assert balance_of(fund) == Decimal("50")


# --- reversals --------------------------------------------------------------------------


def test_a_reversal_is_a_new_opposite_entry_pointing_at_the_original(fund, contribution, alice):
    before = stored(contribution)

    reversal = services.reverse_entry(by=alice, entry=contribution, reason="Counted twice")

    assert reversal.pk != contribution.pk
    assert reversal.kind == LedgerEntry.Kind.REVERSAL
    assert reversal.amount == Decimal("-50")
    assert reversal.reverses_id == contribution.pk
    assert reversal.note == "Counted twice"
    assert reversal.recorded_by == alice.user
    assert reversal.balance_after == Decimal("0")
    assert balance_of(fund) == Decimal("0")
    assert stored(contribution) == before
    assert LedgerEntry.objects.get(pk=contribution.pk).reversed_by == reversal


def test_reversing_a_draw_gives_the_amount_back(fund, contribution, alice, mo):
    draw = services.request_draw(by=mo, pool=fund, amount=Decimal("30"), purpose="Bail for Sam")
    draw_entry = draw.entry

    reversal = services.reverse_entry(by=alice, entry=draw_entry, reason="Sam was released")

    assert reversal.amount == Decimal("30")
    assert reversal.reverses == draw_entry
    assert balance_of(fund) == Decimal("50")
    assert stored(draw_entry)["amount"] == Decimal("-30")


def test_an_entry_is_reversed_only_once(fund, contribution, alice):
    services.reverse_entry(by=alice, entry=contribution, reason="Counted twice")
    services.contribute(by=alice, pool=fund, amount=Decimal("80"))

    with pytest.raises(ValidationError) as refused:
        services.reverse_entry(by=alice, entry=contribution, reason="Again")

    assert refused.value.messages == ["This entry has already been reversed."]
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REVERSAL).count() == 1
    assert balance_of(fund) == Decimal("80")


def test_a_reversal_cannot_itself_be_reversed(fund, contribution, alice):
    reversal = services.reverse_entry(by=alice, entry=contribution, reason="Counted twice")

    with pytest.raises(ValidationError) as refused:
        services.reverse_entry(by=alice, entry=reversal, reason="Undo the undo")

    assert refused.value.messages == ["A reversal cannot itself be reversed."]
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REVERSAL).count() == 1
    assert balance_of(fund) == Decimal("0")


def test_reversing_a_contribution_already_drawn_on_is_refused(fund, contribution, alice, mo):
    services.request_draw(by=mo, pool=fund, amount=Decimal("30"), purpose="Bail for Sam")
    entries_before = list(LedgerEntry.objects.order_by("pk").values())
    events_before = AuditEvent.objects.count()

    with pytest.raises(ValidationError) as refused:
        services.reverse_entry(by=alice, entry=contribution, reason="Bounced cheque")

    assert refused.value.message_dict == {
        "reason": ["Reversing this would take the pool below zero (it holds €20.00)."]
    }
    assert balance_of(fund) == Decimal("20")
    assert list(LedgerEntry.objects.order_by("pk").values()) == entries_before
    assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_a_reversal_needs_a_reason(fund, contribution, alice, reason):
    with pytest.raises(ValidationError) as refused:
        services.reverse_entry(by=alice, entry=contribution, reason=reason)

    assert refused.value.message_dict == {"reason": ["Say why this entry is reversed."]}
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REVERSAL).exists()
    assert balance_of(fund) == Decimal("50")
