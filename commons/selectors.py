"""Reads for the commons: every page runs a fixed number of queries."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core.cache import caches
from django.db.models import Count, Exists, Max, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404
from django.utils import timezone

from circles.models import Circle
from circles.selectors import circle_ids_of
from commons import deadlines
from commons.models import (
    Approval,
    ArchiveEntry,
    Booking,
    DrawRequest,
    EarlierVote,
    LedgerEntry,
    Pledge,
    PledgeGift,
    Pool,
    Resource,
    Rotation,
    RotationRound,
    RotationSeat,
    RoundShare,
)
from movement.pagination import keyset_page

Kind = LedgerEntry.Kind


def pools_of(movement):
    return (
        Pool.objects.for_movement(movement)
        .select_related("movement")
        .annotate(
            open_requests=Count(
                "draw_requests", filter=Q(draw_requests__state__in=DrawRequest.OPEN_STATES)
            )
        )
    )


def pool_or_404(*, membership, pool_id):
    return get_object_or_404(
        Pool.objects.select_related("movement"), pk=pool_id, movement=membership.movement
    )


LEDGER_ORDER = ("-created_at", "-id")  # served by the index entry_pool_time


def ledger_page(pool, *, older=None, newer=None):
    """One keyset page of the pool's ledger, newest first, each entry knowing whether it
    was reversed: a fixed number of queries on page 1 or page 8,000, and nothing read from
    other pools' ledgers."""
    page = keyset_page(
        LedgerEntry.objects.filter(pool=pool).select_related("recorded_by", "circle", "reverses"),
        ordering=LEDGER_ORDER,
        older=older,
        newer=newer,
    )
    _mark_reversed(page.object_list)
    return page


def _mark_reversed(entries):
    reversed_ids = set(
        LedgerEntry.objects.filter(reverses__in=[entry.pk for entry in entries]).values_list(
            "reverses_id", flat=True
        )
    )
    for entry in entries:
        entry.is_reversed = entry.pk in reversed_ids


def entry_or_404(*, pool, entry_id):
    entry = get_object_or_404(
        LedgerEntry.objects.select_related("recorded_by", "circle"), pk=entry_id, pool=pool
    )
    _mark_reversed([entry])
    return entry


def _newest_entry_id(pool):
    return (
        LedgerEntry.objects.filter(pool=pool)
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)
        .first()
    )


def _kept(key, compute):
    """``compute()``, kept in this process's memory under ``key``. Keys name what the value
    is derived from (a pool's newest entry, the day), so a kept value is never stale: a new
    entry or a new day makes a new key."""
    value = caches["pages"].get(key)
    if value is None:
        value = compute()
        caches["pages"].set(key, value, timeout=24 * 60 * 60)
    return value


def chart_series(pool, *, now=None):
    """``balance_series`` for the pool page, kept under the pool's newest entry and today's
    date: on a busy pool it spares the page its costliest query."""
    now = now or timezone.now()
    key = f"balance-series:{pool.pk}:{_newest_entry_id(pool)}:{now.date().isoformat()}"
    return _kept(key, lambda: balance_series(pool, now=now))


def fairness_rows(pool, *, start, end):
    """``fairness`` as a list, kept under the pool's newest entry and the period."""
    key = f"fairness:{pool.pk}:{_newest_entry_id(pool)}:{start.isoformat()}:{end.isoformat()}"
    return _kept(key, lambda: list(fairness(pool, start=start, end=end)))


