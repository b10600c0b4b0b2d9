"""``seed_demo --size large``: two years of a big movement, for benchmarks.

Everything is written in bulk (``COPY`` on PostgreSQL, ``bulk_create`` elsewhere) inside
one transaction, with every constraint and trigger on, so a failure leaves nothing
behind and a second run finds the data there and adds nothing. The rules the services
keep are kept here by construction: each pool's ledger is generated in (created_at, id)
order with ``balance_after`` running on and never below zero, ``Pool.balance`` is the
last ``balance_after``, a reversal cancels one earlier entry exactly, a granted draw
points at its draw entry, and a decision on a draw is counted for one of the member's
circles that the request did not exclude.

``Sizes.at(scale)`` shrinks every count by ``scale`` so a test runs the same code tiny.
"""

import bisect
import heapq
import random
import time as clock_time
from dataclasses import dataclass, fields
from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_DOWN, ROUND_UP, Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.text import slugify

from circles import services as circle_services
from circles.models import Circle, CircleMembership
from circles.services import RESERVED_SLUGS
from circles.services import Verb as CircleVerb
from commons import services as commons_services
from commons.amounts import format_amount, pool_places
from commons.models import Approval, ArchiveEntry, ArchiveTag, DrawRequest, LedgerEntry, Pool
from commons.services import NotificationKind as CommonsKind
from commons.services import Verb as CommonsVerb
from constellation.seeding import words
from constellation.seeding.writer import Clock, Writer
from movement import services as movement_services
from movement.models import AuditEvent, Membership, Movement, Notification, Role, User
from movement.services import Verb as MovementVerb
from movement.vocabulary import AUDIT_VERBS, NOTIFICATION_KINDS
from rituals.models import (
    AgendaItem,
    CircleReport,
    Commitment,
    Cycle,
    Decision,
    Gathering,
    Rsvp,
)
from rituals.reminders import NotificationKind as ReminderKind
from rituals.services.convergence import Verb as ConvergenceVerb
from rituals.services.convergence import tag_reports
from rituals.services.facilitation import NotificationKind as FacilitationKind
from rituals.services.facilitation import Verb as FacilitationVerb
from rituals.services.facilitation import name_circles_in

DOMAIN = "large.demo.constellation.test"
SMALL_DOMAIN = "small.demo.constellation.test"
# Log-in accounts inside the big movement's circles (password: the demo password).
ORGANIZER_LOGIN = (f"tomas@{DOMAIN}", "Tomás Reyes", Role.ORGANIZER)
MEMBER_LOGIN = (f"sol@{DOMAIN}", "Sol Martínez", Role.MEMBER)
UNUSABLE_PASSWORD = "!"

Kind = LedgerEntry.Kind
State = DrawRequest.State


@dataclass(frozen=True)
class Sizes:
    circles: int = 1_000
    members: int = 20_000
    largest_circle: int = 1_000
    pools: int = 10
    entries: int = 500_000
    reversals: int = 500
    draws: int = 2_000
    archive: int = 5_000
    gatherings: int = 100
    reports_per_gathering: int = 300
    decisions_per_gathering: int = 12
    rsvps_per_gathering: int = 300
    notifications: int = 50_000
    audit_events: int = 100_000
    small_movements: int = 20

    # Floors that keep a tiny run meaningful: enough circles for two approving circles
    # outside the requester's, two gatherings so commitments get reviewed, and so on.
    FLOORS = {
        "circles": 8,
        "members": 40,
        "largest_circle": 5,
        "entries": 50 * 10,
        "reversals": 3,
        "draws": 20,
        "archive": 10,
        "gatherings": 2,
        "reports_per_gathering": 2,
        "decisions_per_gathering": 1,
        "rsvps_per_gathering": 3,
        "notifications": 50,
        "audit_events": 100,
        "small_movements": 2,
    }

    @classmethod
    def at(cls, scale):
        if scale <= 0:
            raise ValueError("scale must be positive")
        full = cls()
        counts = {}
        for field in fields(cls):
            value = getattr(full, field.name)
            if field.name == "pools":  # always the ten pools: kinds and currencies matter
                counts[field.name] = value
            else:
                counts[field.name] = max(cls.FLOORS[field.name], round(value * scale))
        counts["reports_per_gathering"] = min(counts["reports_per_gathering"], counts["circles"])
        counts["rsvps_per_gathering"] = min(counts["rsvps_per_gathering"], counts["members"])
        return cls(**counts)


@dataclass(frozen=True)
class PoolSpec:
    name: str
    kind: str
    currency: str
    unit: str
    instant_limit: str
    approvals_required: int
    share: float  # of the ledger's entries and of the draw requests
    amounts: tuple  # contributions are drawn from these
    purpose: str


POOLS = [
    PoolSpec(
        "Eviction Defense Fund",
        "money",
        "EUR",
        "",
        "200",
        2,
        0.18,
        ("5", "10", "10", "20", "20", "25", "50", "50", "100", "12.50", "7.25", "250"),
        "Lawyers, filing fees and emergency rent for households facing eviction.",
    ),
    PoolSpec(
        "Strike Fund",
        "money",
        "USD",
        "",
        "250",
        2,
        0.14,
        ("10", "20", "20", "25", "40", "50", "75", "100", "150", "33.33"),
        "Lost wages for workers on strike, paid weekly while the picket holds.",
    ),
    PoolSpec(
        "Rent Solidarity Fund",
        "money",
        "GBP",
        "",
        "150",
        2,
        0.10,
        ("5", "10", "15", "20", "25", "50", "8.50"),
        "Rent for members who withhold theirs during a building's rent strike.",
    ),
    PoolSpec(
        "Sister City Fund",
        "money",
        "JPY",
        "",
        "20000",
        2,
        0.06,
        ("500", "1000", "1000", "3000", "5000", "10000"),
        "Solidarity with our sister movement's tenants' unions.",
    ),
    PoolSpec(
        "Legal Observers Fund",
        "money",
        "EUR",
        "",
        "100",
        3,
        0.08,
        ("5", "10", "15", "20", "30", "50"),
        "Cameras, vests and training for legal observers at every action.",
    ),
    PoolSpec(
        "Childcare Hours",
        "hours",
        "",
        "",
        "6",
        2,
        0.14,
        ("0.5", "1", "1", "1.5", "2", "2", "3", "4"),
        "Hours of childcare members give so parents can come to meetings and actions.",
    ),
    PoolSpec(
        "Rides and Repairs",
        "hours",
        "",
        "",
        "4",
        2,
        0.10,
        ("0.5", "1", "1", "2", "2.5", "3"),
        "Hours of driving, fixing and carrying, offered between members.",
    ),
    PoolSpec(
        "Tool Library",
        "items",
        "",
        "tools",
        "3",
        2,
        0.05,
        ("1", "1", "1", "2", "3"),
        "Drills, ladders and generators lent to any circle that needs them.",
    ),
    PoolSpec(
        "Pantry Shelves",
        "items",
        "",
        "meals",
        "40",
        2,
        0.10,
        ("5", "10", "12", "20", "25", "40", "50"),
        "Meals cooked and stored for the pantries and the solidarity kitchen.",
    ),
    PoolSpec(
        "Print Shop Paper",
        "items",
        "",
        "reams",
        "10",
        2,
        0.05,
        ("1", "2", "2", "5", "10"),
        "Paper for zines, leaflets and posters.",
    ),
]

