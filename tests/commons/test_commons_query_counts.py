"""Commons pages run a fixed number of queries, however long the ledger grows.

Each page is measured in a small commons (10 ledger entries, 5 draw requests, 5 archive
entries, 2 pools) and a large one (1,000 entries, 100 requests, 100 archive entries,
8 pools), and must run exactly the same number of queries in both: the count in
``PAGES``. A page that runs a query per row (an N+1) fails on the large commons, and
pytest-django prints the queries it ran. The lists are paginated 25 to a page, and
the CSV export streams the whole ledger without holding it in memory.

Data is bulk-created (services would take minutes for 1,000 entries), with the same
invariants the services keep: ``balance_after`` runs on from the previous entry,
``Pool.balance`` equals the last one, reversals point at the entry they cancel.
"""

import csv
import io
import math
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from circles.models import Lens
from commons.models import Approval, ArchiveEntry, ArchiveTag, DrawRequest, LedgerEntry, Pool
from commons.views import PAGE_SIZE
from tests.factories import CircleFactory, CircleMembershipFactory, PoolFactory


@dataclass(frozen=True)
class Size:
    name: str
    entries: int
    draws: int
    archive: int
    pools: int


SMALL = Size("small", entries=10, draws=5, archive=5, pools=2)
LARGE = Size("large", entries=1000, draws=100, archive=100, pools=8)
SIZES = [pytest.param(size, id=size.name) for size in (SMALL, LARGE)]


@dataclass
class Commons:
    pool: Pool
    people: list
    circles: list


@pytest.fixture
def people(tidewater, alice, fay, mo, cora, medics):
    kitchen = CircleFactory(movement=tidewater, name="Kitchen", slug="kitchen")
    legal = CircleFactory(movement=tidewater, name="Legal", slug="legal")
    CircleMembershipFactory(circle=kitchen, member=mo, is_convener=True)
    CircleMembershipFactory(circle=kitchen, member=fay)
    CircleMembershipFactory(circle=legal, member=alice, is_convener=True)
    return [alice, fay, mo, cora], [medics, kitchen, legal]


# --- growing the commons fast ---------------------------------------------------------