def balance_series(pool, *, days=90, now=None):
    """Closing balance per day over the last ``days`` days, with the opening balance:
    [(date, balance), …]. Two queries, however many entries."""
    now = now or timezone.now()
    start = now - timedelta(days=days)
    before = (
        LedgerEntry.objects.filter(pool=pool, created_at__lt=start)
        .order_by("-created_at", "-id")
        .values_list("balance_after", flat=True)
        .first()
    )
    last_ids = (
        LedgerEntry.objects.filter(pool=pool, created_at__gte=start)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(last_id=Max("id"))
        .values_list("last_id", flat=True)
    )
    closing = (
        LedgerEntry.objects.filter(pk__in=last_ids)
        .annotate(day=TruncDate("created_at"))
        .order_by("day")
        .values_list("day", "balance_after")
    )
    # Days as TruncDate counts them: in the zone in force (the movement's, on its pages).
    today = timezone.localtime(now).date()
    series = [(timezone.localtime(start).date(), before if before is not None else 0)]
    series.extend(closing)
    if series[-1][0] != today:
        series.append((today, series[-1][1]))
    return series


def fairness(pool, *, start, end):
    """Contributed and drawn per circle in [start, end), reversals netted against the
    kind they reverse. One query over this pool's rows of the period, no self-join: a
    reversal is the negative of its entry, and contributions are always positive and draws
    always negative (a check constraint), so a negative reversal cancels a contribution
    and a positive one a draw."""
    contributed = Q(kind=Kind.CONTRIBUTION) | Q(kind=Kind.REVERSAL, amount__lt=0)
    drawn = Q(kind=Kind.DRAW) | Q(kind=Kind.REVERSAL, amount__gt=0)
    return (
        LedgerEntry.objects.filter(pool=pool, created_at__gte=start, created_at__lt=end)
        .values("circle_id", "circle__name")
        .annotate(
            contributed=Sum("amount", filter=contributed, default=0),
            drawn=-Sum("amount", filter=drawn, default=0),
            contributions=Count("id", filter=Q(kind=Kind.CONTRIBUTION)),
            draws=Count("id", filter=Q(kind=Kind.DRAW)),
        )
        .order_by("circle__name")
    )


def with_tally(draws):
    """Annotate how many distinct circles approve (``approving_circles``) and decline
    (``declining_circles``): a member's decision counts for one circle, and a circle counts
    once however many of its members decide. The one place this tally is computed."""
    return draws.annotate(
        approving_circles=Count(
            "approvals__circle",
            filter=Q(approvals__decision=Approval.Decision.APPROVE),
            distinct=True,
        ),
        declining_circles=Count(
            "approvals__circle",
            filter=Q(approvals__decision=Approval.Decision.DECLINE),
            distinct=True,
        ),
    )


def draw_queue(movement, *, state=""):
    draws = DrawRequest.objects.filter(pool__movement=movement).select_related(
        "pool__movement", "requested_by", "circle"
    )
    if state:
        draws = draws.filter(state=state)
    return draws.order_by("-created_at", "-id")


def with_tallies(draws):
    """Set the tally on each of these draws (a page of them): one query over their own
    decisions, never over every draw's."""
    draws = list(draws)
    tallies = {
        pk: (approving, declining)
        for pk, approving, declining in with_tally(
            DrawRequest.objects.filter(pk__in=[draw.pk for draw in draws])
        ).values_list("pk", "approving_circles", "declining_circles")
    }
    for draw in draws:
        draw.approving_circles, draw.declining_circles = tallies.get(draw.pk, (0, 0))
    return draws


def draw_or_404(*, membership, draw_id):
    """The draw request with its tally (``approving_circles``, ``declining_circles``)."""
    return get_object_or_404(
        with_tally(
            DrawRequest.objects.select_related("pool__movement", "requested_by", "circle", "entry")
        ),
        pk=draw_id,
        pool__movement=membership.movement,
    )


def draw_tally(draw_request):
    """(approving, declining): how many distinct circles decided each way so far."""
    return (
        with_tally(DrawRequest.objects.filter(pk=draw_request.pk))
        .values_list("approving_circles", "declining_circles")
        .get()
    )


def eligible_circle_ids(*, membership, draw_request):
    """The caller's circles that may decide on this request: none if it is their own
    request, and never the circles frozen out when it was made (the requester's circles
    and the circle it serves)."""
    if membership.user_id == draw_request.requested_by_id:
        return []
    excluded = set(draw_request.excluded_circle_ids)
    return sorted(circle_ids_of(membership) - excluded)