# How requests end up, of every 20: granted 10, pending 4, declined 3, withdrawn 2, approved 1.
DRAW_STATES = [
    (State.GRANTED, 10),
    (State.PENDING, 4),
    (State.DECLINED, 3),
    (State.WITHDRAWN, 2),
    (State.APPROVED, 1),
]
# Of granted requests, this share were small enough to be granted at once.
INSTANT_SHARE = 0.3
# How many circles a member sits in: 1, 2, 3 or 4.
CIRCLES_PER_MEMBER = (0.55, 0.25, 0.12, 0.08)


def split(total, weights):
    """``total`` split in proportion to ``weights``, exactly (largest remainder)."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    parts = [int(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)[
        : total - sum(parts)
    ]:
        parts[i] += 1
    return parts


def zipf_exponent(count, seats, largest):
    """The exponent a for which circle sizes ∝ (rank)^-a put ``largest`` people in the
    biggest of ``count`` circles sharing ``seats`` seats (0: all the same size)."""
    target = seats / max(largest, 1)
    if target >= count:
        return 0.0
    low, high = 0.0, 4.0
    for _ in range(40):
        middle = (low + high) / 2
        if sum((rank + 1) ** -middle for rank in range(count)) > target:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def already_seeded(movement):
    return User.objects.filter(email=MEMBER_LOGIN[0], memberships__movement=movement).exists()


def seed_large(*, movement, scale=1.0, write=print, password="", seed=2026):
    """Add the large data set to ``movement``. Returns False (and says so) when it is there
    already."""
    if already_seeded(movement):
        write(
            f"The large demo data is already in {movement.name}; nothing added. "
            "(Drop the database to seed it again.)"
        )
        return False
    sizes = Sizes.at(scale)
    clock = Clock(write)
    write(f"Seeding the large demo into {movement.name} (scale {scale:g}):")
    seeder = LargeSeed(movement=movement, sizes=sizes, clock=clock, password=password, seed=seed)
    with transaction.atomic():
        seeder.run()
        committing = clock_time.monotonic()
    clock.record("commit", clock_time.monotonic() - committing)
    with clock.part("planner statistics (ANALYZE)"):
        seeder.writer.analyze(ANALYZED)
    write(f"  {'total':<44} {clock.total():6.1f} s")
    write("Created:")
    for label, count in seeder.summary():
        write(f"  {label:<44} {count:>9,}")
    return True


ANALYZED = [
    User,
    Membership,
    Circle,
    CircleMembership,
    Pool,
    LedgerEntry,
    DrawRequest,
    Approval,
    ArchiveEntry,
    ArchiveTag,
    ArchiveEntry.tags.through,
    Cycle,
    Gathering,
    Gathering.facilitators.through,
    CircleReport,
    AgendaItem,
    Decision,
    Commitment,
    Rsvp,
    Notification,
    AuditEvent,
]


class LargeSeed:
    def __init__(self, *, movement, sizes, clock, password, seed):
        self.movement = movement
        self.sizes = sizes
        self.clock = clock
        self.password = password
        self.rng = random.Random(seed)
        self.writer = Writer()
        self.now = timezone.now().replace(microsecond=0)
        self.window_start = self.now - timedelta(days=730)
        self.history_start = self.window_start - timedelta(days=180)
        self.audit = []  # (created_at, actor_id, verb, target, data)
        self.notes = []  # notifications: (created_at, recipient_id, kind, subject, body, url)
        self.small = {"movements": 0, "users": 0}

    # --- orchestration -------------------------------------------------------------------

    def run(self):
        if self.writer.postgres:
            # Foreign keys are checked as each part's rows go in (not all at the commit), so
            # each part's time includes its checks.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        undeclared = [verb for verb in _verbs_used() if verb not in AUDIT_VERBS] + [
            kind for kind in _kinds_used() if kind not in NOTIFICATION_KINDS
        ]
        if undeclared:
            raise RuntimeError(f"Undeclared audit verbs or notification kinds: {undeclared}")
        parts = [
            ("users and memberships", self.people),
            ("circles and seats", self.circles),
            ("pools and ledger entries", self.ledger),
            ("draw requests and approvals", self.draws),
            ("knowledge archive", self.archive),
            ("past gatherings", self.gatherings),
            ("notifications", self.notifications),
            ("audit events", self.audit_events),
            ("small movements", self.small_movements),
        ]
        for label, part in parts:
            with self.clock.part(label):
                part()
        if self.writer.postgres:
            # Back to the project's default (Django's foreign keys are INITIALLY DEFERRED)
            # for whatever else runs in an enclosing transaction, such as a test's.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def summary(self):
        def label(model):
            return self.writer.counts.get(model._meta.label, 0)

        return [
            ("users (big movement)", label(User)),
            ("memberships (big movement)", label(Membership)),
            ("circles", label(Circle)),
            ("circle seats", label(CircleMembership)),
            ("pools", label(Pool)),
            ("ledger entries", label(LedgerEntry)),
            ("  of which reversals", self.reversal_count),
            ("  of which draws", self.draw_entry_count),
            ("draw requests", label(DrawRequest)),
            ("approvals", label(Approval)),
            ("archive entries", label(ArchiveEntry)),
            ("archive tags (new)", label(ArchiveTag)),
            ("archive entry tags", label(ArchiveEntry.tags.through)),
            ("gatherings (closed, with cycles)", label(Gathering)),
            ("circle reports", label(CircleReport)),
            ("agenda items", label(AgendaItem)),
            ("decisions", label(Decision)),
            ("commitments", label(Commitment)),
            ("RSVPs", label(Rsvp)),
            ("notifications", label(Notification)),
            ("audit events", label(AuditEvent)),
            ("small movements", self.small["movements"]),
            ("  their users", self.small["users"]),
        ]

    def _event(self, created_at, actor_id, verb, target, **data):
        self.audit.append((created_at, actor_id, verb, str(target)[:200], data))

    def _between(self, start, end):
        return start + (end - start) * self.rng.random()

    # --- people --------------------------------------------------------------------------

    def people(self):
        rng, count = self.rng, self.sizes.members
        self.user_ids = self.writer.ids(User, count)
        self.membership_ids = self.writer.ids(Membership, count)
        organizers = max(1, round(count * 0.001))
        facilitators = max(1, round(count * 0.01))
        roles = [Role.MEMBER] * count
        others = rng.sample(range(2, count), organizers - 1 + facilitators)
        roles[0] = Role.ORGANIZER
        for i in others[: organizers - 1]:
            roles[i] = Role.ORGANIZER
        for i in others[organizers - 1 :]:
            roles[i] = Role.FACILITATOR
        self.roles = roles
        self.organizers = [i for i, role in enumerate(roles) if role == Role.ORGANIZER]
        self.facilitators = [i for i, role in enumerate(roles) if role == Role.FACILITATOR]

        names, emails, joined = [], [], []
        span = self.window_start - timedelta(days=1) - self.history_start
        for i in range(count):
            if i == 0:
                email, name, _role = ORGANIZER_LOGIN
            elif i == 1:
                email, name, _role = MEMBER_LOGIN
            else:
                first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
                name = f"{first} {last}"
                email = f"{slugify(first)}.{slugify(last)}.{i}@{DOMAIN}"
            names.append(name)
            emails.append(email)
            joined.append(self.history_start + span * rng.random())
        self.names, self.joined = names, joined
        login_hash = make_password(self.password) if self.password else UNUSABLE_PASSWORD
        self.writer.insert(
            User,
            ["id", "password", "email", "display_name", "date_joined"],
            (
                (
                    self.user_ids[i],
                    login_hash if i < 2 else UNUSABLE_PASSWORD,
                    emails[i],
                    names[i],
                    joined[i],
                )
                for i in range(count)
            ),
        )
        self.writer.insert(
            Membership,
            ["id", "movement_id", "user_id", "role", "joined_at"],
            (
                (self.membership_ids[i], self.movement.pk, self.user_ids[i], roles[i], joined[i])
                for i in range(count)
            ),
        )
        EmailAddress.objects.bulk_create(
            EmailAddress(user_id=self.user_ids[i], email=emails[i], verified=True, primary=True)
            for i in range(2)
        )
        # The movement's story starts with its first members.
        Movement.objects.filter(pk=self.movement.pk, created_at__gt=self.history_start).update(
            created_at=self.history_start - timedelta(days=1)
        )
        for i in range(count):
            self._event(
                joined[i], self.user_ids[i], MovementVerb.MEMBER_JOINED, names[i], role=roles[i]
            )

    # --- circles -------------------------------------------------------------------------

    def circles(self):
        rng, sizes = self.rng, self.sizes
        count, members = sizes.circles, sizes.members
        taken_names = set(
            Circle.objects.filter(movement=self.movement).values_list("name_key", flat=True)
        )
        taken_slugs = set(
            Circle.objects.filter(movement=self.movement).values_list("slug", flat=True)
        ) | set(RESERVED_SLUGS)
        combos = [(place, focus) for place in words.PLACES for focus in words.FOCUSES]
        rng.shuffle(combos)
        self.circle_ids = self.writer.ids(Circle, count)
        self.circle_names, self.circle_lens, self.circle_created = [], [], []
        rows = []
        for c in range(count):
            place, (focus, lens, initiative, theory) = combos[c % len(combos)]
            name = f"{place} {focus}"
            if c >= len(combos):
                name = f"{name} {c // len(combos) + 1}"
            while Circle.key_for(name) in taken_names:
                name = f"{name} (large)"
            taken_names.add(Circle.key_for(name))
            base = slugify(name)[:80].strip("-") or "circle"
            slug, n = base, 1
            while slug in taken_slugs:
                n += 1
                slug = f"{base}-{n}"
            taken_slugs.add(slug)
            created = self.history_start + timedelta(days=90) * rng.random()
            self.circle_names.append(name)
            self.circle_lens.append(lens)
            self.circle_created.append(created)
            rows.append(
                (
                    self.circle_ids[c],
                    self.movement.pk,
                    name,
                    Circle.key_for(name),
                    slug,
                    f"{initiative} Around {place}.",
                    theory,
                    lens,
                    created,
                )
            )
        self.writer.insert(
            Circle,
            [
                "id",
                "movement_id",
                "name",
                "name_key",
                "slug",
                "initiative",
                "theory_of_change",
                "lens",
                "created_at",
            ],
            rows,
        )

        # Seats: how many circles each person sits in, and circle sizes skewed by rank.
        per_member = rng.choices(range(1, 5), weights=CIRCLES_PER_MEMBER, k=members)
        per_member[0], per_member[1] = 2, min(4, count)
        seats = sum(per_member)
        exponent = zipf_exponent(count, seats, sizes.largest_circle)
        cumulative, total = [], 0.0
        for rank in range(count):
            total += (rank + 1) ** -exponent
            cumulative.append(total)
        ranks = range(count)
        member_circles = []
        for i in range(members):
            chosen = [0] if i < 2 else []  # both log-ins sit in the biggest circle
            while len(chosen) < per_member[i]:
                c = rng.choices(ranks, cum_weights=cumulative)[0]
                if c not in chosen:
                    chosen.append(c)
            member_circles.append(chosen)
        circle_members = [[] for _ in range(count)]
        for i, chosen in enumerate(member_circles):
            for c in chosen:
                circle_members[c].append(i)
        for c in range(count):  # every circle has at least one person
            while not circle_members[c]:
                i = rng.randrange(2, members)
                if len(member_circles[i]) < 4 and c not in member_circles[i]:
                    member_circles[i].append(c)
                    circle_members[c].append(i)
        self.member_circles, self.circle_members = member_circles, circle_members
        self.circle_sizes = [len(m) for m in circle_members]
        self._circle_cumulative, running = [], 0
        for size in self.circle_sizes:
            running += size
            self._circle_cumulative.append(running)

        # Conveners: one per circle, two above 40 people, three above 300; the organizer
        # log-in convenes the biggest circle, the member log-in convenes nothing.
        conveners = []
        for c in range(count):
            candidates = [i for i in circle_members[c] if i != 1] or circle_members[c]
            wanted = 1 + (len(candidates) > 40) + (len(candidates) > 300)
            chosen = rng.sample(candidates, min(wanted, len(candidates)))
            if c == 0 and 0 not in chosen:
                chosen[0] = 0
            conveners.append(chosen)
        self.conveners = conveners

        seat_rows = []
        for c in range(count):
            convening = set(conveners[c])
            for i in circle_members[c]:
                joined = max(self.circle_created[c], self.joined[i]) + timedelta(
                    days=5 * rng.random()
                )
                seat_rows.append((c, i, i in convening, joined))
        seat_ids = self.writer.ids(CircleMembership, len(seat_rows))
        rows = [
            (seat_id, self.circle_ids[c], self.membership_ids[i], convener, joined)
            for seat_id, (c, i, convener, joined) in zip(seat_ids, seat_rows, strict=True)
        ]
        self.writer.insert(
            CircleMembership, ["id", "circle_id", "member_id", "is_convener", "joined_at"], rows
        )

        for c in range(count):
            founder = conveners[c][0]
            self._event(
                self.circle_created[c],
                self.user_ids[founder],
                CircleVerb.CIRCLE_CREATED,
                self.circle_names[c],
                circle=self.circle_ids[c],
            )
            for other in conveners[c][1:]:
                self._event(
                    self.circle_created[c] + timedelta(days=6),
                    self.user_ids[founder],
                    CircleVerb.CONVENER_ADDED,
                    self.names[other],
                    circle=self.circle_ids[c],
                )
        # Joins are the most numerous events: kept aside, they fill what room is left.
        self.joins = [
            (joined, self.user_ids[i], CircleVerb.CIRCLE_JOINED, self.circle_names[c][:200], c)
            for c, i, convener, joined in seat_rows
            if not convener
        ]

    # --- the commons ---------------------------------------------------------------------

    def ledger(self):
        rng, sizes = self.rng, self.sizes
        specs = POOLS[: sizes.pools]
        self.pool_specs = specs
        self.pool_ids = self.writer.ids(Pool, len(specs))
        self.pool_objects = []
        self.pool_created = self.window_start - timedelta(days=3)
        entries = split(sizes.entries, [spec.share for spec in specs])
        reversals = split(sizes.reversals, [spec.share for spec in specs])

        # The draw requests, planned up front: a granted one becomes a draw entry.
        states = []
        for state, count in zip(
            [s for s, _w in DRAW_STATES],
            split(sizes.draws, [w for _s, w in DRAW_STATES]),
            strict=True,
        ):
            states += [state] * count
        rng.shuffle(states)
        per_pool = split(sizes.draws, [spec.share for spec in specs])
        self.requests = []
        start = 0
        for p, count in enumerate(per_pool):
            for state in states[start : start + count]:
                requester = rng.randrange(self.sizes.members)
                own = self.member_circles[requester]
                circle = rng.choice(own) if rng.random() < 0.8 else None
                self.requests.append(
                    {
                        "pool": p,
                        "state": state,
                        "requester": requester,
                        "circle": circle,
                        "excluded": sorted({self.circle_ids[c] for c in own}),
                        "instant": state == State.GRANTED and rng.random() < INSTANT_SHARE,
                        "purpose": rng.choice(words.DRAW_PURPOSES[specs[p].kind]),
                    }
                )
            start += count

        # Who contributes: a few people give often, most rarely.
        order = list(range(sizes.members))
        rng.shuffle(order)
        self.contributors = order
        self.contributor_weights = []
        total = 0.0
        for rank in range(len(order)):
            total += (rank + 1) ** -0.8
            self.contributor_weights.append(total)

        self.reversal_count = 0
        self.draw_entry_count = 0
        self.reversals_done = []
        self.pool_times, self.pool_balances, self.last_approved_grant = [], [], []
        self.queue_from = []
        for p, spec in enumerate(specs):
            granted = [r for r in self.requests if r["pool"] == p and r["state"] == State.GRANTED]
            # A pool with requests approved and waiting for funds grants nothing else that
            # needed approvals since the first of them (it would queue behind it): from
            # then on its granted draws are small ones, granted at once.
            waits = any(r["pool"] == p and r["state"] == State.APPROVED for r in self.requests)
            queue_from = self.now - timedelta(days=rng.uniform(20, 45)) if waits else self.now
            self.queue_from.append(queue_from)
            rows, final = self._pool_ledger(p, spec, entries[p], granted, reversals[p], queue_from)
            places = pool_places(spec.kind, spec.currency)
            pool = Pool(
                id=self.pool_ids[p],
                movement=self.movement,
                name=spec.name,
                name_key=spec.name.casefold(),
                kind=spec.kind,
                currency=spec.currency,
                unit=spec.unit,
                decimal_places=places,
                purpose=spec.purpose,
                instant_limit=Decimal(spec.instant_limit),
                approvals_required=spec.approvals_required,
                balance=final,
                created_at=self.pool_created,
            )
            self.pool_objects.append(pool)
            self.writer.insert(
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
                        pool.id,
                        self.movement.pk,
                        pool.name,
                        pool.name_key,
                        pool.kind,
                        pool.currency,
                        pool.unit,
                        pool.decimal_places,
                        pool.purpose,
                        pool.instant_limit,
                        pool.approvals_required,
                        pool.balance,
                        pool.created_at,
                    )
                ],
            )
            self.writer.insert(
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
                rows,
            )
            self._event(
                self.pool_created,
                self.user_ids[0],
                CommonsVerb.POOL_CREATED,
                spec.name,
                pool=pool.id,
            )

    def _pool_ledger(self, p, spec, count, granted, reversals, queue_from):
        """One pool's entries in time order, balances running on, never below zero."""
        rng = self.rng
        places = pool_places(spec.kind, spec.currency)
        quantum = Decimal(1).scaleb(-places)
        limit = Decimal(spec.instant_limit)
        amounts = [Decimal(a) for a in spec.amounts]
        pool_id = self.pool_ids[p]
        span = (self.now - timedelta(minutes=30) - self.window_start).total_seconds()
        times = [
            self.window_start + timedelta(seconds=offset)
            for offset in sorted(rng.random() * span for _ in range(count))
        ]
        ids = self.writer.ids(LedgerEntry, count)
        early = max(1, count // 30)
        special = rng.sample(range(early, count), len(granted) + reversals)
        draw_at = set(special[: len(granted)])
        reverse_at = set(special[len(granted) :])
        waiting = []  # granted requests whose moment came while the pool was nearly empty
        to_grant = iter(granted)
        contributors = rng.choices(self.contributors, cum_weights=self.contributor_weights, k=count)
        organizers = self.organizers
        rows, balances, reversed_positions = [], [], set()
        balance = Decimal(0)
        last_approved_grant = self.window_start
        user_ids, circle_ids = self.user_ids, self.circle_ids
        member_circles = self.member_circles
        random_ = rng.random
        for pos in range(count):
            at, entry_id = times[pos], ids[pos]
            if pos in draw_at:
                waiting.append(next(to_grant))
            if waiting and balance >= 2 * quantum:
                request = waiting.pop(0)
                if at >= queue_from:
                    request["instant"] = True
                amount = self._draw_amount(balance, limit, quantum, request["instant"])
                balance -= amount
                circle = request["circle"]
                rows.append(
                    (
                        entry_id,
                        pool_id,
                        Kind.DRAW,
                        -amount,
                        balance,
                        user_ids[request["requester"]],
                        circle_ids[circle] if circle is not None else None,
                        False,
                        request["purpose"][:500],
                        None,
                        at,
                    )
                )
                request.update(entry=entry_id, amount=amount, decided_at=at)
                request["instant"] = amount <= limit
                if not request["instant"]:
                    last_approved_grant = at
                self.draw_entry_count += 1
                balances.append(balance)
                continue
            if pos in reverse_at:
                target = self._reversible(rows, pos, balance, reversed_positions)
                if target is not None:
                    original = rows[target]
                    reversed_positions.add(target)
                    amount = -original[3]
                    balance += amount
                    actor = user_ids[rng.choice(organizers)]
                    reason = rng.choice(words.REVERSAL_REASONS)
                    rows.append(
                        (
                            entry_id,
                            pool_id,
                            Kind.REVERSAL,
                            amount,
                            balance,
                            actor,
                            original[6],
                            False,
                            reason,
                            original[0],
                            at,
                        )
                    )
                    self.reversal_count += 1
                    self.reversals_done.append(
                        (at, actor, spec.name, original[0], entry_id, reason)
                    )
                    balances.append(balance)
                    continue
            member = contributors[pos]
            amount = amounts[int(random_() * len(amounts))]
            balance += amount
            circle = None
            if random_() < 0.35:
                own = member_circles[member]
                circle = circle_ids[own[int(random_() * len(own))]]
            rows.append(
                (
                    entry_id,
                    pool_id,
                    Kind.CONTRIBUTION,
                    amount,
                    balance,
                    user_ids[member],
                    circle,
                    random_() < 0.12,
                    rng.choice(words.CONTRIBUTION_NOTES) if random_() < 0.15 else "",
                    None,
                    at,
                )
            )
            balances.append(balance)
        assert not waiting and next(to_grant, None) is None, "a granted draw found no room"
        self.pool_times.append(times)
        self.pool_balances.append(balances)
        self.last_approved_grant.append(last_approved_grant)
        return rows, balance

    def _draw_amount(self, balance, limit, quantum, instant):
        rng = self.rng
        if not instant:
            share = Decimal(str(round(rng.uniform(0.25, 0.6), 3)))
            amount = (balance * share).quantize(quantum, ROUND_DOWN)
            if amount > limit:
                return amount
        top = min(limit, balance / 2)
        share = Decimal(str(round(rng.uniform(0.3, 1), 3)))
        return max(quantum, (top * share).quantize(quantum, ROUND_DOWN))

    def _reversible(self, rows, pos, balance, reversed_positions):
        """A recent contribution or draw that can be cancelled without going below zero."""
        rng = self.rng
        for _ in range(20):
            j = rng.randrange(max(0, pos - 300), pos)
            row = rows[j]
            if j in reversed_positions or row[2] == Kind.REVERSAL:
                continue
            if row[2] == Kind.CONTRIBUTION and balance < row[3]:
                continue
            if row[2] == Kind.DRAW and rng.random() < 0.7:
                continue  # mostly mistaken contributions are reversed
            return j
        return None

    def draws(self):
        rng = self.rng
        now = self.now
        for request in self.requests:
            p = request["pool"]
            pool = self.pool_objects[p]
            quantum = pool.quantum
            limit = pool.instant_limit
            state = request["state"]
            if state == State.GRANTED:
                decided = request["decided_at"]
                if request["instant"]:
                    created = decided
                else:
                    created = max(
                        self.window_start,
                        decided - timedelta(hours=rng.uniform(2, 240)),
                    )
            elif state == State.APPROVED:
                # Waiting for funds: approved after the pool's last approved grant, for more
                # than the pool has held since.
                after = max(self.last_approved_grant[p], self.queue_from[p])
                decided = self._between(after, now - timedelta(minutes=10))
                created = decided - timedelta(hours=rng.uniform(1, 120))
                times, balances = self.pool_times[p], self.pool_balances[p]
                i = bisect.bisect_left(times, decided)
                held = max(balances[max(0, i - 1) :], default=Decimal(0))
                share = Decimal(str(round(rng.uniform(1.1, 1.6), 3)))
                request["amount"] = max(limit + quantum, (held * share).quantize(quantum, ROUND_UP))
            elif state == State.PENDING:
                created = self._between(now - timedelta(days=30), now - timedelta(hours=1))
                decided = None
            else:  # declined or withdrawn, long settled
                created = self._between(self.window_start, now - timedelta(days=30))
                decided = created + timedelta(hours=rng.uniform(1, 240))
            if "amount" not in request:
                share = Decimal(str(round(rng.uniform(1.2, 12), 3)))
                request["amount"] = (limit * share).quantize(quantum, ROUND_UP)
            request["created_at"], request["decided_at"] = created, decided
            request.setdefault("entry", None)

        self.requests.sort(key=lambda r: r["created_at"])
        ids = self.writer.ids(DrawRequest, len(self.requests))
        for request, draw_id in zip(self.requests, ids, strict=True):
            request["id"] = draw_id
        circle_ids = self.circle_ids
        self.writer.insert(
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
                "deciders_told_at",
            ],
            (
                (
                    r["id"],
                    self.pool_ids[r["pool"]],
                    self.user_ids[r["requester"]],
                    circle_ids[r["circle"]] if r["circle"] is not None else None,
                    r["amount"],
                    r["purpose"],
                    r["state"],
                    r["excluded"],
                    r["entry"],
                    r["created_at"],
                    r["decided_at"],
                    # History: its deciders were told when it was made.
                    r["created_at"],
                )
                for r in self.requests
            ),
        )

        # Decisions: each member once, counted for one of their circles outside the
        # request's excluded ones; a circle counts once, on one side.
        decisions = []
        for request in self.requests:
            pool = self.pool_objects[request["pool"]]
            required = pool.approvals_required
            state = request["state"]
            if request["instant"]:
                continue
            if state in (State.GRANTED, State.APPROVED):
                approve, decline, final = required, rng.randrange(required), "approve"
            elif state == State.DECLINED:
                approve, decline, final = rng.randrange(required), required, "decline"
            else:
                approve, decline, final = rng.randrange(required), rng.randrange(required), None
            picks = self._deciders(request, approve + decline)
            verdicts = ["approve"] * approve + ["decline"] * decline
            rng.shuffle(verdicts)
            if final is not None and verdicts and verdicts[-1] != final:
                last = max(i for i, v in enumerate(verdicts) if v == final)
                verdicts[last], verdicts[-1] = verdicts[-1], verdicts[last]
            start = request["created_at"]
            end = request["decided_at"] or now
            moments = sorted(self._between(start, end) for _ in verdicts)
            if final is not None and moments:
                moments[-1] = end
            for (member, circle), verdict, at in zip(picks, verdicts, moments, strict=True):
                comment = rng.choice(
                    words.DECLINE_COMMENTS if verdict == "decline" else words.APPROVE_COMMENTS
                )
                decisions.append((at, request, member, circle, verdict, comment))
        decisions.sort(key=lambda d: d[0])
        ids = self.writer.ids(Approval, len(decisions))
        self.writer.insert(
            Approval,
            [
                "id",
                "draw_request_id",
                "member_id",
                "circle_id",
                "decision",
                "comment",
                "created_at",
            ],
            (
                (
                    approval_id,
                    request["id"],
                    self.user_ids[member],
                    circle_ids[circle],
                    verdict,
                    comment,
                    at,
                )
                for approval_id, (at, request, member, circle, verdict, comment) in zip(
                    ids, decisions, strict=True
                )
            ),
        )
        self.approvals = decisions

        for r in self.requests:
            pool = self.pool_objects[r["pool"]]
            self._event(
                r["created_at"],
                self.user_ids[r["requester"]],
                CommonsVerb.DRAW_REQUESTED,
                pool.name,
                draw=r["id"],
                amount=str(r["amount"]),
            )
            if r["state"] == State.GRANTED:
                self._event(
                    r["decided_at"],
                    None,
                    CommonsVerb.DRAW_GRANTED,
                    pool.name,
                    draw=r["id"],
                    entry=r["entry"],
                    amount=str(r["amount"]),
                )
            elif r["state"] == State.DECLINED:
                self._event(
                    r["decided_at"], None, CommonsVerb.DRAW_REFUSED, pool.name, draw=r["id"]
                )
            elif r["state"] == State.WITHDRAWN:
                self._event(
                    r["decided_at"],
                    self.user_ids[r["requester"]],
                    CommonsVerb.DRAW_WITHDRAWN,
                    pool.name,
                    draw=r["id"],
                )
            if r["state"] in (State.GRANTED, State.DECLINED, State.APPROVED) and not (r["instant"]):
                message = {
                    State.GRANTED: "Your draw of %(amount)s was granted.",
                    State.DECLINED: "Your draw of %(amount)s was declined; see why.",
                    State.APPROVED: "Your draw of %(amount)s is approved and waits for the "
                    "pool to hold enough.",
                }[r["state"]]
                url = reverse(
                    "commons:draw",
                    kwargs={"movement_slug": self.movement.slug, "draw_id": r["id"]},
                )
                self.notes.append(
                    (
                        r["decided_at"],
                        self.user_ids[r["requester"]],
                        CommonsKind.DRAW_SETTLED,
                        f"Your draw request from {pool.name}",
                        message % {"amount": format_amount(r["amount"], pool)},
                        url,
                    )
                )
        for at, request, member, circle, verdict, _comment in decisions:
            verb = CommonsVerb.DRAW_APPROVED if verdict == "approve" else CommonsVerb.DRAW_DECLINED
            self._event(
                at,
                self.user_ids[member],
                verb,
                self.pool_objects[request["pool"]].name,
                draw=request["id"],
                circle=self.circle_ids[circle],
            )
        for at, actor, pool_name, entry, reversal, reason in self.reversals_done:
            self._event(
                at,
                actor,
                CommonsVerb.ENTRY_REVERSED,
                pool_name,
                entry=entry,
                reversal=reversal,
                reason=reason,
            )

    def _deciders(self, request, count):
        """``count`` (member, circle) pairs: distinct members, distinct circles, none of the
        request's excluded circles and never the requester."""
        rng = self.rng
        excluded = set(request["excluded"])
        requester = request["requester"]
        picks, used_members, used_circles = [], {requester}, set()
        for _attempt in range(count * 50):
            if len(picks) == count:
                break
            if rng.random() < 0.3:
                c = rng.randrange(len(self.circle_ids))
            else:
                c = self._weighted_circle()
            if c in used_circles or self.circle_ids[c] in excluded:
                continue
            members = self.circle_members[c]
            member = members[rng.randrange(len(members))]
            if member in used_members:
                continue
            picks.append((member, c))
            used_members.add(member)
            used_circles.add(c)
        if len(picks) < count:
            raise RuntimeError("Too few circles outside the requester's to decide on a draw.")
        return picks

    def _weighted_circle(self):
        """A circle, the bigger the likelier (by its number of people)."""
        cumulative = self._circle_cumulative
        return bisect.bisect_right(cumulative, self.rng.random() * cumulative[-1])

    # --- the knowledge archive -------------------------------------------------------------

    def archive(self):
        rng, count = self.rng, self.sizes.archive
        existing = dict(ArchiveTag.objects.filter(movement=self.movement).values_list("name", "pk"))
        names = [name.lower()[:40] for name in words.TACTICS]
        missing = [name for name in dict.fromkeys(names) if name not in existing]
        tag_ids = self.writer.ids(ArchiveTag, len(missing))
        self.writer.insert(
            ArchiveTag,
            ["id", "movement_id", "name"],
            (
                (tag_id, self.movement.pk, name)
                for tag_id, name in zip(tag_ids, missing, strict=True)
            ),
        )
        tags = {**existing, **dict(zip(missing, tag_ids, strict=True))}
        entries = []
        for _ in range(count):
            tactic = rng.choice(words.TACTICS)
            place = rng.choice(words.PLACES)
            title = rng.choice(words.ARCHIVE_TITLES).format(tactic=tactic, place=place)
            title = title[0].upper() + title[1:]
            if rng.random() < 0.7:
                c = self._weighted_circle()
                author = rng.choice(self.circle_members[c])
                lens = self.circle_lens[c] if rng.random() < 0.8 else ""
            else:
                c, author = None, rng.randrange(self.sizes.members)
                lens = rng.choice(["", "voluntarist", "structuralist", "subjectivist"])
            lessons = rng.sample(words.LESSONS, 3)
            body = (
                f"What we tried: **{tactic}** around {place}.\n\n"
                + "\n".join(f"{n}. {lesson}" for n, lesson in enumerate(lessons, start=1))
                + f"\n\nWhat we needed: {rng.choice(words.NEEDS)}\n\n"
                f"Next time: *{rng.choice(words.INTENTIONS)}*"
            )
            created = self._between(self.window_start, self.now - timedelta(hours=1))
            updated = created
            if rng.random() < 0.3:
                updated = min(self.now, created + timedelta(days=rng.uniform(0, 60)))
            chosen = {tactic.lower()[:40]} | {
                name.lower()[:40] for name in rng.sample(words.TACTICS, rng.randrange(0, 4))
            }
            entries.append((created, updated, title, body, lens, c, author, sorted(chosen)))
        entries.sort(key=lambda e: e[0])
        ids = self.writer.ids(ArchiveEntry, len(entries))
        self.writer.insert(
            ArchiveEntry,
            [
                "id",
                "movement_id",
                "title",
                "body",
                "lens",
                "circle_id",
                "author_id",
                "created_at",
                "updated_at",
            ],
            (
                (
                    entry_id,
                    self.movement.pk,
                    title[:160],
                    body,
                    lens,
                    self.circle_ids[c] if c is not None else None,
                    self.user_ids[author],
                    created,
                    updated,
                )
                for entry_id, (created, updated, title, body, lens, c, author, _tags) in zip(
                    ids, entries, strict=True
                )
            ),
        )
        links = [
            (entry_id, tags[name])
            for entry_id, entry in zip(ids, entries, strict=True)
            for name in entry[7]
        ]
        through = ArchiveEntry.tags.through
        link_ids = self.writer.ids(through, len(links))
        self.writer.insert(
            through,
            ["id", "archiveentry_id", "archivetag_id"],
            ((link_id, *link) for link_id, link in zip(link_ids, links, strict=True)),
        )
        for entry_id, (created, _u, title, _b, _l, _c, author, _t) in zip(
            ids, entries, strict=True
        ):
            self._event(
                created,
                self.user_ids[author],
                CommonsVerb.ARCHIVE_ADDED,
                title,
                archive_entry=entry_id,
            )

    # --- convergence: past gatherings ------------------------------------------------------

    def gatherings(self):
        rng, sizes = self.rng, self.sizes
        count = sizes.gatherings
        zone = self.movement.zone
        first_existing = (
            Gathering.objects.filter(movement=self.movement)
            .order_by("starts_at")
            .values_list("starts_at", flat=True)
            .first()
        )
        before = min(self.now, first_existing or self.now) - timedelta(days=2)
        last_day = before.astimezone(zone).date()
        last_day -= timedelta(days=(last_day.weekday() - 5) % 7)  # the Saturday before
        days = [last_day - timedelta(weeks=count - 1 - k) for k in range(count)]
        # Past cycles come first: the cycles already planned move up behind them.
        cycles = Cycle.objects.filter(movement=self.movement)
        cycles.update(number=F("number") + 1_000_000)
        cycles.update(number=F("number") - 1_000_000 + count)

        cycle_ids = self.writer.ids(Cycle, count)
        gathering_ids = self.writer.ids(Gathering, count)
        place = "Harbor Street community hall"
        weights = [size**0.5 for size in self.circle_sizes]
        reports, agenda, decisions, commitments, rsvps, facilitators = [], [], [], [], [], []
        open_commitments = {}  # circle -> [commitment rows not reviewed yet]
        gathering_rows, cycle_rows = [], []
        self.past_gatherings = []
        for k in range(count):
            starts = datetime.combine(days[k], time(18), tzinfo=zone).astimezone(UTC)
            ends = starts + timedelta(hours=2)
            number = k + 1
            gathering_id = gathering_ids[k]
            url = reverse(
                "rituals:gathering",
                kwargs={"movement_slug": self.movement.slug, "gathering_id": gathering_id},
            )
            self.past_gatherings.append((gathering_id, number, starts, ends, url))
            cycle_rows.append((cycle_ids[k], self.movement.pk, number, starts - timedelta(days=35)))
            chosen = heapq.nlargest(
                sizes.reports_per_gathering,
                range(len(weights)),
                key=lambda c: rng.random() ** (1.0 / weights[c]),
            )
            submitted = sorted((starts - timedelta(hours=rng.uniform(12, 144)), c) for c in chosen)
            report_ids = self.writer.ids(CircleReport, len(submitted))
            item_ids = self.writer.ids(AgendaItem, len(submitted))
            held = min(10, len(submitted))
            for position, ((at, c), report_id, item_id) in enumerate(
                zip(submitted, report_ids, item_ids, strict=True), start=1
            ):
                convener = rng.choice(self.conveners[c])
                reports.append(
                    (
                        report_id,
                        cycle_ids[k],
                        self.circle_ids[c],
                        rng.choice(words.LESSONS),
                        rng.choice(words.LESSONS),
                        rng.choice(words.NEEDS),
                        rng.choice(words.INTENTIONS),
                        ", ".join(rng.sample(words.TACTICS, 2)),
                        self.membership_ids[convener],
                        at,
                    )
                )
                self._event(
                    at,
                    self.user_ids[convener],
                    ConvergenceVerb.REPORT_SUBMITTED,
                    self.circle_names[c],
                    cycle=number,
                )
                for row in open_commitments.pop(c, []):
                    row[4] = rng.choices(["done", "partly", "not_done"], weights=[5, 3, 2])[0]
                    row[5] = report_id
                item_start = item_end = None
                notes = ""
                if position <= held:
                    item_start = starts + timedelta(minutes=5 + 10 * (position - 1))
                    item_end = item_start + timedelta(minutes=rng.uniform(6, 10))
                    notes = rng.choice(words.LESSONS)
                agenda.append(
                    (
                        item_id,
                        gathering_id,
                        position,
                        f"{self.circle_names[c]} reports back"[:200],
                        self.circle_ids[c],
                        timedelta(minutes=10),
                        item_start,
                        item_end,
                        notes,
                    )
                )
                row = [
                    gathering_id,
                    self.circle_ids[c],
                    rng.choice(words.COMMITMENTS),
                    ends - timedelta(minutes=rng.uniform(1, 15)),
                    "open",
                    None,
                ]
                commitments.append(row)
                open_commitments.setdefault(c, []).append(row)
            held_items = item_ids[:held]
            for _ in range(sizes.decisions_per_gathering):
                decisions.append(
                    (
                        gathering_id,
                        rng.choice(held_items) if held_items else None,
                        rng.choice(words.DECISIONS),
                        self._between(starts, ends),
                    )
                )
            for i in rng.sample(range(sizes.members), sizes.rsvps_per_gathering):
                rsvps.append(
                    (
                        gathering_id,
                        self.membership_ids[i],
                        rng.choices(["yes", "maybe", "no"], weights=[6, 3, 1])[0],
                        starts - timedelta(hours=rng.uniform(1, 240)),
                    )
                )
            hosts = rng.sample(self.facilitators, min(len(self.facilitators), rng.choice([1, 2])))
            for i in hosts:
                facilitators.append((gathering_id, self.membership_ids[i]))
            closer = hosts[0] if hosts else 0
            gathering_rows.append(
                (
                    gathering_id,
                    cycle_ids[k],
                    self.movement.pk,
                    starts,
                    ends,
                    place,
                    Gathering.State.CLOSED,
                    False,
                    starts - timedelta(minutes=rng.uniform(0, 10)),
                    ends + timedelta(minutes=rng.uniform(0, 10)),
                    3 * held + len(submitted) + sizes.decisions_per_gathering,
                )
            )
            self._event(ends, self.user_ids[closer], FacilitationVerb.GATHERING_CLOSED, str(number))

        w = self.writer
        w.insert(Cycle, ["id", "movement_id", "number", "created_at"], cycle_rows)
        w.insert(
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
            gathering_rows,
        )
        w.insert(
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
        w.insert(
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
        ids = w.ids(Decision, len(decisions))
        w.insert(
            Decision,
            ["id", "gathering_id", "agenda_item_id", "text", "created_at"],
            ((i, *row) for i, row in zip(ids, decisions, strict=True)),
        )
        ids = w.ids(Commitment, len(commitments))
        w.insert(
            Commitment,
            ["id", "gathering_id", "circle_id", "text", "created_at", "outcome", "reviewed_in_id"],
            ((i, *row) for i, row in zip(ids, commitments, strict=True)),
        )
        name_circles_in(self.movement, Commitment.objects.filter(gathering__movement=self.movement))
        tag_reports(self.movement, CircleReport.objects.filter(cycle__movement=self.movement))
        ids = w.ids(Rsvp, len(rsvps))
        w.insert(
            Rsvp,
            ["id", "gathering_id", "member_id", "answer", "updated_at"],
            ((i, *row) for i, row in zip(ids, rsvps, strict=True)),
        )
        through = Gathering.facilitators.through
        ids = w.ids(through, len(facilitators))
        w.insert(
            through,
            ["id", "gathering_id", "membership_id"],
            ((i, *row) for i, row in zip(ids, facilitators, strict=True)),
        )
        self.reported = reports

    # --- notifications ---------------------------------------------------------------------

    def notifications(self):
        rng, total = self.rng, self.sizes.notifications
        movement = self.movement
        zone = movement.zone
        notes = self.notes[:total]
        gatherings = self.past_gatherings

        def minutes(recipient, gathering):
            _id, number, _starts, ends, url = gathering
            return (
                ends + timedelta(minutes=rng.uniform(1, 20)),
                recipient,
                FacilitationKind.MINUTES_PUBLISHED,
                f"Minutes of cycle {number}'s gathering",
                "The minutes are published: agenda, notes, decisions and commitments.",
                url,
            )

        def tomorrow(recipient, gathering):
            _id, number, starts, _ends, url = gathering
            when = dateformat.format(starts.astimezone(zone), "l j F Y, H:i")
            return (
                starts - timedelta(days=1),
                recipient,
                ReminderKind.GATHERING_TOMORROW,
                f"Convergence tomorrow: {when}",
                f"Cycle {number}'s gathering of {movement.name}. Harbor Street community hall",
                url,
            )

        def report_due(member, gathering):
            _id, _number, starts, _ends, url = gathering
            own = [c for c in self.member_circles[member] if member in self.conveners[c]]
            circle = self.circle_names[own[0] if own else self.member_circles[member][0]]
            when = dateformat.format(starts.astimezone(zone), "l j F Y, H:i")
            return (
                starts - timedelta(days=4),
                self.user_ids[member],
                ReminderKind.REPORT_DUE,
                f"{circle}'s report is due tomorrow"[:200],
                f"The convergence gathering is on {when}. Please send what {circle} did, "
                "learned and needs, and its intention for the next phase.",
                url,
            )

        # The two log-in accounts get a page's worth of their own.
        for member in (0, 1):
            for gathering in gatherings[-min(len(gatherings), 15) :]:
                if len(notes) >= total:
                    break
                notes.append(minutes(self.user_ids[member], gathering))
                if len(notes) < total:
                    notes.append(tomorrow(self.user_ids[member], gathering))
        conveners = sorted({i for chosen in self.conveners for i in chosen})
        while len(notes) < total:
            gathering = rng.choice(gatherings)
            roll = rng.random()
            if roll < 0.6:
                notes.append(minutes(self.user_ids[rng.randrange(self.sizes.members)], gathering))
            elif roll < 0.85:
                notes.append(tomorrow(self.user_ids[rng.randrange(self.sizes.members)], gathering))
            else:
                notes.append(report_due(rng.choice(conveners), gathering))
        notes.sort(key=lambda n: n[0])
        ids = self.writer.ids(Notification, len(notes))
        rows = []
        for note_id, (created, recipient, kind, subject, body, url) in zip(ids, notes, strict=True):
            sent = created + timedelta(seconds=rng.uniform(2, 120))
            read = None
            if rng.random() < 0.7:
                read = min(self.now, sent + timedelta(hours=rng.uniform(1, 120)))
            rows.append(
                (
                    note_id,
                    movement.pk,
                    recipient,
                    kind,
                    subject[:200],
                    body,
                    url,
                    created,
                    sent,
                    created,
                    read,
                    1,
                )
            )
        self.writer.insert(
            Notification,
            [
                "id",
                "movement_id",
                "recipient_id",
                "kind",
                "subject",
                "body",
                "url",
                "created_at",
                "sent_at",
                "next_attempt_at",
                "read_at",
                "attempts",
            ],
            rows,
        )

    # --- the audit trail --------------------------------------------------------------------

    def audit_events(self):
        rng, total = self.rng, self.sizes.audit_events
        events = self.audit
        if len(events) > total:
            events = rng.sample(events, total)
        room = total - len(events)
        joins = self.joins
        if len(joins) > room:
            joins = rng.sample(joins, room)
        events += [
            (at, actor, verb, target, {"circle": self.circle_ids[c]})
            for at, actor, verb, target, c in joins
        ]
        room = total - len(events)
        if room:
            latest = (
                LedgerEntry.objects.filter(pool__in=self.pool_ids, kind=Kind.CONTRIBUTION)
                .order_by("-created_at", "-id")
                .values_list(
                    "created_at", "recorded_by_id", "pool_id", "id", "amount", "anonymous"
                )[:room]
            )
            names = {pool.id: pool.name for pool in self.pool_objects}
            for at, actor, pool_id, entry_id, amount, anonymous in latest:
                events.append(
                    (
                        at,
                        actor,
                        CommonsVerb.CONTRIBUTED,
                        names[pool_id],
                        {
                            "pool": pool_id,
                            "entry": entry_id,
                            "amount": str(amount),
                            "anonymous": anonymous,
                        },
                    )
                )
        events.sort(key=lambda e: e[0])
        ids = self.writer.ids(AuditEvent, len(events))
        self.writer.insert(
            AuditEvent,
            ["id", "movement_id", "actor_id", "verb", "target", "data", "created_at"],
            (
                (event_id, self.movement.pk, actor, verb, target, data, at)
                for event_id, (at, actor, verb, target, data) in zip(ids, events, strict=True)
            ),
        )

    # --- small movements of their own -------------------------------------------------------

    def small_movements(self):
        """Twenty small movements, made through the services like any other."""
        rng = self.rng
        member_login = self.user_ids[1]
        for k in range(self.sizes.small_movements):
            name = words.SMALL_MOVEMENTS[k % len(words.SMALL_MOVEMENTS)]
            if k >= len(words.SMALL_MOVEMENTS):
                name = f"{name} {k // len(words.SMALL_MOVEMENTS) + 1}"
            people = rng.randrange(6, 21)
            users = User.objects.bulk_create(
                User(
                    email=f"person{n}.movement{k + 1}@{SMALL_DOMAIN}",
                    display_name=f"{rng.choice(words.FIRST_NAMES)} {rng.choice(words.LAST_NAMES)}",
                    password=UNUSABLE_PASSWORD,
                )
                for n in range(people)
            )
            self.small["users"] += len(users)
            movement = movement_services.create_movement(
                by=users[0],
                name=name,
                horizon="Housing, food and care held in common by the people who need them.",
            )
            self.small["movements"] += 1
            roles = [Role.FACILITATOR] + [Role.MEMBER] * (people - 2)
            Membership.objects.bulk_create(
                Membership(movement=movement, user=user, role=role)
                for user, role in zip(users[1:], roles, strict=True)
            )
            if k < 3:  # the member log-in belongs to a few other movements too
                Membership.objects.create(movement=movement, user_id=member_login)
            memberships = list(
                Membership.objects.filter(movement=movement).select_related("movement", "user")
            )
            organizer = next(m for m in memberships if m.user_id == users[0].pk)
            circles = []
            for place, (focus, lens, initiative, theory) in rng.sample(
                [(p, f) for p in words.PLACES[:6] for f in words.FOCUSES[:8]], rng.randrange(3, 6)
            ):
                circles.append(
                    circle_services.create_circle(
                        by=organizer,
                        name=f"{place} {focus}",
                        initiative=initiative,
                        theory_of_change=theory,
                        lens=lens,
                    )
                )
            seats = {}
            for membership in memberships:
                for circle in rng.sample(circles, rng.randrange(1, 3)):
                    circle_services.join_circle(membership=membership, circle=circle)
                    seats.setdefault(membership.pk, []).append(circle)
            currency = rng.choice(["EUR", "USD", "CAD"])
            pool = commons_services.create_pool(
                by=organizer,
                name="Solidarity Fund",
                kind="money",
                currency=currency,
                purpose="Emergencies of our members: rent, bail, medicine.",
                instant_limit=Decimal("100"),
                approvals_required=2,
            )
            for _ in range(rng.randrange(5, 16)):
                giver = rng.choice(memberships)
                commons_services.contribute(
                    by=giver,
                    pool=pool,
                    amount=Decimal(rng.choice(["10", "20", "25", "50", "100"])),
                    circle=rng.choice(seats[giver.pk]) if rng.random() < 0.4 else None,
                    anonymous=rng.random() < 0.2,
                )
            asker = rng.choice(memberships)
            commons_services.request_draw(
                by=asker,
                pool=pool,
                amount=Decimal("40"),
                purpose=rng.choice(words.DRAW_PURPOSES["money"]),
            )
            author = rng.choice(memberships)
            commons_services.add_archive_entry(
                by=author,
                title=f"Our first {rng.choice(words.TACTICS)}",
                body="\n\n".join(rng.sample(words.LESSONS, 3)),
                tags=rng.sample(words.TACTICS, 2),
                circle=rng.choice(seats[author.pk]),
            )


def _verbs_used():
    return [
        MovementVerb.MEMBER_JOINED,
        CircleVerb.CIRCLE_CREATED,
        CircleVerb.CONVENER_ADDED,
        CircleVerb.CIRCLE_JOINED,
        CommonsVerb.POOL_CREATED,
        CommonsVerb.CONTRIBUTED,
        CommonsVerb.DRAW_REQUESTED,
        CommonsVerb.DRAW_APPROVED,
        CommonsVerb.DRAW_DECLINED,
        CommonsVerb.DRAW_GRANTED,
        CommonsVerb.DRAW_REFUSED,
        CommonsVerb.DRAW_WITHDRAWN,
        CommonsVerb.ENTRY_REVERSED,
        CommonsVerb.ARCHIVE_ADDED,
        ConvergenceVerb.REPORT_SUBMITTED,
        FacilitationVerb.GATHERING_CLOSED,
    ]


def _kinds_used():
    return [
        CommonsKind.DRAW_SETTLED,
        FacilitationKind.MINUTES_PUBLISHED,
        ReminderKind.GATHERING_TOMORROW,
        ReminderKind.REPORT_DUE,
    ]
