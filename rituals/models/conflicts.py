"""The conflict ritual and the cases carried through it.

"Cohesion does not mean absence of conflict. It means presence of containers for conflict."
A movement writes its ritual before it needs it (``ConflictRitual``, versioned); each case
(``ConflictCase``) follows the version in force when it was filed, through one state machine
kept in ``rituals.services.conflicts``.

Confidential by construction: what a case says (its description, the parties' statements,
its agreements) is sealed (``rituals.sealing``), readable only with keys kept outside the
database, and deleted once the ritual's retention period has passed after closing; only
the case's bare facts (its state and dates: the anonymous figures) stay.
"""

from datetime import timedelta

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from movement.models import Movement
from rituals.sealing import SealedTextField


class ConflictRitual(models.Model):
    """One version of a movement's conflict ritual; the highest version is in force. Earlier
    versions stay, readable, and each case points at the one it followed."""

    movement = models.ForeignKey(
        Movement, on_delete=models.CASCADE, related_name="conflict_rituals"
    )
    version = models.PositiveIntegerField()
    text = models.TextField(_("the ritual"), max_length=20_000)
    cooling_off_hours = models.PositiveSmallIntegerField(
        _("cooling-off period (hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 14)],
        help_text=_("From filing to the first step: nobody acts in the heat of the moment."),
    )
    follow_up_days = models.PositiveSmallIntegerField(
        _("follow-up after (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(180)],
        help_text=_("After the listening circle, when the parties check whether agreements held."),
    )
    retention_months = models.PositiveSmallIntegerField(
        _("keep closed cases' texts for (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Then what the cases said is deleted; only anonymous figures stay."),
    )
    adopted_by = models.ForeignKey(
        "movement.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    adopted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["movement", "version"], name="conflict_ritual_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(
                    cooling_off_hours__gte=1, follow_up_days__gte=1, retention_months__gte=1
                ),
                name="conflict_ritual_periods_positive",
            ),
        ]

    def __str__(self):
        return f"Conflict ritual v{self.version} of {self.movement}"

    def get_absolute_url(self):
        return reverse(
            "rituals:conflict_ritual_version",
            kwargs={"movement_slug": self.movement.slug, "version": self.version},
        )

    @property
    def cooling_off(self):
        return timedelta(hours=self.cooling_off_hours)

    @property
    def follow_up(self):
        return timedelta(days=self.follow_up_days)


class ConflictCaseQuerySet(models.QuerySet):
    def for_movement(self, movement):
        return self.filter(movement=movement)

    def visible_to(self, membership):
        """The cases a member may see: theirs as a party or as an assigned facilitator;
        every case of the movement for its organizers."""
        from movement.models import Role

        cases = self.filter(movement=membership.movement_id)
        if membership.role == Role.ORGANIZER:
            return cases
        return cases.filter(
            Q(parties__member=membership) | Q(facilitators__member=membership)
        ).distinct()


class ConflictCase(models.Model):
    """A conflict carried through the ritual. ``state`` moves only through
    ``rituals.services.conflicts``, which refuses an illegal move with its reason."""

    class State(models.TextChoices):
        COOLING_OFF = "cooling_off", _("cooling off")
        AWAITING_CIRCLE = "awaiting", _("awaiting a listening circle")
        SCHEDULED = "scheduled", _("listening circle scheduled")
        HELD = "held", _("listening circle held")
        FOLLOW_UP = "follow_up", _("follow-up")
        CLOSED = "closed", _("closed")

    # A practice drill walks every step in minutes, these unless its runner chooses others.
    DRILL_COOLING_OFF_MINUTES = 2
    DRILL_FOLLOW_UP_MINUTES = 5
    DRILL_MOST_MINUTES = 24 * 60

    OPEN_STATES = (
        State.COOLING_OFF,
        State.AWAITING_CIRCLE,
        State.SCHEDULED,
        State.HELD,
        State.FOLLOW_UP,
    )

    class About(models.TextChoices):
        STRATEGY = "strategy", _("strategy: what we do and how")
        BEHAVIOUR = "behaviour", _("behaviour: something that was done or said")

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", _("resolved")
        UNRESOLVED = "unresolved", _("unresolved")
        WITHDRAWN = "withdrawn", _("withdrawn by the person who filed it")

    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="conflict_cases")
    ritual = models.ForeignKey(ConflictRitual, on_delete=models.PROTECT, related_name="cases")
    filed_by = models.ForeignKey(
        "movement.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    about = models.CharField(_("this is about"), max_length=10, choices=About.choices)
    description = SealedTextField(_("what was done or decided"), blank=True)
    is_practice = models.BooleanField(_("practice drill"), default=False)
    state = models.CharField(max_length=12, choices=State.choices, default=State.COOLING_OFF)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    cooling_off_ends_at = models.DateTimeField()
    # From the listening circle to the follow-up: the ritual's days, or a drill's minutes.
    follow_up_after = models.DurationField()
    circle_at = models.DateTimeField(_("listening circle at"), null=True, blank=True)
    circle_place = models.CharField(_("where"), max_length=200, blank=True)
    awaiting_since = models.DateTimeField(null=True, blank=True)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    follow_up_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # When the retention period passed and every text of the case was deleted.
    texts_purged_at = models.DateTimeField(null=True, blank=True)

    objects = ConflictCaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["movement", "state"], name="conflict_case_state"),
            models.Index(fields=["movement", "-created_at", "-id"], name="conflict_case_recent"),
            models.Index(
                fields=["closed_at"],
                name="conflict_case_to_purge",
                condition=Q(state="closed", texts_purged_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"Case {self.pk}"  # never the case's text

    def get_absolute_url(self):
        return reverse(
            "rituals:conflict_case",
            kwargs={"movement_slug": self.movement.slug, "case_id": self.pk},
        )

    @property
    def is_open(self):
        return self.state in self.OPEN_STATES


class CaseParty(models.Model):
    """A member the case is between: the person who filed it and those it names."""

    case = models.ForeignKey(ConflictCase, on_delete=models.CASCADE, related_name="parties")
    # Kept when the person leaves the movement (their account stays part of the case).
    member = models.ForeignKey(
        "movement.Membership",
        on_delete=models.SET_NULL,
        null=True,
        related_name="case_parties",
    )
    is_filer = models.BooleanField(default=False)
    statement = SealedTextField(_("your account"), blank=True)
    heard_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "member"], name="one_party_seat_per_case")
        ]
        indexes = [models.Index(fields=["member", "case"], name="case_party_member")]

    def __str__(self):
        return f"Party to case {self.case_id}"

    @property
    def name(self):
        if self.member_id is None:
            return _("a former member")
        return self.member.user.display_name