def has_decided(*, membership, draw_request):
    return Approval.objects.filter(draw_request=draw_request, member=membership.user_id).exists()


def other_active_circles(*, movement, excluded_ids):
    """How many active circles could approve a request that excludes ``excluded_ids``."""
    return Circle.objects.for_movement(movement).active().exclude(pk__in=excluded_ids).count()


def ledger_rows_for_export(pool):
    """Every entry of the pool, oldest first, as tuples streamed from the database."""
    return (
        LedgerEntry.objects.filter(pool=pool)
        .order_by("created_at", "id")
        .values_list(
            "id",
            "created_at",
            "kind",
            "amount",
            "balance_after",
            "recorded_by_id",
            "recorded_by__display_name",
            "anonymous",
            "circle__name",
            "reverses_id",
            "note",
        )
        .iterator(chunk_size=2000)
    )


def decisions_on(draw_request):
    return Approval.objects.filter(draw_request=draw_request).select_related("member", "circle")


def archive(movement, *, query="", tag="", lens="", circle_id=None):
    entries = ArchiveEntry.objects.filter(movement=movement)
    if query:
        entries = entries.filter(Q(title__icontains=query) | Q(body__icontains=query))
    if tag:
        entries = entries.filter(tags__name=tag)
    if lens:
        entries = entries.filter(lens=lens)
    if circle_id:
        entries = entries.filter(circle_id=circle_id)
    return (
        entries.select_related("author", "circle", "movement")
        .prefetch_related("tags")
        .order_by("-updated_at", "-id")
    )


def archive_keepers(movement, *, days=90, limit=8):
    """Who keeps the archive alive: entries added or edited lately, per person and circle."""
    since = timezone.now() - timedelta(days=days)
    recent = ArchiveEntry.objects.filter(movement=movement, updated_at__gte=since)
    people = (
        recent.values("author__display_name").annotate(entries=Count("id")).order_by("-entries")
    )[:limit]
    circles = (
        recent.exclude(circle=None)
        .values("circle__name")
        .annotate(entries=Count("id"))
        .order_by("-entries")
    )[:limit]
    return {"people": list(people), "circles": list(circles), "days": days}


def archive_entry_or_404(*, membership, entry_id):
    return get_object_or_404(
        ArchiveEntry.objects.select_related("author", "circle", "movement").prefetch_related(
            "tags"
        ),
        pk=entry_id,
        movement=membership.movement,
    )


# --- shared spaces and tools ---------------------------------------------------------------


def bookable_resources(movement):
    return Resource.objects.filter(movement=movement, archived_at__isnull=True).order_by("name")


def resources_of(movement):
    return list(bookable_resources(movement))


def resource_or_404(*, membership, resource_id):
    return get_object_or_404(
        Resource.objects.select_related("movement"),
        pk=resource_id,
        movement=membership.movement_id,
        archived_at__isnull=True,
    )


def booking_or_404(*, membership, resource, booking_id):
    return get_object_or_404(
        Booking.objects.select_related(
            "resource__movement", "booked_by__user", "circle", "decided_by__user"
        ),
        pk=booking_id,
        resource=resource,
    )