def fill_ledger(pool, people, circles, count, *, days=60):
    """``count`` entries over the last ``days`` days: contributions and draws from
    everyone, some for a circle, some anonymous, and one in fifty reversed."""
    reversals = max(1, count // 50)
    now = timezone.now()
    start = now - timedelta(days=days)
    step = (now - timedelta(hours=1) - start) / count
    balance = pool.balance
    entries = []
    for n in range(count - reversals):
        is_draw = n % 4 == 3
        amount = Decimal("-15.00") if is_draw else Decimal(10 + n % 3 * 5)
        balance += amount
        member = people[n % len(people)]
        entries.append(
            LedgerEntry(
                pool=pool,
                kind=LedgerEntry.Kind.DRAW if is_draw else LedgerEntry.Kind.CONTRIBUTION,
                amount=amount,
                balance_after=balance,
                recorded_by=member.user,
                circle=circles[n % len(circles)] if n % 5 else None,
                anonymous=not is_draw and n % 7 == 0,
                note=f"Entry {n}, with a comma",
                created_at=start + step * n,
            )
        )
    LedgerEntry.objects.bulk_create(entries)
    assert all(entry.pk for entry in entries), "bulk_create returns primary keys"
    cancelled = [entry for entry in entries if entry.kind == LedgerEntry.Kind.CONTRIBUTION]
    reversing = []
    for n, entry in enumerate(cancelled[:: len(cancelled) // reversals][:reversals]):
        balance -= entry.amount
        reversing.append(
            LedgerEntry(
                pool=pool,
                kind=LedgerEntry.Kind.REVERSAL,
                amount=-entry.amount,
                balance_after=balance,
                recorded_by=people[0].user,
                circle=entry.circle,
                note="Counted twice.",
                reverses=entry,
                created_at=now - timedelta(minutes=30) + timedelta(seconds=n),
            )
        )
    LedgerEntry.objects.bulk_create(reversing)
    assert balance >= 0
    assert len(entries) + len(reversing) == count
    Pool.objects.filter(pk=pool.pk).update(balance=balance)
    pool.balance = balance
    return entries + reversing


def fill_draws(pools, people, circles, count):
    """``count`` requests across the pools, in every state but granted, each with a
    decision or two from other circles."""
    states = [
        DrawRequest.State.PENDING,
        DrawRequest.State.APPROVED,
        DrawRequest.State.DECLINED,
        DrawRequest.State.WITHDRAWN,
    ]
    now = timezone.now()
    draws = DrawRequest.objects.bulk_create(
        DrawRequest(
            pool=pools[n % len(pools)],
            requested_by=people[2].user,  # mo, who sits in the Kitchen
            circle=circles[1],
            amount=Decimal(100 + n),
            purpose=f"Request {n}: bail for the people held after the march.",
            state=states[n % len(states)],
            excluded_circle_ids=[circles[1].pk],
            created_at=now - timedelta(hours=count - n),
            decided_at=None if n % len(states) == 0 else now,
        )
        for n in range(count)
    )
    alice, _, _, cora = people
    medics, _, legal = circles
    decisions = []
    for n, draw in enumerate(draws):
        decisions.append(
            Approval(
                draw_request=draw, member=cora.user, circle=medics, decision="approve", comment=""
            )
        )
        if n % 2:
            decisions.append(
                Approval(
                    draw_request=draw,
                    member=alice.user,
                    circle=legal,
                    decision="decline",
                    comment="Too much this month.",
                )
            )
    Approval.objects.bulk_create(decisions)
    return draws


def fill_archive(movement, people, circles, count, *, days=60):
    """``count`` entries by everyone over the last ``days`` days, two tags each."""
    now = timezone.now()
    tags = ArchiveTag.objects.bulk_create(
        ArchiveTag(movement=movement, name=name)
        for name in ("bail", "court support", "outreach", "phone tree", "training", "food")
    )
    lenses = ["", *Lens.values]
    entries = ArchiveEntry.objects.bulk_create(
        ArchiveEntry(
            movement=movement,
            title=f"Lesson {n}",
            body=f"What we learned the {n}th time, in **Markdown**.",
            lens=lenses[n % len(lenses)],
            circle=circles[n % len(circles)] if n % 3 else None,
            author=people[n % len(people)].user,
            created_at=now - timedelta(days=days) + timedelta(hours=n),
            updated_at=now - timedelta(days=days * n // count),
        )
        for n in range(count)
    )
    Through = ArchiveEntry.tags.through
    Through.objects.bulk_create(
        Through(archiveentry=entry, archivetag=tag)
        for n, entry in enumerate(entries)
        for tag in (tags[n % len(tags)], tags[(n + 1) % len(tags)])
    )
    return entries


@pytest.fixture
def grow(tidewater, alice, people):
    members, circles = people

    def _grow(size):
        pools = [
            PoolFactory(movement=tidewater, name=name)
            for name in ["Bail Fund", *(f"Pool {n}" for n in range(size.pools - 1))]
        ]
        bail_fund = pools[0]
        fill_ledger(bail_fund, members, circles, size.entries)
        fill_draws(pools, members, circles, size.draws)
        fill_archive(tidewater, members, circles, size.archive)
        return Commons(pool=bail_fund, people=members, circles=circles)

    return _grow


# --- the same number of queries, small or large ------------------------------------------

# page name, URL name, takes the pool id, queries measured (the same for both sizes),
# the session with its user being one of them
PAGES = [
    ("pool-list", "commons:pools", False, 4),
    ("pool-ledger", "commons:pool", True, 11),
    ("draw-queue", "commons:draws", False, 6),
    ("fairness", "commons:fairness", True, 6),
    ("archive-list", "commons:archive", False, 8),
    ("ledger-csv", "commons:ledger_csv", True, 4),
]


def page_url(commons, url_name, takes_pool):
    kwargs = {"movement_slug": "tidewater"}
    if takes_pool:
        kwargs["pool_id"] = commons.pool.pk
    return reverse(url_name, kwargs=kwargs)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    ("url_name", "takes_pool", "queries"),
    [pytest.param(url_name, pool, queries, id=page) for page, url_name, pool, queries in PAGES],
)
def test_page_queries_do_not_grow_with_the_commons(
    url_name, takes_pool, queries, size, grow, alice, login, django_assert_num_queries
):
    commons = grow(size)
    client = login(alice)
    url = page_url(commons, url_name, takes_pool)

    with django_assert_num_queries(queries):
        response = client.get(url)
        # A streamed response runs its queries while it is read: read it inside.
        body = b"".join(response.streaming_content) if response.streaming else response.content

    assert response.status_code == 200
    assert body


# --- pagination ------------------------------------------------------------------------


PAGINATED = [
    ("draw-queue", "commons:draws", False, lambda c: DrawRequest.objects.all()),
    ("archive-list", "commons:archive", False, lambda c: ArchiveEntry.objects.all()),
]
PAGINATED_PARAMS = [
    pytest.param(url_name, pool, rows, id=page) for page, url_name, pool, rows in PAGINATED
]


@pytest.mark.parametrize(("url_name", "takes_pool", "rows"), PAGINATED_PARAMS)
def test_long_lists_show_25_to_a_page(url_name, takes_pool, rows, grow, alice, login):
    commons = grow(LARGE)
    client = login(alice)
    url = page_url(commons, url_name, takes_pool)
    total = rows(commons).count()

    first = client.get(url).context["page"]
    second = client.get(url, {"page": 2}).context["page"]

    assert first.paginator.per_page == PAGE_SIZE == 25
    assert first.paginator.num_pages == math.ceil(total / 25)
    assert len(first.object_list) == len(second.object_list) == 25
    assert not {row.pk for row in first} & {row.pk for row in second}


@pytest.mark.parametrize(("url_name", "takes_pool", "rows"), PAGINATED_PARAMS)
def test_long_lists_link_to_the_next_page(url_name, takes_pool, rows, grow, alice, login):
    commons = grow(LARGE)
    client = login(alice)
    total_pages = math.ceil(rows(commons).count() / 25)

    body = client.get(page_url(commons, url_name, takes_pool)).content.decode()

    assert f"Page 1 of {total_pages}" in body
    assert 'rel="next" href="?page=2"' in body


@pytest.mark.parametrize(("url_name", "takes_pool", "rows"), PAGINATED_PARAMS)
def test_short_lists_fit_on_one_page(url_name, takes_pool, rows, grow, alice, login):
    commons = grow(SMALL)
    client = login(alice)

    response = client.get(page_url(commons, url_name, takes_pool))

    assert len(response.context["page"].object_list) == rows(commons).count()
    assert 'class="pagination"' not in response.content.decode()


def test_the_ledger_walks_older_and_newer_25_at_a_time(grow, alice, login):
    commons = grow(LARGE)
    client = login(alice)
    url = page_url(commons, "commons:pool", True)
    first = client.get(url)
    assert 'rel="next" href="?older=' in first.content.decode()
    assert 'rel="prev"' not in first.content.decode()
    first = first.context["page"]
    second = client.get(url, {"older": first.older}).context["page"]
    assert len(first) == len(second) == PAGE_SIZE
    assert not {row.pk for row in first} & {row.pk for row in second}
    assert [row.pk for row in client.get(url, {"newer": second.newer}).context["page"]] == [
        row.pk for row in first
    ]


def test_the_ledger_page_shows_the_newest_entries_first(grow, alice, login):
    commons = grow(LARGE)
    client = login(alice)

    page = client.get(page_url(commons, "commons:pool", True)).context["page"]

    newest = LedgerEntry.objects.filter(pool=commons.pool).order_by("-created_at", "-id")[:25]
    assert [entry.pk for entry in page] == [entry.pk for entry in newest]


# --- the CSV export streams ---------------------------------------------------------------


def test_the_ledger_csv_streams_every_entry(grow, alice, login):
    commons = grow(LARGE)
    alice.movement.time_zone = "Europe/Paris"
    alice.movement.save()
    client = login(alice)
    url = page_url(commons, "commons:ledger_csv", True)

    with CaptureQueriesContext(connection) as before_reading:
        response = client.get(url)
    with CaptureQueriesContext(connection) as while_reading:
        text = b"".join(response.streaming_content).decode()

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert not any("commons_ledgerentry" in q["sql"] for q in before_reading.captured_queries)
    assert any("commons_ledgerentry" in q["sql"] for q in while_reading.captured_queries)

    header, *rows = list(csv.reader(io.StringIO(text)))
    ledger = LedgerEntry.objects.filter(pool=commons.pool).order_by("created_at", "id")
    assert header[:5] == ["entry", "recorded at", "kind", "amount", "balance after"]
    assert len(rows) == 1000 == ledger.count()
    assert [int(row[0]) for row in rows] == list(ledger.values_list("id", flat=True))
    assert Decimal(rows[-1][4]) == Pool.objects.get(pk=commons.pool.pk).balance
    # ISO 8601 with the movement's own offset: Paris, +01:00 or +02:00.
    first = ledger.first().created_at
    assert rows[0][1] == first.astimezone(ZoneInfo("Europe/Paris")).isoformat()
    assert rows[0][1].endswith(("+01:00", "+02:00"))
