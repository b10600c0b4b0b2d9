"""Factories for the data tests need (factory_boy).

Rows with rules of their own are made through the service that keeps the rule: a draw
request through ``request_draw``, a rhythm (and the gatherings it plans) through
``set_rhythm``. Everything else is a plain row.
"""

from datetime import time, timedelta
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from circles.models import Circle, CircleMembership, Lens
from commons import services as commons_services
from commons.amounts import pool_places
from commons.models import DrawRequest, Pool
from movement.models import Membership, Movement, Role, User
from rituals.models import (
    CircleReport,
    Cycle,
    Gathering,
    Rhythm,
    RoundCircle,
    Sprint,
    SprintLogEntry,
    SprintRound,
)
from rituals.services import convergence, sprints

PASSWORD = "a-long-test-passphrase"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class MovementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Movement

    name = factory.Sequence(lambda n: f"Movement {n}")
    slug = factory.Sequence(lambda n: f"movement-{n}")
    horizon = "Housing, food and safety held in common."


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    movement = factory.SubFactory(MovementFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER


class CircleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Circle

    movement = factory.SubFactory(MovementFactory)
    name = factory.Sequence(lambda n: f"Circle {n}")
    name_key = factory.LazyAttribute(lambda circle: Circle.key_for(circle.name))
    slug = factory.Sequence(lambda n: f"circle-{n}")
    initiative = "Weekly free pantry."
    theory_of_change = "Trust built over meals becomes a rent strike's lists."
    lens = Lens.VOLUNTARIST


class CircleMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CircleMembership

    circle = factory.SubFactory(CircleFactory)
    member = factory.SubFactory(MembershipFactory)
    is_convener = False


# --- the commons -------------------------------------------------------------------------


class PoolFactory(factory.django.DjangoModelFactory):
    """A pool as a bare row, and always empty: money moves only through
    ``commons.services.contribute`` and ``request_draw``, so every balance stays the sum of
    its ledger entries. ``PoolFactory(hours=True)`` is a time bank, ``items=True`` counts
    tents."""

    class Meta:
        model = Pool

    class Params:
        hours = factory.Trait(kind=Pool.Kind.HOURS, currency="")
        items = factory.Trait(kind=Pool.Kind.ITEMS, currency="", unit="tents")

    movement = factory.SubFactory(MovementFactory)
    name = factory.Sequence(lambda n: f"Pool {n}")
    name_key = factory.LazyAttribute(lambda pool: pool.name.strip().casefold())
    kind = Pool.Kind.MONEY
    currency = "EUR"
    unit = ""
    decimal_places = factory.LazyAttribute(lambda pool: pool_places(pool.kind, pool.currency))
    purpose = "Held in common."
    instant_limit = Decimal("50")
    approvals_required = 2

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        if kwargs.get("balance"):
            raise ValueError("A pool starts empty: put money in with commons.services.contribute.")
        return super()._create(model_class, *args, **kwargs)


class DrawRequestFactory(factory.Factory):
    """A draw request made the way a member makes one, through
    ``commons.services.request_draw``: up to the pool's limit it is granted at once (and
    refused if the pool cannot afford it); above it, it waits for other circles.

    ``DrawRequestFactory(by=mo, pool=fund, amount=Decimal("200"))``; ``by`` and ``pool``
    are required.
    """

    class Meta:
        model = DrawRequest

    amount = Decimal("20")
    purpose = "Bail for Sam"
    circle = None

    @classmethod
    def _create(cls, model_class, *, by, pool, amount, purpose, circle):
        return commons_services.request_draw(
            by=by, pool=pool, amount=amount, purpose=purpose, circle=circle
        )

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise TypeError("A draw request exists only once requested: use DrawRequestFactory().")


# --- convergence -------------------------------------------------------------------------


class RhythmFactory(factory.Factory):
    """A movement's rhythm, set the way an organizer sets it: through
    ``rituals.services.convergence.set_rhythm``, which plans the next three gatherings and
    their reminders. By default the first Saturday of each month, 18:00 to 20:00 in Paris,
    at Harbor hall.

    ``RhythmFactory(by=alice, now=…)``; ``by`` (an organizer) is required, and ``now`` is
    the moment the rhythm is set (the real time if left out).
    """

    class Meta:
        model = Rhythm

    kind = Rhythm.Kind.MONTHLY
    week = 1
    weekday = Rhythm.Weekday.SATURDAY
    local_time = time(18)
    duration = timedelta(hours=2)
    time_zone = "Europe/Paris"
    place = "Harbor hall"
    now = None

    @classmethod
    def _create(cls, model_class, *, by, **options):
        return convergence.set_rhythm(by=by, **options)

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise TypeError("A rhythm plans gatherings as it is set: use RhythmFactory().")


def first_gathering(*, by, **rhythm):
    """The first gathering of a rhythm ``by`` sets (``RhythmFactory``'s, changed by
    ``rhythm``): a movement with its convergences planned, for tests about one of them."""
    RhythmFactory(by=by, **rhythm)
    return Gathering.objects.filter(movement=by.movement).order_by("starts_at").first()


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cycle

    movement = factory.SubFactory(MovementFactory)
    number = factory.Sequence(lambda n: n + 1)


class GatheringFactory(factory.django.DjangoModelFactory):
    """One gathering as a bare row, with its cycle, and no reminders: for pages and
    selectors that read gatherings. To plan gatherings as the app does, use
    ``RhythmFactory``. Two hours long, a week from now unless told otherwise."""

    class Meta:
        model = Gathering

    movement = factory.SubFactory(MovementFactory)
    cycle = factory.SubFactory(CycleFactory, movement=factory.SelfAttribute("..movement"))
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda gathering: gathering.starts_at + timedelta(hours=2))
    state = Gathering.State.SCHEDULED


