"""The in-process half of `make bench` for one size: ``python -m bench.pages OUT.json``.

Run by bench/load.py with the size's database in ``DATABASE_URL`` and production settings.
It finds one URL per route, filled with real objects from the database (the biggest first:
the largest circle, the pool with the most entries), and the first caller who gets a 200
on GET: the member, else the organizer, else the convener. For each page it counts the SQL
queries of one request (after a warm one), its size, and its time (median of three), with
Django's test Client as the same user. It also times ``reconcile_commons`` and the CSV
export of the largest pool (time, and peak memory under tracemalloc), and runs one timer
sweep, as beat would, so ``/healthz`` is healthy. Everything goes to OUT.json for bench/load.py.
"""

import io
import itertools
import json
import logging
import re
import statistics
import sys
import time
import tracemalloc

import django

# The demo movement's people (README.md), one per kind of caller, in the order tried.
CALLERS = {
    "member": "gus@demo.constellation.test",
    "organizer": "amara@demo.constellation.test",
    "convener": "emeka@demo.constellation.test",  # convenes Community Food Distribution
}
MOVEMENT_NAME = "Tidewater Constellation"
SKIPPED_PREFIXES = ("admin/", "accounts/")  # Django's admin and allauth: not our pages
FLOOR_ANONYMOUS = "floor: anonymous"
FLOOR_LOGGED_IN = "floor: logged in"


def main(out_path):
    django.setup()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # probes meet 403s and 405s
    from django.conf import settings

    notes, skipped = [], []
    world = demo_world()
    clients = logged_in_clients(world["users"])
    notes.append(time_reconcile())
    notes.append(time_csv_export(world, clients))
    notes.append(sweep_timers_as_beat_would())
    pages = floor_pages() + find_pages(world, clients, skipped)
    print(f"counting the queries of {len(pages)} pages in-process", flush=True)
    measure_in_process(pages, clients)
    with open(out_path, "w") as out:
        json.dump(
            {
                "notes": notes,
                "pages": pages,
                "skipped": skipped,
                "session_cookie": settings.SESSION_COOKIE_NAME,
                "callers": CALLERS,
            },
            out,
            indent=1,
        )


# --- real objects to fill URLs with -------------------------------------------------------


def demo_world():
    """The demo movement, the callers' users, and candidate values for every URL argument."""
    from django.db.models import Count
    from django.utils import timezone

    from circles.models import Circle, CircleMembership
    from commons.models import ArchiveEntry, DrawRequest, LedgerEntry, Pool
    from movement.models import Invitation, Membership, User
    from rituals.models import Gathering
    from rituals.services import convergence

    users = {caller: User.objects.get(email=email) for caller, email in CALLERS.items()}
    movement = Membership.objects.get(
        user=users["organizer"], movement__name=MOVEMENT_NAME
    ).movement
    member = Membership.objects.get(movement=movement, user=users["member"])
    convener = Membership.objects.get(movement=movement, user=users["convener"])
    now = timezone.now()

    largest_circle = (
        Circle.objects.filter(movement=movement)
        .annotate(seats=Count("circle_memberships"))
        .order_by("-seats", "pk")
        .first()
    )
    convened = Circle.objects.filter(
        circle_memberships__member=convener, circle_memberships__is_convener=True
    ).first()
    circles = unique([largest_circle, convened])
    largest_pool = (
        Pool.objects.filter(movement=movement)
        .annotate(entries_count=Count("entries"))
        .order_by("-entries_count", "pk")
        .first()
    )
    gatherings = unique(
        [
            # the latest that has started (the large seed's have reports and decisions),
            # then the next one (only a gathering yet to start can be edited)
            Gathering.objects.filter(movement=movement, starts_at__lte=now)
            .order_by("-starts_at")
            .first(),
            Gathering.objects.filter(movement=movement, starts_at__gt=now)
            .order_by("starts_at")
            .first(),
        ]
    )
    invitations = Invitation.objects.filter(movement=movement).order_by("-pk")
    values = {
        "movement_slug": [movement.slug],
        "circle_slug": [c.slug for c in circles],
        "pool_id": [largest_pool.pk] if largest_pool else [],
        "gathering_id": [g.pk for g in gatherings],
        "draw_id": first_id(DrawRequest.objects.filter(pool__movement=movement).order_by("-pk")),
        "member_id": [member.pk],
        "invitation_id": first_id(invitations),
        "seat_id": first_id(CircleMembership.objects.filter(circle__in=circles).order_by("pk")),
        "ledger_entry_id": first_id(LedgerEntry.objects.filter(pool=largest_pool).order_by("-pk")),
        "archive_entry_id": first_id(
            ArchiveEntry.objects.filter(movement=movement).order_by("-pk")
        ),
        "invitation_token": list(invitations.values_list("token", flat=True)[:1]),
        "calendar_token": [convergence.calendar_feed_for(users["member"]).token],
        "action": ["start"],
    }
    return {"users": users, "movement": movement, "largest_pool": largest_pool, "values": values}


def unique(objects):
    seen, kept = set(), []
    for obj in objects:
        if obj is not None and obj.pk not in seen:
            seen.add(obj.pk)
            kept.append(obj)
    return kept


def first_id(queryset):
    return list(queryset.values_list("pk", flat=True)[:1])


