import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from movement.models import Movement


class Timer(models.Model):
    """A deadline kept in the database, never in the broker.

    The sweep claims due rows with ``SELECT … FOR UPDATE SKIP LOCKED``, runs the
    handler registered for ``kind`` and sets ``fired_at`` in the same transaction,
    so each timer fires once even with two sweepers, and a sweeper that dies
    half-way leaves its timer for the next one. A failing handler is retried with
    backoff (``run_after``) and its error kept in ``last_error``.
    """

    movement = models.ForeignKey(
        Movement, on_delete=models.CASCADE, null=True, blank=True, related_name="timers"
    )
    kind = models.CharField(_("kind"), max_length=60)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    due_at = models.DateTimeField(_("due at"))
    run_after = models.DateTimeField()
    fired_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(
                fields=["run_after"],
                name="timer_pending",
                condition=Q(fired_at__isnull=True, cancelled_at__isnull=True),
            ),
            models.Index(fields=["target_type", "target_id", "kind"], name="timer_target"),
        ]

    def __str__(self):
        return f"{self.kind} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def target(self):
        if self.target_type_id is None:
            return None
        return self.target_type.get_object_for_this_type(pk=self.target_id)


class SweepHeartbeat(models.Model):
    """One row: when the timer sweep last finished, for ``/healthz``."""

    swept_at = models.DateTimeField()
    fired = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"last sweep {self.swept_at:%Y-%m-%d %H:%M:%S}"


class Rhythm(models.Model):
    """How often a movement converges: monthly, seasonal, lunar or a custom RRULE.

    Times are wall-clock times in the movement's time zone, so "first Saturday, 18:00"
    stays 18:00 across daylight-saving changes.
    """

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("monthly")
        SEASONAL = "seasonal", _("seasonal — solstices and equinoxes")
        LUNAR = "lunar", _("lunar")
        CUSTOM = "custom", _("custom recurrence rule")

    class MoonPhase(models.TextChoices):
        NEW = "new", _("new moon")
        FULL = "full", _("full moon")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    class Week(models.IntegerChoices):
        FIRST = 1, _("first")
        SECOND = 2, _("second")
        THIRD = 3, _("third")
        FOURTH = 4, _("fourth")
        LAST = -1, _("last")

    movement = models.OneToOneField(Movement, on_delete=models.CASCADE, related_name="rhythm")
    kind = models.CharField(_("rhythm"), max_length=10, choices=Kind.choices)
    week = models.SmallIntegerField(_("week of the month"), choices=Week.choices, null=True)
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices, null=True)
    moon_phase = models.CharField(
        _("moon phase"), max_length=4, choices=MoonPhase.choices, blank=True
    )
    rrule = models.CharField(_("recurrence rule"), max_length=500, blank=True)
    local_time = models.TimeField(_("starts at"))
    duration = models.DurationField(_("lasts"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    call_link = models.URLField(_("call link"), blank=True)
    report_days_before = models.PositiveSmallIntegerField(_("reports due (days before)"), default=3)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.get_kind_display()} rhythm of {self.movement}"


class Cycle(models.Model):
    """One turn of the rhythm: the stretch of action that ends in its gathering."""

    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="cycles")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["movement", "number"], name="cycle_number_unique")
        ]

    def __str__(self):
        return f"Cycle {self.number}"