class CircleReportFactory(factory.django.DjangoModelFactory):
    """A circle's report for a cycle, as a bare row."""

    class Meta:
        model = CircleReport

    cycle = factory.SubFactory(CycleFactory)
    circle = factory.SubFactory(CircleFactory, movement=factory.SelfAttribute("..cycle.movement"))
    did = "Staffed three actions."
    intention = "Train two new medics."


# --- integration sprints -----------------------------------------------------------------


class SprintRoundFactory(factory.Factory):
    """A sprint round opened the way a facilitator opens one, through
    ``rituals.services.sprints.open_round``: circles may opt in for a week, sprints last 72
    hours. ``SprintRoundFactory(by=fay)``; ``by`` (a facilitator or organizer) is required."""

    class Meta:
        model = SprintRound

    deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    sprint_hours = 72
    now = None

    @classmethod
    def _create(cls, model_class, *, by, **options):
        return sprints.open_round(by=by, **options)

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise TypeError("A round exists only once opened: use SprintRoundFactory().")


class RoundCircleFactory(factory.django.DjangoModelFactory):
    """A circle in a round as a bare row, for pages that read many of them. It does not
    keep the round's ``circle_count``: to opt a circle in as a convener does, use
    ``rituals.services.sprints.opt_in``."""

    class Meta:
        model = RoundCircle

    round = factory.SubFactory(SprintRoundFactory)
    circle = factory.SubFactory(CircleFactory, movement=factory.SelfAttribute("..round.movement"))


class SprintFactory(factory.Factory):
    """A running sprint, launched the way a facilitator launches one: ``by`` opens a round,
    each circle of ``conveners`` (``{circle: its convener}``) opts in, the pairs are proposed
    and launched. Two circles make one sprint, three a trio.
    ``SprintFactory(by=fay, conveners={medics: cora, tenants: mo})``."""

    class Meta:
        model = Sprint

    @classmethod
    def _create(cls, model_class, *, by, conveners):
        sprint_round = sprints.open_round(by=by, deadline=timezone.now() + timedelta(days=7))
        for circle, convener in conveners.items():
            sprints.opt_in(by=convener, round=sprint_round, circle=circle)
        sprints.propose(by=by, round=sprint_round)
        return sprints.launch(by=by, round=sprint_round)[0]

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise TypeError("A sprint exists only once launched: use SprintFactory().")


class SprintLogEntryFactory(factory.django.DjangoModelFactory):
    """An entry of a sprint's open log as a bare row, for pages and reports that read many
    (``created_at`` may be any moment). To write one as a member does, use
    ``rituals.services.sprints.write_log_entry``. ``sprint`` and ``circle`` are required."""

    class Meta:
        model = SprintLogEntry

    movement = factory.LazyAttribute(lambda entry: entry.sprint.movement)
    author = None
    kind = SprintLogEntry.Kind.FRICTION
    category = SprintLogEntry.Category.TEMPO
    text = "We lost a day waiting for replies."
