"""The balance chart and the fairness table are kept in memory under the pool's newest
entry: the next visit skips their queries, and any new entry (or a new day) computes them
afresh, so they are never stale."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commons import selectors, services


def _queries(call):
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return result, len(captured.captured_queries)


@pytest.mark.django_db
def test_the_second_look_reads_one_small_query(funded):
    first, cold = _queries(lambda: selectors.chart_series(funded))
    again, warm = _queries(lambda: selectors.chart_series(funded))
    assert again == first
    assert (cold, warm) == (3, 1)


@pytest.mark.django_db
def test_a_new_entry_draws_the_chart_afresh(funded, alice):
    before = selectors.chart_series(funded)
    services.contribute(by=alice, pool=funded, amount=Decimal("50"))
    after = selectors.chart_series(funded)
    assert after[-1][1] == before[-1][1] + 50


@pytest.mark.django_db
def test_the_fairness_table_is_kept_until_the_ledger_moves(funded, alice, food):
    start, end = funded.created_at - timedelta(days=1), funded.created_at + timedelta(days=1)
    first, cold = _queries(lambda: selectors.fairness_rows(funded, start=start, end=end))
    again, warm = _queries(lambda: selectors.fairness_rows(funded, start=start, end=end))
    assert (again, warm) == (first, 1)
    services.contribute(by=alice, pool=funded, amount=Decimal("5"))
    moved = selectors.fairness_rows(funded, start=start, end=end + timedelta(days=1))
    assert sum(row["contributed"] for row in moved) == sum(row["contributed"] for row in first) + 5