class Gathering(models.Model):
    """A time-bound convergence where each circle reports back and commits to what's next."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        LIVE = "live", _("live")
        CLOSED = "closed", _("closed")

    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, related_name="gathering")
    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="gatherings")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    call_link = models.URLField(_("call link"), blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.SCHEDULED)
    from_rhythm = models.BooleanField(
        default=True, help_text="Made by the scheduler; rescheduled when the rhythm changes."
    )
    facilitators = models.ManyToManyField(
        "movement.Membership", blank=True, related_name="facilitated_gatherings"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    current_item = models.ForeignKey(
        "AgendaItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Bumped by every change facilitator mode makes: the live page polls it cheaply.
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["movement", "starts_at"], name="gathering_movement_time")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="gathering_ends_after_start"
            )
        ]

    def __str__(self):
        return f"Gathering of {self.movement} on {self.starts_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse(
            "rituals:gathering",
            kwargs={"movement_slug": self.movement.slug, "gathering_id": self.pk},
        )

    @property
    def opens_at(self):
        """From when a facilitator may start it: a little before it begins."""
        return self.starts_at - timedelta(minutes=settings.GATHERING_OPENS_MINUTES_BEFORE)

    def can_start_at(self, now):
        """A planned gathering starts on its own clock: from ``opens_at`` until its end."""
        return self.state == self.State.SCHEDULED and self.opens_at <= now < self.ends_at


class Rsvp(models.Model):
    """A member's answer to a gathering. Only totals are ever shown: presence is desire,
    not obligation, and nobody is listed as absent."""

    class Answer(models.TextChoices):
        YES = "yes", _("yes")
        MAYBE = "maybe", _("maybe")
        NO = "no", _("no")

    gathering = models.ForeignKey(Gathering, on_delete=models.CASCADE, related_name="rsvps")
    member = models.ForeignKey(
        "movement.Membership", on_delete=models.CASCADE, related_name="rsvps"
    )
    answer = models.CharField(max_length=5, choices=Answer.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["gathering", "member"], name="one_rsvp_per_member")
        ]

    def __str__(self):
        return f"{self.answer} to {self.gathering}"


class CircleReport(models.Model):
    """What a circle brings to its cycle's gathering, written by its conveners."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="reports")
    circle = models.ForeignKey("circles.Circle", on_delete=models.CASCADE, related_name="reports")
    did = models.TextField(_("what we did"), max_length=4000)
    lessons = models.TextField(_("lessons learned"), max_length=4000, blank=True)
    needs = models.TextField(
        _("what we need (from the commons or other circles)"), max_length=4000, blank=True
    )
    intention = models.TextField(_("our intention for the next phase"), max_length=4000)
    tactics = models.CharField(_("tactics used"), max_length=500, blank=True)
    # The library's tactics that ``tactics`` names, worked out when the report is written.
    tactic_tags = models.ManyToManyField("movement.Tactic", blank=True, related_name="reports")
    submitted_by = models.ForeignKey(
        "movement.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["circle__name"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "circle"], name="one_report_per_circle_cycle")
        ]
        indexes = [models.Index(fields=["circle", "cycle"], name="report_circle_cycle")]

    def __str__(self):
        return f"{self.circle} report for cycle {self.cycle.number}"


