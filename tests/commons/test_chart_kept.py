"""The balance chart is kept in memory under the pool's newest entry: the next visit skips
its queries, and any new entry (or a new day) draws it afresh, so it is never stale."""

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
