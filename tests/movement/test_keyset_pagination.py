"""Keyset pages: every row once walking older, the same page back walking newer, the same
number of queries on any page, and a cursor that does not parse is the first page."""

import base64
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from movement.models import AuditEvent
from movement.pagination import keyset_page

ORDER = ("-created_at", "-id")


@pytest.fixture
def trail(tidewater, alice):
    AuditEvent.objects.bulk_create(
        AuditEvent(movement=tidewater, actor=alice.user, verb="circle.created", target=str(n))
        for n in range(60)
    )
    return AuditEvent.objects.filter(movement=tidewater)


def pages(queryset):
    older, seen = None, []
    while True:
        page = keyset_page(queryset, ordering=ORDER, older=older, size=25)
        seen.append(page)
        older = page.older
        if not older:
            return seen


@pytest.mark.django_db
def test_walking_older_reads_every_row_once_in_order(trail):
    walked = [event.pk for page in pages(trail) for event in page]
    assert walked == list(trail.order_by(*ORDER).values_list("pk", flat=True))
    assert [len(page) for page in pages(trail)] == [25, 25, 10]


@pytest.mark.django_db
def test_walking_newer_comes_back_to_the_same_page(trail):
    first, second, third = pages(trail)
    back = keyset_page(trail, ordering=ORDER, newer=third.newer, size=25)
    assert [e.pk for e in back] == [e.pk for e in second]
    assert back.newer and back.older
    assert keyset_page(trail, ordering=ORDER, newer=second.newer, size=25).newer is None


@pytest.mark.django_db
def test_a_deep_page_costs_what_the_first_costs(trail):
    last_cursor = pages(trail)[-2].older
    with CaptureQueriesContext(connection) as first:
        keyset_page(trail, ordering=ORDER, size=25)
    with CaptureQueriesContext(connection) as deep:
        keyset_page(trail, ordering=ORDER, older=last_cursor, size=25)
    assert len(first.captured_queries) == len(deep.captured_queries) == 1
    assert "OFFSET" not in deep.captured_queries[0]["sql"].upper()


def _cursor(values):
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cursor",
    [
        "not base64!",
        "²",
        "\x00",
        "9" * 10_000,
        _cursor(["yesterday", 1]),
        _cursor([1]),
        _cursor({"a": 1}),
        _cursor(["2026-11-30T12:00:00+00:00", "x"]),
    ],
)
def test_a_cursor_that_does_not_parse_is_the_first_page(trail, cursor):
    first = keyset_page(trail, ordering=ORDER, size=25)
    assert [e.pk for e in keyset_page(trail, ordering=ORDER, older=cursor, size=25)] == [
        e.pk for e in first
    ]