class Commitment(models.Model):
    """A circle's commitment made at a gathering; the next cycle's report says how it went."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("not reviewed yet")
        DONE = "done", _("done")
        PARTLY = "partly", _("partly done")
        NOT_DONE = "not_done", _("not done")

    gathering = models.ForeignKey(Gathering, on_delete=models.CASCADE, related_name="commitments")
    circle = models.ForeignKey(
        "circles.Circle", on_delete=models.CASCADE, related_name="commitments"
    )
    text = models.CharField(_("commitment"), max_length=500)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    reviewed_in = models.ForeignKey(
        CircleReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviewed"
    )
    # The other circles the text names, worked out when it was written (rituals.naming).
    named_circles = models.ManyToManyField(
        "circles.Circle", related_name="named_in_commitments", blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["circle", "outcome"], name="commitment_circle_outcome")]

    def __str__(self):
        return self.text


def new_feed_token():
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A person's private calendar URL. Making a new token revokes the old link."""

    user = models.OneToOneField(
        "movement.User", on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"calendar feed of {self.user}"


class AgendaItem(models.Model):
    """One timeboxed point of a gathering: a circle's report-back or the facilitator's own."""

    gathering = models.ForeignKey(Gathering, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveIntegerField()
    title = models.CharField(_("title"), max_length=200)
    circle = models.ForeignKey(
        "circles.Circle", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    timebox = models.DurationField(_("timebox"))
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(_("notes"), max_length=10000, blank=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["gathering", "position"], name="agenda_gathering_position")]

    def __str__(self):
        return self.title

    @property
    def ends_at(self):
        return self.started_at + self.timebox if self.started_at else None


class Decision(models.Model):
    """Something the gathering decided, in the words recorded by the facilitator."""

    gathering = models.ForeignKey(Gathering, on_delete=models.CASCADE, related_name="decisions")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    text = models.CharField(_("decision"), max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.text


# --- integration sprints ("swap and forge") ------------------------------------------------


def new_round_seed():
    return secrets.randbelow(2**31)


class SprintRoundQuerySet(models.QuerySet):
    def for_movement(self, movement):
        return self.filter(movement=movement)

    def in_progress(self):
        """Open to circles, or proposed and waiting for launch: a movement has at most one."""
        return self.filter(state__in=SprintRound.IN_PROGRESS)


class SprintRound(models.Model):
    """A round of integration sprints: circles opt in until ``deadline``, the system proposes
    the pairs that have collaborated least, a facilitator may swap circles, then launches.

    ``seed`` is drawn once, when the round opens, and breaks the pairing's ties: the same
    round always proposes the same pairs, so a proposal can be replayed and explained.
    ``sprint_length`` is this round's sprint length: the movement has no settings model of
    its own besides ``Movement`` (owned by the ground floor), so the length is chosen when
    the round opens, 72 hours unless told otherwise.
    """

    class State(models.TextChoices):
        OPEN = "open", _("open to circles")
        PROPOSED = "proposed", _("pairs proposed")
        LAUNCHED = "launched", _("launched")
        CANCELLED = "cancelled", _("cancelled")

    IN_PROGRESS = (State.OPEN, State.PROPOSED)
    DEFAULT_SPRINT_HOURS = 72

    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="sprint_rounds")
    opened_by = models.ForeignKey(
        "movement.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    deadline = models.DateTimeField(_("circles opt in until"))
    sprint_hours = models.PositiveSmallIntegerField(
        _("sprint length (hours)"), default=DEFAULT_SPRINT_HOURS
    )
    seed = models.PositiveIntegerField(default=new_round_seed, editable=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    # Kept in the same transaction as each opt-in and opt-out, so no page counts the rows.
    circle_count = models.PositiveIntegerField(default=0)
    # How many groups were proposed: the round page shows them a range at a time.
    group_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    proposed_at = models.DateTimeField(null=True, blank=True)
    launched_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = SprintRoundQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["movement", "-created_at", "-id"], name="sprint_round_movement")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["movement"],
                condition=Q(state__in=["open", "proposed"]),
                name="one_sprint_round_in_progress",
            ),
            models.CheckConstraint(
                condition=Q(sprint_hours__gte=1, sprint_hours__lte=24 * 14),
                name="sprint_round_length",
            ),
        ]

    def __str__(self):
        return f"Sprint round of {self.movement} opened {self.created_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse(
            "rituals:sprint_round",
            kwargs={"movement_slug": self.movement.slug, "round_id": self.pk},
        )

    @property
    def sprint_length(self):
        return timedelta(hours=self.sprint_hours)

    def accepts_circles_at(self, now):
        return self.state == self.State.OPEN and now < self.deadline


class RoundCircle(models.Model):
    """A circle that opted in to a round, said by one of its conveners. Once the pairs are
    proposed, ``group`` numbers the proposed sprint the circle is in (1, 2, …): a swap
    exchanges two circles' groups; launching turns each group into a ``Sprint``."""

    round = models.ForeignKey(SprintRound, on_delete=models.CASCADE, related_name="entries")
    circle = models.ForeignKey(
        "circles.Circle", on_delete=models.CASCADE, related_name="sprint_round_entries"
    )
    opted_in_by = models.ForeignKey(
        "movement.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opted_in_at = models.DateTimeField(default=timezone.now)
    group = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["opted_in_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "circle"], name="one_entry_per_round_circle")
        ]
        indexes = [
            models.Index(fields=["round", "opted_in_at", "id"], name="round_entry_order"),
            models.Index(fields=["round", "group"], name="round_entry_group"),
            models.Index(fields=["circle", "round"], name="round_entry_circle"),
        ]

    def __str__(self):
        return f"{self.circle} in {self.round}"


class SprintQuerySet(models.QuerySet):
    def for_movement(self, movement):
        return self.filter(movement=movement)

    def running(self):
        return self.filter(state=Sprint.State.RUNNING)

    def of_member(self, membership):
        """Sprints of the circles this member sits in."""
        return self.filter(
            pk__in=SprintCircle.objects.filter(
                circle__circle_memberships__member=membership
            ).values("sprint")
        )

    def with_circles(self):
        """Each sprint's circles in one more query, by name."""
        return self.prefetch_related(
            models.Prefetch(
                "sprint_circles",
                queryset=SprintCircle.objects.select_related("circle__movement").order_by(
                    "circle__name"
                ),
            )
        )


class Sprint(models.Model):
    """Two circles (three for a round's odd one out) forging a hybrid artifact from the
    commons, from ``starts_at`` until ``ends_at``. A durable timer moves it to presenting
    at ``ends_at``; a facilitator closes it."""

    class State(models.TextChoices):
        RUNNING = "running", _("running")
        PRESENTING = "presenting", _("presenting")
        CLOSED = "closed", _("closed")

    round = models.ForeignKey(SprintRound, on_delete=models.CASCADE, related_name="sprints")
    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="sprints")
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    # The collaboration strength between its circles when it launched: low on purpose.
    strength = models.PositiveIntegerField(default=0)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    presenting_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = SprintQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["round", "id"], name="sprint_round_order"),
            models.Index(fields=["movement", "state", "ends_at"], name="sprint_movement_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="sprint_ends_after_start"
            )
        ]

    def __str__(self):
        return f"Sprint {self.pk} of {self.movement}"

    def get_absolute_url(self):
        return reverse(
            "rituals:sprint",
            kwargs={"movement_slug": self.movement.slug, "sprint_id": self.pk},
        )

    @property
    def length_seconds(self):
        return int((self.ends_at - self.starts_at).total_seconds())

    def seconds_elapsed(self, now):
        """How far along the sprint is, for its countdown bar: 0 before, its length after."""
        return min(max(int((now - self.starts_at).total_seconds()), 0), self.length_seconds)