def values_key(argument, route_name):
    """Which candidate list fills ``argument`` of route ``route_name``."""
    if argument == "entry_id":
        return "archive_entry_id" if "archive" in route_name else "ledger_entry_id"
    if argument == "token":
        return "calendar_token" if route_name == "calendar_feed" else "invitation_token"
    return argument


# --- the pages ----------------------------------------------------------------------------


def named_routes(patterns=None, prefix="", namespace=""):
    """(qualified name, route) of every named URL; admin, allauth and the floors aside."""
    from django.urls import URLResolver, get_resolver

    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith(SKIPPED_PREFIXES):
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_routes(entry.url_patterns, route, inner)
        elif entry.name and not entry.name.startswith("bench_"):
            yield namespace + entry.name, route


def logged_in_clients(users):
    from django.test import Client

    clients = {"anonymous": Client(HTTP_HOST="127.0.0.1")}
    for caller, user in users.items():
        clients[caller] = Client(HTTP_HOST="127.0.0.1")
        clients[caller].force_login(user)
    return clients


def page(label, url, caller, expect=200):
    return {"label": label, "url": url, "caller": caller, "expect": expect}


def floor_pages():
    from django.urls import reverse

    return [
        page(FLOOR_ANONYMOUS, reverse("bench_floor_anonymous"), "anonymous"),
        page(FLOOR_LOGGED_IN, reverse("bench_floor_logged_in"), "member"),
    ]


def find_pages(world, clients, skipped):
    """One URL per route: the first caller and objects that get a 200 on GET."""
    from django.urls import reverse

    pages = []
    for name, route in named_routes():
        arguments = re.findall(r"<(?:\w+:)?(\w+)>", route)
        choices = [world["values"].get(values_key(a, name), []) for a in arguments]
        missing = [a for a, c in zip(arguments, choices, strict=True) if not c]
        if missing:
            skipped.append([name, f"no {', '.join(missing)} in the database"])
            continue
        found, answers = None, {}
        for caller in CALLERS:
            for combination in itertools.product(*choices):
                url = reverse(name, kwargs=dict(zip(arguments, combination, strict=True)))
                status = clients[caller].get(url).status_code
                answers.setdefault(status, caller)
                if status == 200:
                    found = page(name, url, caller)
                    break
            if found:
                break
        if found:
            pages.append(found)
            pages.extend(live_poll_variant(found))
        else:
            statuses = ", ".join(f"{s} ({who} first)" for s, who in sorted(answers.items()))
            skipped.append([name, f"GET never 200: {statuses}"])
    return pages


def live_poll_variant(live):
    """The live panel's poll when nothing changed (204): the issue's 0.8x target."""
    from rituals.models import Gathering

    if live["label"] != "rituals:live":
        return []
    gathering_id = int(re.search(r"/gatherings/(\d+)/", live["url"]).group(1))
    version = Gathering.objects.get(pk=gathering_id).version
    return [page("rituals:live, unchanged", f"{live['url']}?v={version}", live["caller"], 204)]


def measure_in_process(pages, clients, times=3):
    """One warm request each, then three measured: the queries and body size of the
    first, the median time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for each in pages:
        client = clients[each["caller"]]
        client.get(each["url"])
        seconds = []
        for _ in range(times):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                size, _lines = consume(client.get(each["url"]))
                seconds.append(time.perf_counter() - started)
                query_count = len(queries.captured_queries)
            each.setdefault("queries", query_count)
            each.setdefault("size", size)
        each["ms"] = statistics.median(seconds) * 1000


def consume(response):
    """Bytes and lines of a response's body, streamed or not."""
    size = lines = 0
    for chunk in response.streaming_content if response.streaming else [response.content]:
        size += len(chunk)
        lines += chunk.count(b"\n")
    return size, lines


# --- other figures ------------------------------------------------------------------------


def time_reconcile():
    from django.core.management import call_command
    from django.core.management.base import CommandError

    started = time.perf_counter()
    try:
        call_command("reconcile_commons", stdout=io.StringIO())
        outcome = "all pools reconcile"
    except CommandError as error:
        outcome = f"FAILED: {error}"
    return f"reconcile_commons: {time.perf_counter() - started:.2f} s ({outcome})"


def time_csv_export(world, clients):
    """The largest pool's CSV as the organizer: once timed, once under tracemalloc."""
    from django.urls import reverse

    pool = world["largest_pool"]
    if pool is None:
        return "CSV export: no pool"
    url = reverse(
        "commons:ledger_csv", kwargs={"movement_slug": world["movement"].slug, "pool_id": pool.pk}
    )
    started = time.perf_counter()
    size, lines = consume(clients["organizer"].get(url))
    seconds = time.perf_counter() - started
    tracemalloc.start()
    consume(clients["organizer"].get(url))
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return (
        f"CSV export of the largest pool ({pool.name}, {lines - 1:,} rows, {size / 1e6:.1f} MB):"
        f" {seconds:.2f} s, peak Python memory {peak / 1e6:.1f} MB (tracemalloc)"
    )


def sweep_timers_as_beat_would():
    """/healthz is healthy only after a recent sweep; beat runs one every minute."""
    from rituals import timers

    started = time.perf_counter()
    fired = timers.sweep()
    return (
        f"a timer sweep, as beat would (so /healthz is healthy): {fired:,} fired in "
        f"{time.perf_counter() - started:.2f} s"
    )


if __name__ == "__main__":
    main(sys.argv[1])