def resource_calendar(resource, *, period="week", day=None, zone):
    """The resource's bookings over a week (from Monday) or a month, day by day, in
    ``zone``: ``{"days": [(date, [bookings])], "start", "end", "previous", "next"}``. One
    query whatever the number of bookings (a month of a busy hall is a few hundred)."""
    today = timezone.localtime(timezone.now(), zone).date()
    day = day or today
    if period == "month":
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        previous = (first - timedelta(days=1)).replace(day=1)
    else:
        first = day - timedelta(days=day.weekday())
        following = first + timedelta(days=7)
        previous = first - timedelta(days=7)
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(following, time.min, tzinfo=zone)
    bookings = list(
        Booking.objects.filter(
            resource=resource, cancelled_at__isnull=True, starts_at__lt=end, ends_at__gt=start
        )
        .select_related("booked_by__user", "circle")
        .order_by("starts_at", "id")
    )
    days = []
    current = first
    while current < following:
        opens = datetime.combine(current, time.min, tzinfo=zone)
        closes = opens + timedelta(days=1)
        days.append((current, [b for b in bookings if b.starts_at < closes and b.ends_at > opens]))
        current += timedelta(days=1)
    return {
        "period": period,
        "days": days,
        "start": first,
        "end": following - timedelta(days=1),
        "previous": previous,
        "next": following,
        "today": today,
    }


# --- pledges -------------------------------------------------------------------------------

# How many of a month's pledged gifts a year of each rhythm holds, per month.
PER_MONTH = {Pledge.Rhythm.WEEKLY: Decimal(52) / 12, Pledge.Rhythm.MONTHLY: Decimal(1)}
PLEDGES_SHOWN = 100  # a person's own pledges on one page: far above anyone's


def pledges_of(membership):
    """The caller's own pledges in this movement, newest first, each with the times it
    still waits for an answer (``answerable``); two queries."""
    pledges = list(
        Pledge.objects.filter(pledged_by=membership.user_id, pool__movement=membership.movement_id)
        .select_related("pool", "circle")
        .order_by("ended_at", "-created_at", "-id")[:PLEDGES_SHOWN]
    )
    waiting = {}
    for gift in PledgeGift.objects.filter(
        pledge__in=[p.pk for p in pledges], state__in=PledgeGift.ANSWERABLE
    ).order_by("due_on", "id"):
        waiting.setdefault(gift.pledge_id, []).append(gift)
    for pledge in pledges:
        pledge.answerable = waiting.get(pledge.pk, [])
    return pledges


def pledge_or_404(*, membership, pledge_id):
    """One of the caller's own pledges; anyone else's is not found."""
    return get_object_or_404(
        Pledge.objects.select_related("pool__movement", "circle"),
        pk=pledge_id,
        pledged_by=membership.user_id,
        pool__movement=membership.movement_id,
    )


def gift_or_404(*, membership, gift_id):
    return get_object_or_404(
        PledgeGift.objects.select_related("pool__movement", "pledge"),
        pk=gift_id,
        pledge__pledged_by=membership.user_id,
        pool__movement=membership.movement_id,
    )


def pledge_figures(pool, *, today):
    """What a pool's pledges add up to, in aggregate only: ``monthly`` (the live pledges,
    each rhythm counted per month), ``pledges`` (how many are live), and last month's
    gifts: ``due``, ``given``, ``due_amount``, ``given_amount``. Two queries (three with a
    convergence rhythm)."""
    live = (
        Pledge.objects.filter(pool=pool, ended_at__isnull=True, paused_at__isnull=True)
        .values("rhythm")
        .annotate(total=Sum("amount"), count=Count("id"))
        .order_by()
    )
    monthly, count = Decimal(0), 0
    for row in live:
        count += row["count"]
        factor = PER_MONTH.get(row["rhythm"])
        if factor is None:
            per_year = deadlines.convergences_per_year(pool.movement)
            factor = Decimal(str(per_year)) / 12 if per_year else Decimal(0)
        monthly += row["total"] * factor
    last_month_end = today.replace(day=1)
    last_month_start = (last_month_end - timedelta(days=1)).replace(day=1)
    month = PledgeGift.objects.filter(
        pool=pool, due_on__gte=last_month_start, due_on__lt=last_month_end
    ).aggregate(
        due=Count("id"),
        given=Count("id", filter=Q(state=PledgeGift.State.GIVEN)),
        due_amount=Sum("amount"),
        given_amount=Sum("amount", filter=Q(state=PledgeGift.State.GIVEN)),
    )
    return {
        "monthly": monthly.quantize(pool.quantum),
        "pledges": count,
        "month": last_month_start,
        **month,
        "due_amount": month["due_amount"] or Decimal(0),
        "given_amount": month["given_amount"] or Decimal(0),
    }