class SprintCircle(models.Model):
    """A circle in a sprint. ``round`` repeats the sprint's round so the database itself
    keeps each circle in one sprint per round."""

    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="sprint_circles")
    round = models.ForeignKey(SprintRound, on_delete=models.CASCADE, related_name="+")
    circle = models.ForeignKey(
        "circles.Circle", on_delete=models.CASCADE, related_name="sprint_circles"
    )

    class Meta:
        ordering = ["sprint_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["sprint", "circle"], name="one_seat_per_sprint"),
            models.UniqueConstraint(fields=["round", "circle"], name="one_sprint_per_round_circle"),
        ]
        indexes = [models.Index(fields=["circle", "sprint"], name="sprint_circle_circle")]

    def __str__(self):
        return f"{self.circle} in {self.sprint}"


# --- the open log and the sprint's draws (slice 2) -------------------------------------------


class SprintLogEntryQuerySet(models.QuerySet):
    def for_movement(self, movement):
        return self.filter(movement=movement)

    def frictions(self):
        return self.filter(kind=SprintLogEntry.Kind.FRICTION)


class SprintLogEntry(models.Model):
    """One line of a sprint's open log: a friction or a breakthrough met by a member of one
    of the sprint's circles, tagged with a category and, if it helps, the pool or the tool
    involved. Written while the sprint runs or presents; read by the whole movement.

    ``movement`` repeats the sprint's movement so the frictions report, across every sprint,
    filters and groups one table through its own indexes."""

    class Kind(models.TextChoices):
        FRICTION = "friction", _("friction")
        BREAKTHROUGH = "breakthrough", _("breakthrough")

    class Category(models.TextChoices):
        COMMONS_ACCESS = "commons_access", _("commons access")
        COMMUNICATION_TOOLS = "communication_tools", _("communication tools")
        TEMPO = "tempo", _("tempo")
        LANGUAGE = "language", _("language and jargon")
        ROLES = "roles", _("roles")
        OTHER = "other", _("other")

    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="+")
    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="log_entries")
    # The log outlives a member who leaves; the circle they wrote for stays named.
    author = models.ForeignKey(
        "movement.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    circle = models.ForeignKey(
        "circles.Circle", on_delete=models.CASCADE, related_name="sprint_log_entries"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    pool = models.ForeignKey(
        "commons.Pool",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pool involved"),
    )
    tool = models.CharField(_("tool involved"), max_length=80, blank=True)
    text = models.TextField(_("what happened"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    objects = SprintLogEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sprint page's log, newest first, a page at a time.
            models.Index(fields=["sprint", "-created_at", "-id"], name="sprint_log_order"),
            # The frictions report: counts by category and month, and the entries behind one.
            models.Index(
                fields=["movement", "kind", "category", "-created_at", "-id"],
                name="sprint_log_report",
            ),
            models.Index(
                fields=["movement", "kind", "-created_at", "-id"], name="sprint_log_report_all"
            ),
            # The pools most involved.
            models.Index(
                fields=["movement", "kind", "pool"],
                name="sprint_log_pool",
                condition=Q(pool__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["friction", "breakthrough"]), name="sprint_log_kind"
            ),
            models.CheckConstraint(
                condition=Q(
                    category__in=[
                        "commons_access",
                        "communication_tools",
                        "tempo",
                        "language",
                        "roles",
                        "other",
                    ]
                ),
                name="sprint_log_category",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} in {self.sprint}: {self.text[:40]}"


class SprintDraw(models.Model):
    """A draw request from the commons that served a sprint: a sprint draws only on the
    commons. The link lives here, pointing down at the draw; ``commons`` knows nothing of
    sprints. A draw serves one sprint at most."""

    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="draws")
    draw_request = models.OneToOneField(
        "commons.DrawRequest", on_delete=models.CASCADE, related_name="+"
    )
    linked_by = models.ForeignKey(
        "movement.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["sprint", "created_at", "id"], name="sprint_draw_order")]

    def __str__(self):
        return f"Draw {self.draw_request_id} for {self.sprint}"


class SprintBooking(models.Model):
    """A shared space or tool of the commons booked for a sprint's hours. Like its draws,
    the link lives here, pointing down at the booking; ``commons`` knows nothing of
    sprints."""

    sprint = models.ForeignKey(Sprint, on_delete=models.CASCADE, related_name="bookings")
    booking = models.OneToOneField("commons.Booking", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["sprint", "created_at"], name="sprint_booking_order")]

    def __str__(self):
        return f"Booking {self.booking_id} for {self.sprint}"


# --- the artifact, its files and the reflection (slice 3) ------------------------------------


class SprintArtifact(models.Model):
    """What a sprint's circles forged together, published by one of their members while the
    sprint runs or presents, and their reflection on the obstacles met, written once the
    artifact exists. One per sprint; once the sprint is closed, neither changes."""

    sprint = models.OneToOneField(Sprint, on_delete=models.CASCADE, related_name="artifact")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000)
    # http and https only (checked by the service): a link others will follow.
    link = models.URLField(_("link"), max_length=500, blank=True)
    published_by = models.ForeignKey(
        "movement.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    tactics = models.CharField(_("tactics used"), max_length=300, blank=True)
    # The library's tactics ``tactics`` names, worked out when the artifact is saved.
    tactic_tags = models.ManyToManyField(
        "movement.Tactic", blank=True, related_name="sprint_artifacts"
    )
    reflection = models.TextField(_("reflection on the obstacles met"), max_length=5000, blank=True)
    reflected_by = models.ForeignKey(
        "movement.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reflected_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.title


def artifact_file_path(instance, filename):
    """A random name in a folder per movement: nothing of the uploaded name reaches the disk,
    so no name can be guessed or made to mean something to the server."""
    return f"artifacts/{instance.movement_id}/{secrets.token_hex(16)}"


class ArtifactFile(models.Model):
    """A file attached to a sprint's artifact, kept under ``MEDIA_ROOT`` under a random
    name and served only through the permission-checked download view, never from a public
    path. ``content_type`` is what its content was recognised as (``rituals.uploads``), not
    what the browser claimed. ``movement`` repeats the sprint's so a download is found in
    one query scoped to the caller's movement."""

    artifact = models.ForeignKey(SprintArtifact, on_delete=models.CASCADE, related_name="files")
    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to=artifact_file_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        "movement.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["artifact", "created_at", "id"], name="artifact_file_order")
        ]

    def __str__(self):
        return self.original_name

    @property
    def download_name(self):
        from rituals.uploads import download_name

        return download_name(self.original_name, self.content_type)


# The conflict ritual and its cases, in a module of their own.
from rituals.models.conflicts import (  # noqa: E402, F401
    Agreement,
    AgreementCheck,
    AvailabilityAnswer,
    AvailabilityOption,
    CaseFacilitator,
    CaseParty,
    CaseView,
    ConflictCase,
    ConflictRitual,
)
from rituals.models.sovereignty import SovereigntyRecord  # noqa: E402, F401