class CaseFacilitator(models.Model):
    """A facilitator assigned to hold a case's listening circle."""

    case = models.ForeignKey(ConflictCase, on_delete=models.CASCADE, related_name="facilitators")
    member = models.ForeignKey(
        "movement.Membership", on_delete=models.CASCADE, related_name="facilitated_cases"
    )
    assigned_by = models.ForeignKey(
        "movement.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "member"], name="one_facilitator_seat_per_case")
        ]
        indexes = [models.Index(fields=["member", "case"], name="case_facilitator_member")]

    def __str__(self):
        return f"Facilitator of case {self.case_id}"


class AvailabilityOption(models.Model):
    """A time the facilitator offers for the listening circle."""

    case = models.ForeignKey(ConflictCase, on_delete=models.CASCADE, related_name="options")
    starts_at = models.DateTimeField(_("starts at"))

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "starts_at"], name="one_option_per_time")
        ]

    def __str__(self):
        return f"Option for case {self.case_id}"


class AvailabilityAnswer(models.Model):
    """A party's mark on one time: they can attend, or they cannot."""

    option = models.ForeignKey(AvailabilityOption, on_delete=models.CASCADE, related_name="answers")
    party = models.ForeignKey(CaseParty, on_delete=models.CASCADE, related_name="answers")
    can_attend = models.BooleanField()
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["option", "party"], name="one_answer_per_option")
        ]

    def __str__(self):
        return f"Answer for case option {self.option_id}"


class Agreement(models.Model):
    """What the parties agreed in the listening circle."""

    case = models.ForeignKey(ConflictCase, on_delete=models.CASCADE, related_name="agreements")
    text = SealedTextField(_("agreement"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return f"Agreement {self.position} of case {self.case_id}"


class AgreementCheck(models.Model):
    """At the follow-up, a party says whether an agreement held."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="checks")
    party = models.ForeignKey(CaseParty, on_delete=models.CASCADE, related_name="checks")
    held = models.BooleanField()
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agreement", "party"], name="one_check_per_agreement")
        ]

    def __str__(self):
        return f"Check of agreement {self.agreement_id}"


class CaseView(models.Model):
    """Someone opened the case's page: the case's own access log, shown to its parties."""

    case = models.ForeignKey(ConflictCase, on_delete=models.CASCADE, related_name="views")
    viewer = models.ForeignKey(
        "movement.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    viewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-viewed_at", "-id"]
        indexes = [models.Index(fields=["case", "-viewed_at", "-id"], name="case_view_recent")]

    def __str__(self):
        return f"View of case {self.case_id}"