# --- rotating pools -------------------------------------------------------------------------


def rotation_or_404(*, membership, pool_id):
    return get_object_or_404(
        Rotation.objects.select_related("pool__movement"),
        pool_id=pool_id,
        pool__movement=membership.movement_id,
    )


def seat_of(rotation, membership):
    return RotationSeat.objects.filter(rotation=rotation, member=membership.user_id).first()


def seat_or_404(*, rotation, seat_id):
    return get_object_or_404(RotationSeat, rotation=rotation, pk=seat_id)


def rotation_page(rotation, *, seat):
    """What the rotation page shows: for participants, the seats in order, every round
    with its recipient, shares in and gap, and which asks to go earlier wait for the
    caller; for everyone else, totals only. Five queries however many take part."""
    seats = list(rotation.seats.select_related("member").order_by("position", "joined_at", "pk"))
    rounds = list(rotation.rounds.order_by("number"))
    shares = dict(
        RoundShare.objects.filter(round__rotation=rotation)
        .values("round")
        .annotate(count=Count("id"))
        .values_list("round", "count")
    )
    mine = set(
        RoundShare.objects.filter(round__rotation=rotation, seat=seat).values_list(
            "round", flat=True
        )
        if seat
        else ()
    )
    voted = set(
        EarlierVote.objects.filter(seat__rotation=rotation, voter=seat.member_id).values_list(
            "seat", flat=True
        )
        if seat
        else ()
    )
    by_pk = {s.pk: s for s in seats}
    expected = rotation.share * len(seats)
    current = None
    for round_ in rounds:
        round_.recipient = by_pk.get(round_.recipient_id)
        round_.shares_in = shares.get(round_.pk, 0)
        round_.mine_in = round_.pk in mine
        round_.pot = rotation.share * round_.shares_in
        held = round_.paid_out if round_.closed_at else round_.pot
        round_.gap = expected - held if held < expected else 0
        if current is None and round_.closed_at is None:
            current = round_  # it opened when the one before it closed
    return {
        "seats": seats,
        "rounds": rounds,
        "current": current,
        "closed": sum(1 for r in rounds if r.closed_at),
        "paid_out": sum((r.paid_out or 0 for r in rounds), Decimal(0)),
        "expected": expected,
        "to_decide": [
            s
            for s in seats
            if seat
            and s.earlier == RotationSeat.Ask.PENDING
            and s.pk != seat.pk
            and s.pk not in voted
        ],
    }


def open_rounds_owed(membership):
    """Open rounds (the first not closed of each pool) of rotating pools this member takes
    part in and has not paid into."""
    earlier_open = RotationRound.objects.filter(
        rotation=OuterRef("rotation"), number__lt=OuterRef("number"), closed_at__isnull=True
    )
    return (
        RotationRound.objects.filter(
            rotation__pool__movement=membership.movement_id,
            rotation__seats__member=membership.user_id,
            closed_at__isnull=True,
        )
        .exclude(Exists(earlier_open))
        .exclude(shares__seat__member=membership.user_id)
        .select_related("rotation__pool__movement")
        .order_by("closes_at")
    )


def earlier_asks_for(membership):
    """Asks to go earlier, in pools this member takes part in, that wait for their word."""
    return (
        RotationSeat.objects.filter(
            rotation__pool__movement=membership.movement_id,
            rotation__state=Rotation.State.FORMING,
            rotation__seats__member=membership.user_id,
            earlier=RotationSeat.Ask.PENDING,
        )
        .exclude(member=membership.user_id)
        .exclude(votes__voter=membership.user_id)
        .select_related("rotation__pool__movement", "member")
        .order_by("earlier_asked_at")
    )
