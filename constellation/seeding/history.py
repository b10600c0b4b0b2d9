"""The demo movement's past: a year of its commons and its first three gatherings.

``seed_demo`` calls these once, on the run that creates what they fill, and never again
(so a second run adds nothing). They write the script in ``demo_story.py`` the way
``large.py`` writes the large seed: rows go in through ``Writer`` (``COPY`` on PostgreSQL,
``bulk_create`` elsewhere) inside ``seed_demo``'s transaction, with every constraint and
the ledger's append-only trigger on. Ledger entries are only ever inserted.

Why not the services: they take no date, on purpose, so nothing a person submits can write
the past. The seed is the one writer of history, and it keeps the services' rules by
construction, checking them as it plans (a broken story raises before a row is written):
each pool's ledger runs in (created_at, id) order with ``balance_after`` carried on and
never below zero, ``Pool.balance`` is the last ``balance_after``, a reversal cancels one
earlier entry exactly, a draw above the pool's limit is settled by members of circles
other than the requester's (each member and each circle once), a granted draw points at
its draw entry, and every change has its audit event at the moment it happened.

``plan_commons`` is pure (no database), so a test can replay the year for any day the
seed might run on.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from circles.models import Circle, CircleMembership
from circles.services import Verb as CircleVerb
from commons.amounts import check_amount, pool_places
from commons.models import Approval, DrawRequest, LedgerEntry, Pool
from commons.services import Verb as CommonsVerb
from constellation.seeding import demo_story as story
from constellation.seeding.writer import Writer
from movement.models import AuditEvent, Membership, Movement
from movement.services import Verb as MovementVerb
from rituals import pairing
from rituals.models import (
    AgendaItem,
    CircleReport,
    Commitment,
    Cycle,
    Decision,
    Gathering,
    Rhythm,
    RoundCircle,
    Rsvp,
    Sprint,
    SprintArtifact,
    SprintCircle,
    SprintRound,
    Timer,
)
from rituals.recurrence import occurrences
from rituals.selectors import ligaments_between
from rituals.services.convergence import Verb as ConvergenceVerb
from rituals.services.convergence import tag_reports
from rituals.services.facilitation import Verb as FacilitationVerb
from rituals.services.facilitation import name_circles_in
from rituals.services.sprints import SPRINT_DEADLINE, ArtifactVerb
from rituals.services.sprints import Verb as SprintVerb

Kind = LedgerEntry.Kind
State = DrawRequest.State
Outcome = Commitment.Outcome

ZONE = ZoneInfo(story.RHYTHM["time_zone"])
# Things people do happen between these hours (local time), not at 3 in the morning.
DAY_STARTS, DAY_HOURS = time(8), 13
# The rhythm was set this long before the first gathering it planned.
RHYTHM_SET_BEFORE = timedelta(days=35)
PAST_GATHERINGS = 3
SEED = 11


def now_for_seed(now=None):
    return (now or timezone.now()).replace(microsecond=0)


# --- time --------------------------------------------------------------------------------


def past_gathering_starts(now):
    """When the last three gatherings of the demo's rhythm began (all ended before ``now``),
    oldest first: the same first Saturdays the rhythm plans forward from."""
    rhythm = Rhythm(
        **{key: story.RHYTHM[key] for key in ("kind", "week", "weekday", "local_time")},
        duration=story.RHYTHM["duration"],
    )
    found = occurrences(rhythm, after=now - timedelta(days=160), count=8, zone=ZONE)
    held = [starts for starts in found if starts + rhythm.duration <= now]
    if len(held) < PAST_GATHERINGS:
        raise RuntimeError("The rhythm yields too few past gatherings.")
    return held[-PAST_GATHERINGS:]


def rhythm_set_at(now):
    return past_gathering_starts(now)[0] - RHYTHM_SET_BEFORE


class Clock:
    """Turns the story's moments, ``("now" | n, days)``, into datetimes.

    A moment a day or more from its anchor falls in the daytime of that day; a moment
    within a day of it is exactly that far from it (a pass-the-hat during a gathering)."""

    def __init__(self, now):
        self.now = now
        self.gatherings = past_gathering_starts(now)

    def anchor(self, name):
        return self.now if name == "now" else self.gatherings[name - 1]

    def at(self, when):
        name, days = when
        base = self.anchor(name)
        if abs(days) < 1:
            return base + timedelta(days=days)
        whole = math.floor(abs(days))
        fraction = abs(days) - whole
        day = base.astimezone(ZONE).date() + timedelta(days=whole if days > 0 else -whole)
        moment = datetime.combine(day, DAY_STARTS, tzinfo=ZONE)
        return moment + timedelta(hours=DAY_HOURS * fraction)


# --- the commons: a plan, then the rows ----------------------------------------------------


@dataclass
class PlannedEntry:
    at: datetime
    pool: str
    kind: str
    amount: Decimal
    by: str
    circle: str | None = None
    anonymous: bool = False
    note: str = ""
    reverses: "PlannedEntry | None" = None
    balance_after: Decimal | None = None
    index: int | None = None  # its place in the ledger's time order


@dataclass
class PlannedDraw:
    ask: story.Ask
    at: datetime
    amount: Decimal
    excluded: set
    state: str = State.PENDING
    decided_at: datetime | None = None
    entry: PlannedEntry | None = None
    decisions: list = field(default_factory=list)  # (at, who, circle, verdict, comment)


@dataclass
class CommonsPlan:
    now: datetime
    pools_created_at: datetime
    entries: list  # every pool's, in (time, then order of events) order
    draws: list  # in the order they were asked
    balances: dict  # pool name -> final balance


def _specs():
    return {spec.name: spec for spec in story.POOLS}


def _amount(spec, text):
    """The story's amount as the service would store it (refused if the pool can't count it)."""
    return check_amount(text, places=pool_places(spec.kind, spec.currency))


def _pledges(rng):
    gifts = []
    for who, amount, circle, anonymous, months in story.PLEDGES:
        for n in range(months):
            if n in story.PLEDGE_SKIPS.get(who, ()):
                continue
            days = story.PLEDGE_DAY + n * story.PLEDGE_MONTH_DAYS + rng.uniform(-1.2, 1.2)
            gifts.append(
                story.Gift(
                    story.ago(days), story.BAIL, who, amount, circle, anonymous, story.PLEDGE_NOTE
                )
            )
    for i, (who, amount, circle, anonymous) in enumerate(story.NEW_PLEDGES):
        first = story.NEW_PLEDGES_AFTER + 0.7 * i + rng.uniform(0, 0.5)
        for days in (first, first + story.PLEDGE_MONTH_DAYS):
            gifts.append(
                story.Gift(
                    story.after(2, days),
                    story.BAIL,
                    who,
                    amount,
                    circle,
                    anonymous,
                    story.PLEDGE_NOTE,
                    optional=True,
                )
            )
    return gifts


def plan_commons(*, now, seats):
    """The year of the demo's commons, as it would have happened through the services.

    ``seats`` maps each demo person (``"farah"``) to the names of the circles they sit in.
    Raises ``RuntimeError`` if the story breaks a rule the services keep."""
    now = now_for_seed(now)
    clock = Clock(now)
    rng = random.Random(SEED)
    specs = _specs()
    latest = now - timedelta(minutes=5)

    def when(moment, what):
        at = clock.at(moment)
        if at > latest:
            raise RuntimeError(f"{what} would happen in the future ({at:%Y-%m-%d %H:%M}).")
        return at

    moves = []  # (at, order of planning, entry): the ledger, before it is sorted
    for gift in story.GIFTS + _pledges(rng):
        at = clock.at(gift.when)
        if at > latest:
            if gift.optional:
                continue
            raise RuntimeError(f"A gift by {gift.by} would happen in the future.")
        _check_circle(seats, gift.by, gift.circle)
        entry = PlannedEntry(
            at=at,
            pool=gift.pool,
            kind=Kind.CONTRIBUTION,
            amount=_amount(specs[gift.pool], gift.amount),
            by=gift.by,
            circle=gift.circle,
            anonymous=gift.anonymous,
            note=gift.note,
        )
        moves.append((at, len(moves), entry))
        if gift.reversed:
            days, who, reason = gift.reversed
            undo_at = at + timedelta(days=days)
            if undo_at > latest:
                raise RuntimeError("A reversal would happen in the future.")
            moves.append(
                (
                    undo_at,
                    len(moves),
                    PlannedEntry(
                        at=undo_at,
                        pool=gift.pool,
                        kind=Kind.REVERSAL,
                        amount=-entry.amount,
                        by=who,
                        circle=gift.circle,
                        note=reason,
                        reverses=entry,
                    ),
                )
            )

    draws = []
    for ask in story.ASKS:
        draw = _settle(ask, specs[ask.pool], seats, when(ask.when, f"{ask.by}'s draw"), latest)
        draws.append(draw)
        if draw.state == State.GRANTED:
            draw.entry = PlannedEntry(
                at=draw.decided_at,
                pool=ask.pool,
                kind=Kind.DRAW,
                amount=-draw.amount,
                by=ask.by,
                circle=ask.circle,
                note=ask.purpose,
            )
            moves.append((draw.decided_at, len(moves), draw.entry))

    moves.sort(key=lambda move: (move[0], move[1]))
    balances = {name: Decimal(0) for name in specs}
    entries = []
    for at, _order, entry in moves:
        balances[entry.pool] += entry.amount
        if balances[entry.pool] < 0:
            raise RuntimeError(
                f"{entry.pool} would go below zero on {at:%Y-%m-%d} ({entry.kind} of "
                f"{entry.amount} by {entry.by})."
            )
        entry.balance_after = balances[entry.pool]
        entry.index = len(entries)
        entries.append(entry)
    draws.sort(key=lambda draw: draw.at)
    pools_created_at = now - timedelta(days=story.POOLS_DAYS_AGO)
    if entries and entries[0].at <= pools_created_at:
        raise RuntimeError("The ledger starts before its pools were opened.")
    return CommonsPlan(
        now=now, pools_created_at=pools_created_at, entries=entries, draws=draws, balances=balances
    )


def _check_circle(seats, who, circle):
    if circle is not None and circle not in seats[who]:
        raise RuntimeError(f"{who} can only speak for a circle they are in, not {circle}.")


def _settle(ask, spec, seats, at, latest):
    """How a draw request ended, decision by decision, as ``decide_draw`` would have it."""
    _check_circle(seats, ask.by, ask.circle)
    amount = _amount(spec, ask.amount)
    excluded = set(seats[ask.by]) | ({ask.circle} if ask.circle else set())
    draw = PlannedDraw(ask=ask, at=at, amount=amount, excluded=excluded)
    if amount <= Decimal(spec.instant_limit):
        if ask.decisions or ask.withdrawn is not None:
            raise RuntimeError(f"{ask.purpose!r} is granted at once: nobody decides on it.")
        draw.state, draw.decided_at = State.GRANTED, at
        return draw
    approving, declining, members = set(), set(), set()
    for days, who, circle, verdict, comment in ask.decisions:
        decided = at + timedelta(days=days)
        if draw.state != State.PENDING or decided > latest:
            raise RuntimeError(f"A decision on {ask.purpose!r} comes after it was settled.")
        if ask.withdrawn is not None and days >= ask.withdrawn:
            raise RuntimeError(f"A decision on {ask.purpose!r} comes after it was withdrawn.")
        if who == ask.by or who in members:
            raise RuntimeError(f"{who} may not decide on {ask.purpose!r} (again).")
        if circle not in seats[who] or circle in excluded:
            raise RuntimeError(f"{who} may not decide on {ask.purpose!r} for {circle}.")
        if circle in approving | declining:
            raise RuntimeError(f"{circle} has already decided on {ask.purpose!r}.")
        if verdict == Approval.Decision.DECLINE and not comment:
            raise RuntimeError("A decline says why.")
        members.add(who)
        (approving if verdict == Approval.Decision.APPROVE else declining).add(circle)
        draw.decisions.append((decided, who, circle, verdict, comment))
        if len(approving) >= spec.approvals_required:
            # Granted at once: the plan's balance check proves the pool could afford it.
            draw.state, draw.decided_at = State.GRANTED, decided
        elif len(declining) >= spec.approvals_required:
            draw.state, draw.decided_at = State.DECLINED, decided
    if draw.state == State.PENDING and ask.withdrawn is not None:
        draw.state, draw.decided_at = State.WITHDRAWN, at + timedelta(days=ask.withdrawn)
        if draw.decided_at > latest:
            raise RuntimeError(f"{ask.purpose!r} would be withdrawn in the future.")
    if draw.state == State.PENDING:
        raise RuntimeError(f"{ask.purpose!r} is left open: the past settles what it asks.")
    return draw


def write_commons_past(*, movement, members, circles, now=None):
    """Open the demo's three pools a year ago and write the year of their ledgers, draw
    requests, decisions and audit events. Returns the pools by name.

    ``members``: demo person -> Membership; ``circles``: name -> Circle."""
    now = now_for_seed(now)
    plan = plan_commons(now=now, seats=seats_of(members, circles))
    writer = Writer()
    specs = _specs()
    user_of = {key: membership.user_id for key, membership in members.items()}

    def circle_id(name):
        return circles[name].pk if name else None

    pool_ids = dict(zip(specs, writer.ids(Pool, len(specs)), strict=True))
    writer.insert(
        Pool,
        [
            "id",
            "movement_id",
            "name",
            "name_key",
            "kind",
            "currency",
            "unit",
            "decimal_places",
            "purpose",
            "instant_limit",
            "approvals_required",
            "balance",
            "created_at",
        ],
        [
            (
                pool_ids[spec.name],
                movement.pk,
                spec.name,
                spec.name.casefold(),
                spec.kind,
                spec.currency,
                spec.unit,
                pool_places(spec.kind, spec.currency),
                spec.purpose,
                _amount(spec, spec.instant_limit),
                spec.approvals_required,
                plan.balances[spec.name],
                plan.pools_created_at,
            )
            for spec in story.POOLS
        ],
    )

    entry_ids = writer.ids(LedgerEntry, len(plan.entries))
    writer.insert(
        LedgerEntry,
        [
            "id",
            "pool_id",
            "kind",
            "amount",
            "balance_after",
            "recorded_by_id",
            "circle_id",
            "anonymous",
            "note",
            "reverses_id",
            "created_at",
        ],
        [
            (
                entry_ids[entry.index],
                pool_ids[entry.pool],
                entry.kind,
                entry.amount,
                entry.balance_after,
                user_of[entry.by],
                circle_id(entry.circle),
                entry.anonymous,
                entry.note[:500],
                entry_ids[entry.reverses.index] if entry.reverses else None,
                entry.at,
            )
            for entry in plan.entries
        ],
    )

    draw_ids = writer.ids(DrawRequest, len(plan.draws))
    writer.insert(
        DrawRequest,
        [
            "id",
            "pool_id",
            "requested_by_id",
            "circle_id",
            "amount",
            "purpose",
            "state",
            "excluded_circle_ids",
            "entry_id",
            "created_at",
            "decided_at",
        ],
        [
            (
                draw_id,
                pool_ids[draw.ask.pool],
                user_of[draw.ask.by],
                circle_id(draw.ask.circle),
                draw.amount,
                draw.ask.purpose,
                draw.state,
                sorted(circles[name].pk for name in draw.excluded),
                entry_ids[draw.entry.index] if draw.entry else None,
                draw.at,
                draw.decided_at,
            )
            for draw_id, draw in zip(draw_ids, plan.draws, strict=True)
        ],
    )

    decisions = sorted(
        (
            (decided, draw_id, who, circle, verdict, comment)
            for draw_id, draw in zip(draw_ids, plan.draws, strict=True)
            for decided, who, circle, verdict, comment in draw.decisions
        ),
        key=lambda row: row[0],
    )
    writer.insert(
        Approval,
        ["id", "draw_request_id", "member_id", "circle_id", "decision", "comment", "created_at"],
        [
            (approval_id, draw_id, user_of[who], circles[circle].pk, verdict, comment, decided)
            for approval_id, (decided, draw_id, who, circle, verdict, comment) in zip(
                writer.ids(Approval, len(decisions)), decisions, strict=True
            )
        ],
    )

    # The audit trail, as the services would have written it.
    events = [
        (
            plan.pools_created_at,
            user_of["amara"],
            CommonsVerb.POOL_CREATED,
            spec.name,
            {"pool": pool_ids[spec.name]},
        )
        for spec in story.POOLS
    ]
    for entry in plan.entries:
        entry_id = entry_ids[entry.index]
        if entry.kind == Kind.CONTRIBUTION:
            events.append(
                (
                    entry.at,
                    user_of[entry.by],
                    CommonsVerb.CONTRIBUTED,
                    entry.pool,
                    {
                        "pool": pool_ids[entry.pool],
                        "entry": entry_id,
                        "amount": str(entry.amount),
                        "anonymous": entry.anonymous,
                    },
                )
            )
        elif entry.kind == Kind.REVERSAL:
            events.append(
                (
                    entry.at,
                    user_of[entry.by],
                    CommonsVerb.ENTRY_REVERSED,
                    entry.pool,
                    {
                        "entry": entry_ids[entry.reverses.index],
                        "reversal": entry_id,
                        "reason": entry.note,
                    },
                )
            )
    for draw_id, draw in zip(draw_ids, plan.draws, strict=True):
        pool = draw.ask.pool
        events.append(
            (
                draw.at,
                user_of[draw.ask.by],
                CommonsVerb.DRAW_REQUESTED,
                pool,
                {"draw": draw_id, "amount": str(draw.amount)},
            )
        )
        for decided, who, circle, verdict, _comment in draw.decisions:
            verb = (
                CommonsVerb.DRAW_APPROVED
                if verdict == Approval.Decision.APPROVE
                else CommonsVerb.DRAW_DECLINED
            )
            events.append(
                (decided, user_of[who], verb, pool, {"draw": draw_id, "circle": circles[circle].pk})
            )
        if draw.state == State.GRANTED:
            data = {
                "draw": draw_id,
                "entry": entry_ids[draw.entry.index],
                "amount": str(draw.amount),
            }
            events.append((draw.decided_at, None, CommonsVerb.DRAW_GRANTED, pool, data))
        elif draw.state == State.DECLINED:
            events.append(
                (draw.decided_at, None, CommonsVerb.DRAW_REFUSED, pool, {"draw": draw_id})
            )
        elif draw.state == State.WITHDRAWN:
            events.append(
                (
                    draw.decided_at,
                    user_of[draw.ask.by],
                    CommonsVerb.DRAW_WITHDRAWN,
                    pool,
                    {"draw": draw_id},
                )
            )
    _insert_events(writer, movement, events)
    return {pool.name: pool for pool in Pool.objects.filter(pk__in=pool_ids.values())}


def seats_of(members, circles):
    """Demo person -> names of the circles they sit in (read from the database)."""
    key_of = {membership.pk: key for key, membership in members.items()}
    name_of = {circle.pk: name for name, circle in circles.items()}
    seats = {key: set() for key in members}
    for member_id, circle_id in CircleMembership.objects.filter(
        circle__in=list(circles.values())
    ).values_list("member_id", "circle_id"):
        if member_id in key_of:
            seats[key_of[member_id]].add(name_of[circle_id])
    return seats


def _insert_events(writer, movement, events):
    events.sort(key=lambda event: event[0])
    writer.insert(
        AuditEvent,
        ["id", "movement_id", "actor_id", "verb", "target", "data", "created_at"],
        [
            (event_id, movement.pk, actor, verb, str(target)[:200], data, at)
            for event_id, (at, actor, verb, target, data) in zip(
                writer.ids(AuditEvent, len(events)), events, strict=True
            )
        ],
    )


# --- the founding ------------------------------------------------------------------------------


def backdate_founding(*, movement, members, circles, conveners, now=None):
    """Move the founding that ``seed_demo`` wrote through the services a moment ago, in this
    same transaction (the movement, its people, circles and seats, and their audit events),
    to the weeks the demo movement began, thirteen months back; and write the "joined"
    events its people would have left. Only for a movement created by this very run.

    ``conveners``: circle name -> the demo person who founded it."""
    now = now_for_seed(now)
    founded = now - timedelta(days=story.FOUNDED_DAYS_AGO)
    Movement.objects.filter(pk=movement.pk).update(created_at=founded)

    joined = {}
    for i, (key, membership) in enumerate(members.items()):
        joined[key] = founded if i == 0 else founded + timedelta(days=1.5 + 2.2 * i)
        membership.joined_at = joined[key]
    Membership.objects.bulk_update(list(members.values()), ["joined_at"])

    created = {}
    for i, (name, circle) in enumerate(circles.items()):
        created[name] = max(
            joined[conveners[name]] + timedelta(hours=6), founded + timedelta(days=8 + 3.5 * i)
        )
        circle.created_at = created[name]
    Circle.objects.bulk_update(list(circles.values()), ["created_at"])

    key_of = {membership.pk: key for key, membership in members.items()}
    name_of = {circle.pk: name for name, circle in circles.items()}
    seats = list(CircleMembership.objects.filter(circle__in=list(circles.values())).order_by("pk"))
    seat_joined = {}
    for j, seat in enumerate(seats):
        key, name = key_of.get(seat.member_id), name_of[seat.circle_id]
        if key is None:
            continue
        if key == conveners[name]:
            seat.joined_at = created[name]
        else:
            seat.joined_at = max(created[name], joined[key]) + timedelta(days=0.6 + 0.4 * j)
        seat_joined[(members[key].user_id, seat.circle_id)] = seat.joined_at
    CircleMembership.objects.bulk_update(seats, ["joined_at"])

    # The audit events those services wrote, moved with what they record.
    events = list(AuditEvent.objects.filter(movement=movement))
    for event in events:
        if event.verb == MovementVerb.MOVEMENT_CREATED:
            event.created_at = founded
        elif event.verb == CircleVerb.CIRCLE_CREATED and event.target in created:
            event.created_at = created[event.target]
        elif event.verb == CircleVerb.CIRCLE_JOINED:
            moment = seat_joined.get((event.actor_id, event.data.get("circle")))
            event.created_at = moment or event.created_at
    AuditEvent.objects.bulk_update(events, ["created_at"])

    founder = next(iter(members))
    _insert_events(
        Writer(),
        movement,
        [
            (
                joined[key],
                membership.user_id,
                MovementVerb.MEMBER_JOINED,
                membership.user.display_name,
                {"role": membership.role},
            )
            for key, membership in members.items()
            if key != founder
        ],
    )


# --- convergence: the gatherings already held ----------------------------------------------


def write_past_gatherings(*, movement, members, circles, now=None):
    """The demo's first three gatherings, held and closed: cycles, circle reports (and the
    commitments each looked back on), agenda with notes, decisions, commitments, answers and
    facilitators, with their audit events. Write them before the rhythm plans the future
    ones, so those count on from cycle 4."""
    now = now_for_seed(now)
    rng = random.Random(SEED + 1)
    writer = Writer()
    starts_list = past_gathering_starts(now)
    planned_at = starts_list[0] - RHYTHM_SET_BEFORE
    duration = story.RHYTHM["duration"]
    user_of = {key: membership.user_id for key, membership in members.items()}
    convener_of = {}  # circle -> the convener who writes its reports: the longest-serving
    for circle_id, member_id in (
        CircleMembership.objects.filter(circle__in=list(circles.values()), is_convener=True)
        .order_by("joined_at", "pk")
        .values_list("circle_id", "member_id")
    ):
        convener_of.setdefault(circle_id, member_id)
    user_of_member = dict(Membership.objects.filter(movement=movement).values_list("pk", "user_id"))

    count = len(story.GATHERINGS)
    cycle_ids = writer.ids(Cycle, count)
    gathering_ids = writer.ids(Gathering, count)
    report_ids = [writer.ids(CircleReport, len(g.reports)) for g in story.GATHERINGS]
    report_id_of = [
        dict(zip(g.reports, ids, strict=True))
        for g, ids in zip(story.GATHERINGS, report_ids, strict=True)
    ]
    cycles, gatherings, facilitators, reports, agenda, decisions, commitments, rsvps = (
        [] for _ in range(8)
    )
    events = []
    for k, (gathering, starts) in enumerate(zip(story.GATHERINGS, starts_list, strict=True)):
        number, gathering_id = k + 1, gathering_ids[k]
        ends = starts + duration
        cycles.append((cycle_ids[k], movement.pk, number, planned_at))
        hosts = [members[key] for key in gathering.facilitators]
        facilitators += [(gathering_id, host.pk) for host in hosts]

        for name, report in gathering.reports.items():
            circle = circles[name]
            convener = convener_of[circle.pk]
            submitted = starts - timedelta(days=report.days_before)
            reports.append(
                (
                    report_id_of[k][name],
                    cycle_ids[k],
                    circle.pk,
                    report.did,
                    report.lessons,
                    report.needs,
                    report.intention,
                    report.tactics,
                    convener,
                    submitted,
                )
            )
            events.append(
                (
                    submitted,
                    user_of_member[convener],
                    ConvergenceVerb.REPORT_SUBMITTED,
                    name,
                    {"cycle": number},
                )
            )

        # The agenda as facilitator mode ran it: the opening round, a report-back per
        # circle, the commons, the commitments.
        items = [(story.OPENING_TITLE, None, 10, gathering.opening, "opening")]
        items += [
            (f"{name} reports back", circles[name].pk, 10, report.notes, name)
            for name, report in gathering.reports.items()
        ]
        items += [
            (story.COMMONS_TITLE, None, 15, gathering.commons, "commons"),
            (story.CLOSING_TITLE, None, 10, gathering.closing, "closing"),
        ]
        item_ids = writer.ids(AgendaItem, len(items))
        item_of, ended_of = {}, {}
        cursor = starts + timedelta(minutes=3)
        for position, ((title, circle_id, minutes, notes, ref), item_id) in enumerate(
            zip(items, item_ids, strict=True), start=1
        ):
            took = timedelta(minutes=minutes + rng.uniform(-2.5, 2.5))
            agenda.append(
                (
                    item_id,
                    gathering_id,
                    position,
                    title[:200],
                    circle_id,
                    timedelta(minutes=minutes),
                    cursor,
                    cursor + took,
                    notes,
                )
            )
            item_of[ref], ended_of[ref] = item_id, cursor + took
            cursor += took + timedelta(minutes=rng.uniform(0.5, 2))
        if cursor > ends + timedelta(minutes=15):
            raise RuntimeError("The agenda runs far over the gathering's end.")
        closed = max(ends, cursor) + timedelta(minutes=rng.uniform(2, 8))

        for ref, text in gathering.decisions:
            decisions.append(
                (gathering_id, item_of[ref], text, ended_of[ref] - timedelta(minutes=1))
            )
        for name, report in gathering.reports.items():
            if not report.commitment:
                continue
            reviewer = (
                report_id_of[k + 1].get(name) if k + 1 < count else None
            )  # the circle's report for the next gathering looks back at it
            outcome = report.outcome if reviewer else Outcome.OPEN
            if reviewer is None and report.outcome != Outcome.OPEN:
                raise RuntimeError(f"{name}'s commitment has an outcome but no later report.")
            commitments.append(
                (
                    gathering_id,
                    circles[name].pk,
                    report.commitment,
                    ended_of["closing"] - timedelta(minutes=rng.uniform(1, 8)),
                    outcome,
                    reviewer,
                )
            )
        for key, answer in gathering.rsvps.items():
            rsvps.append(
                (
                    gathering_id,
                    members[key].pk,
                    answer,
                    starts - timedelta(days=rng.uniform(1, 12)),
                )
            )
        version = 3 * len(items) + len(gathering.decisions) + len(gathering.reports) + 1
        gatherings.append(
            (
                gathering_id,
                cycle_ids[k],
                movement.pk,
                starts,
                ends,
                story.RHYTHM["place"],
                Gathering.State.CLOSED,
                True,
                starts - timedelta(minutes=rng.uniform(1, 6)),
                closed,
                version,
            )
        )
        events.append(
            (
                closed,
                user_of[gathering.facilitators[0]],
                FacilitationVerb.GATHERING_CLOSED,
                str(number),
                {},
            )
        )

    writer.insert(Cycle, ["id", "movement_id", "number", "created_at"], cycles)
    writer.insert(
        Gathering,
        [
            "id",
            "cycle_id",
            "movement_id",
            "starts_at",
            "ends_at",
            "place",
            "state",
            "from_rhythm",
            "started_at",
            "closed_at",
            "version",
        ],
        gatherings,
    )
    through = Gathering.facilitators.through
    writer.insert(
        through,
        ["id", "gathering_id", "membership_id"],
        [
            (i, *row)
            for i, row in zip(writer.ids(through, len(facilitators)), facilitators, strict=True)
        ],
    )
    writer.insert(
        CircleReport,
        [
            "id",
            "cycle_id",
            "circle_id",
            "did",
            "lessons",
            "needs",
            "intention",
            "tactics",
            "submitted_by_id",
            "submitted_at",
        ],
        reports,
    )
    writer.insert(
        AgendaItem,
        [
            "id",
            "gathering_id",
            "position",
            "title",
            "circle_id",
            "timebox",
            "started_at",
            "ended_at",
            "notes",
        ],
        agenda,
    )
    writer.insert(
        Decision,
        ["id", "gathering_id", "agenda_item_id", "text", "created_at"],
        [(i, *row) for i, row in zip(writer.ids(Decision, len(decisions)), decisions, strict=True)],
    )
    writer.insert(
        Commitment,
        ["id", "gathering_id", "circle_id", "text", "created_at", "outcome", "reviewed_in_id"],
        [
            (i, *row)
            for i, row in zip(writer.ids(Commitment, len(commitments)), commitments, strict=True)
        ],
    )
    name_circles_in(movement, Commitment.objects.filter(gathering_id__in=gathering_ids))
    tag_reports(movement, CircleReport.objects.filter(cycle__movement=movement))
    writer.insert(
        Rsvp,
        ["id", "gathering_id", "member_id", "answer", "updated_at"],
        [(i, *row) for i, row in zip(writer.ids(Rsvp, len(rsvps)), rsvps, strict=True)],
    )
    _insert_events(writer, movement, events)
    return list(Gathering.objects.filter(pk__in=gathering_ids).order_by("starts_at"))


def backdate_rhythm(*, movement, now=None):
    """The rhythm ``seed_demo`` just set (this run) was set before the first gathering it
    planned: move its ``updated_at`` and its audit event there."""
    at = rhythm_set_at(now_for_seed(now))
    Rhythm.objects.filter(movement=movement).update(updated_at=at)
    AuditEvent.objects.filter(movement=movement, verb=ConvergenceVerb.RHYTHM_SET).update(
        created_at=at
    )


# --- integration sprints: the sprint already finished ------------------------------------------


def write_past_sprint(*, movement, members, circles, conveners, now=None):
    """The demo's finished sprint (``demo_story.PAST_SPRINT``): its round opened, the two
    circles opted in by their conveners, proposed and launched; the deadline's timer fired,
    the artifact published (no files), the reflection written and the sprint closed, each
    with the audit event its service writes. Returns the sprint.

    ``conveners``: circle name -> the demo person who convenes it."""
    now = now_for_seed(now)
    story_sprint = story.PAST_SPRINT
    clock = Clock(now)
    opened = clock.at(story_sprint.opened)
    deadline = opened + timedelta(days=story_sprint.opt_in_days)
    launched = clock.at(story_sprint.launched)
    ends = launched + timedelta(hours=story_sprint.hours)
    published = launched + timedelta(hours=story_sprint.published_after)
    reflected = ends + timedelta(days=story_sprint.reflected_after)
    closed = ends + timedelta(days=story_sprint.closed_after)
    chosen = [circles[name] for name in story_sprint.circles]
    if not opened < deadline < launched < published < ends < reflected < closed < now:
        raise RuntimeError("The past sprint's moments are out of order or in the future.")
    ligaments = ligaments_between(movement, [circle.pk for circle in chosen])
    strength = pairing.group_strength([circle.pk for circle in chosen], ligaments)
    runner = members[story_sprint.facilitator]
    user_of = {key: membership.user_id for key, membership in members.items()}
    names = " × ".join(sorted(circle.name for circle in chosen))

    writer = Writer()
    (round_id,) = writer.ids(SprintRound, 1)
    (sprint_id,) = writer.ids(Sprint, 1)
    opted_at = [opened + timedelta(hours=3 + 20 * i) for i in range(len(chosen))]
    writer.insert(
        SprintRound,
        [
            "id",
            "movement_id",
            "opened_by_id",
            "deadline",
            "sprint_hours",
            "seed",
            "state",
            "circle_count",
            "group_count",
            "created_at",
            "proposed_at",
            "launched_at",
        ],
        [
            (
                round_id,
                movement.pk,
                runner.pk,
                deadline,
                story_sprint.hours,
                SEED,
                SprintRound.State.LAUNCHED,
                len(chosen),
                1,
                opened,
                launched - timedelta(minutes=20),
                launched,
            )
        ],
    )
    writer.insert(
        RoundCircle,
        ["id", "round_id", "circle_id", "opted_in_by_id", "opted_in_at", "group"],
        [
            (entry_id, round_id, circle.pk, members[conveners[circle.name]].pk, at, 1)
            for entry_id, circle, at in zip(
                writer.ids(RoundCircle, len(chosen)), chosen, opted_at, strict=True
            )
        ],
    )
    writer.insert(
        Sprint,
        [
            "id",
            "round_id",
            "movement_id",
            "state",
            "strength",
            "starts_at",
            "ends_at",
            "presenting_at",
            "closed_at",
            "created_at",
        ],
        [
            (
                sprint_id,
                round_id,
                movement.pk,
                Sprint.State.CLOSED,
                strength,
                launched,
                ends,
                ends + timedelta(seconds=20),
                closed,
                launched,
            )
        ],
    )
    writer.insert(
        SprintCircle,
        ["id", "sprint_id", "round_id", "circle_id"],
        [
            (seat_id, sprint_id, round_id, circle.pk)
            for seat_id, circle in zip(writer.ids(SprintCircle, len(chosen)), chosen, strict=True)
        ],
    )
    writer.insert(
        Timer,
        [
            "id",
            "movement_id",
            "kind",
            "target_type_id",
            "target_id",
            "due_at",
            "run_after",
            "fired_at",
            "attempts",
            "created_at",
        ],
        [
            (
                writer.ids(Timer, 1)[0],
                movement.pk,
                SPRINT_DEADLINE,
                ContentType.objects.get_for_model(Sprint).pk,
                sprint_id,
                ends,
                ends,
                ends + timedelta(seconds=20),
                1,
                launched,
            )
        ],
    )
    writer.insert(
        SprintArtifact,
        [
            "id",
            "sprint_id",
            "title",
            "description",
            "link",
            "published_by_id",
            "published_at",
            "updated_at",
            "reflection",
            "reflected_by_id",
            "reflected_at",
        ],
        [
            (
                writer.ids(SprintArtifact, 1)[0],
                sprint_id,
                story_sprint.title,
                story_sprint.description,
                story_sprint.link,
                members[story_sprint.artifact_by].pk,
                published,
                published,
                story_sprint.reflection,
                members[story_sprint.reflection_by].pk,
                reflected,
            )
        ],
    )

    # The audit trail, as the services would have written it.
    runner_user = user_of[story_sprint.facilitator]
    events = [
        (
            opened,
            runner_user,
            SprintVerb.ROUND_OPENED,
            str(round_id),
            {"deadline": deadline.isoformat(), "sprint_hours": story_sprint.hours},
        ),
        *(
            (
                at,
                user_of[conveners[circle.name]],
                SprintVerb.CIRCLE_OPTED_IN,
                circle.name,
                {"round": round_id},
            )
            for circle, at in zip(chosen, opted_at, strict=True)
        ),
        (
            launched - timedelta(minutes=20),
            runner_user,
            SprintVerb.PAIRS_PROPOSED,
            str(round_id),
            {"circles": len(chosen), "sprints": 1, "strength": strength},
        ),
        (
            launched,
            runner_user,
            SprintVerb.ROUND_LAUNCHED,
            str(round_id),
            {"sprints": 1, "ends_at": ends.isoformat()},
        ),
        (
            published,
            user_of[story_sprint.artifact_by],
            ArtifactVerb.ARTIFACT_PUBLISHED,
            story_sprint.title,
            {"sprint": sprint_id},
        ),
        (
            reflected,
            user_of[story_sprint.reflection_by],
            ArtifactVerb.REFLECTION_WRITTEN,
            story_sprint.title,
            {"sprint": sprint_id},
        ),
        (
            closed,
            runner_user,
            ArtifactVerb.SPRINT_CLOSED,
            names,
            {"sprint": sprint_id, "artifact": True},
        ),
    ]
    _insert_events(writer, movement, events)
    return Sprint.objects.get(pk=sprint_id)
