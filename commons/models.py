"""The shared commons: pools no single circle owns, and the ledger nobody can rewrite."""

from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from circles.models import Circle, Lens
from movement.models import Movement

# Room for any pool: 16 digits before the point, 4 after; each pool uses fewer.
AMOUNT_DIGITS = 20
AMOUNT_PLACES = 4


def amount_field(verbose_name, **kwargs):
    return models.DecimalField(
        verbose_name, max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES, **kwargs
    )


class PoolQuerySet(models.QuerySet):
    def for_movement(self, movement):
        return self.filter(movement=movement)


class Pool(models.Model):
    """A resource held in common: money, hours or items, with a transparent access policy.

    ``balance`` is stored and changed only in the same transaction as the ledger entry
    that moves it, under a row lock; a pool that may not go negative is held to that
    by a check constraint, so concurrent draws cannot overdraw it.
    """

    class Kind(models.TextChoices):
        MONEY = "money", _("money")
        HOURS = "hours", _("hours (time bank)")
        ITEMS = "items", _("items")
        ROTATING = "rotating", _("rotating mutual aid")

    MONEY_KINDS = (Kind.MONEY, Kind.ROTATING)

    movement = models.ForeignKey(Movement, on_delete=models.PROTECT, related_name="pools")
    name = models.CharField(_("name"), max_length=80)
    # Case-folded name (Unicode-aware on every database): unique per movement.
    name_key = models.CharField(max_length=80, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    decimal_places = models.PositiveSmallIntegerField(default=2)
    purpose = models.TextField(_("purpose"), max_length=2000)
    instant_limit = amount_field(
        _("granted at once up to"),
        help_text=_("Draws up to this amount are granted at once; larger ones need approvals."),
    )
    approvals_required = models.PositiveSmallIntegerField(
        _("circles that must approve larger draws"), default=2
    )
    allow_negative = models.BooleanField(default=False)
    balance = amount_field(_("balance"), default=Decimal(0))
    created_at = models.DateTimeField(default=timezone.now)

    objects = PoolQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(allow_negative=True) | Q(balance__gte=0),
                name="pool_balance_not_negative",
                violation_error_message=_("The pool cannot go below zero."),
            ),
            models.CheckConstraint(
                condition=Q(approvals_required__gte=1), name="pool_needs_one_approval_or_more"
            ),
            models.UniqueConstraint(fields=["movement", "name_key"], name="pool_name_unique"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse(
            "commons:pool", kwargs={"movement_slug": self.movement.slug, "pool_id": self.pk}
        )

    @property
    def unit_label(self):
        if self.kind in self.MONEY_KINDS:
            return self.currency
        if self.kind == self.Kind.HOURS:
            return _("hours")
        return self.unit

    @property
    def quantum(self):
        """The smallest amount this pool counts: 0.01 for euros, 1 for tents."""
        return Decimal(1).scaleb(-self.decimal_places)


class LedgerEntry(models.Model):
    """One movement of value. Never updated, never deleted: a mistake is answered by a
    reversal that points at the entry it cancels. PostgreSQL refuses UPDATE and DELETE."""

    class Kind(models.TextChoices):
        CONTRIBUTION = "contribution", _("contribution")
        DRAW = "draw", _("draw")
        REVERSAL = "reversal", _("reversal")

    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # Signed: contributions add, draws subtract, a reversal is the negative of its entry.
    amount = amount_field(_("amount"))
    balance_after = amount_field(_("balance after"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    circle = models.ForeignKey(
        Circle, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    anonymous = models.BooleanField(_("anonymous to other members"), default=False)
    note = models.CharField(_("note"), max_length=500, blank=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "ledger entries"
        indexes = [
            models.Index(fields=["pool", "-created_at", "-id"], name="entry_pool_time"),
            models.Index(fields=["pool", "circle", "created_at"], name="entry_pool_circle_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="contribution", amount__gt=0, reverses__isnull=True)
                    | Q(kind="draw", amount__lt=0, reverses__isnull=True)
                    | Q(kind="reversal", reverses__isnull=False)
                ),
                name="entry_sign_matches_kind",
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="ledger_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.amount} in {self.pool}"

    @property
    def magnitude(self):
        return abs(self.amount)

    @cached_property
    def is_reversed(self):
        """Whether a reversal cancels this entry (the ledger page fills it in for a whole
        page with one query)."""
        return LedgerEntry.objects.filter(reverses=self).exists()


class DrawRequest(models.Model):
    """A member asks to draw from a pool. Small draws are granted at once; larger ones
    wait for approvals from members of enough circles other than the requester's."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting for approvals")
        APPROVED = "approved", _("approved, waiting for funds")
        GRANTED = "granted", _("granted")
        DECLINED = "declined", _("declined")
        WITHDRAWN = "withdrawn", _("withdrawn")

    OPEN_STATES = (State.PENDING, State.APPROVED)

    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="draw_requests")
    # People, not memberships: the history stays when someone leaves the movement.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="draw_requests"
    )
    circle = models.ForeignKey(
        Circle, on_delete=models.PROTECT, null=True, blank=True, related_name="draw_requests"
    )
    amount = amount_field(_("amount"))
    purpose = models.TextField(_("purpose"), max_length=2000)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    # The circles whose members may not approve: the requester's own, frozen at request time.
    excluded_circle_ids = models.JSONField(default=list, blank=True)
    entry = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="draw_request"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    # When the members of the circles that may decide were told it waits for them; empty
    # until then (the told-ing runs after the commit, and beat's sweep catches up on any
    # that a broker outage delayed).
    deciders_told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="draw_deciders_untold",
                condition=models.Q(state="pending", deciders_told_at__isnull=True),
            ),
            models.Index(fields=["pool", "state", "-created_at"], name="draw_pool_state"),
            models.Index(fields=["state", "-created_at"], name="draw_state"),
            # The draw list, newest first, walks this and stops after a page.
            models.Index(fields=["-created_at", "-id"], name="draw_time"),
        ]

    def __str__(self):
        return f"{self.amount} from {self.pool}"

    def get_absolute_url(self):
        return reverse(
            "commons:draw",
            kwargs={"movement_slug": self.pool.movement.slug, "draw_id": self.pk},
        )

    @property
    def is_open(self):
        return self.state in self.OPEN_STATES


class Approval(models.Model):
    """One member's decision on a draw request, counted for one of their circles."""

    class Decision(models.TextChoices):
        APPROVE = "approve", _("approve")
        DECLINE = "decline", _("decline")

    draw_request = models.ForeignKey(
        DrawRequest, on_delete=models.CASCADE, related_name="approvals"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="draw_decisions"
    )
    circle = models.ForeignKey(Circle, on_delete=models.PROTECT, related_name="approvals")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    comment = models.CharField(_("comment"), max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["draw_request", "member"], name="one_decision_per_member"
            )
        ]

    def __str__(self):
        return f"{self.member} {self.decision}s {self.draw_request}"


class ArchiveTag(models.Model):
    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="archive_tags")
    name = models.CharField(max_length=40)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["movement", "name"], name="archive_tag_unique")
        ]

    def __str__(self):
        return self.name


class ArchiveEntry(models.Model):
    """A tactic, lesson or how-to in the movement's knowledge archive (Markdown body)."""

    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="archive_entries")
    title = models.CharField(_("title"), max_length=160)
    body = models.TextField(_("body"), max_length=20000, help_text=_("Markdown is fine."))
    lens = models.CharField(_("lens"), max_length=20, choices=Lens.choices, blank=True)
    circle = models.ForeignKey(
        Circle,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="archive_entries",
        verbose_name=_("contributing circle"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="archive_entries"
    )
    tags = models.ManyToManyField(ArchiveTag, blank=True, related_name="entries")
    # The library's tactics its tags name (``movement.tactics``), worked out when it is saved.
    tactic_tags = models.ManyToManyField(
        "movement.Tactic", blank=True, related_name="archive_entries"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name_plural = "archive entries"
        indexes = [
            models.Index(fields=["movement", "-updated_at"], name="archive_movement_time"),
            models.Index(fields=["movement", "lens", "-updated_at"], name="archive_movement_lens"),
            models.Index(fields=["movement", "circle"], name="archive_movement_circle"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse(
            "commons:archive_entry",
            kwargs={"movement_slug": self.movement.slug, "entry_id": self.pk},
        )


class Resource(models.Model):
    """A space or tool the commons shares by the hour: the hall, the printing press, the van.
    Members book it up to ``max_hours`` at once; two bookings of one resource never overlap
    (on PostgreSQL an exclusion constraint holds that, migration 0008)."""

    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="resources")
    name = models.CharField(_("name"), max_length=80)
    name_key = models.CharField(max_length=80, editable=False)
    description = models.TextField(_("what it is"), max_length=2000)
    place = models.CharField(_("where it is"), max_length=200, blank=True)
    max_hours = models.PositiveSmallIntegerField(
        _("longest booking (hours)"),
        default=4,
        help_text=_("Members book it for up to this many hours at once."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["movement", "name_key"], name="resource_name_unique_per_movement"
            ),
            models.CheckConstraint(
                condition=Q(max_hours__gte=1, max_hours__lte=24 * 14),
                name="resource_max_hours_range",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse(
            "commons:resource",
            kwargs={"movement_slug": self.movement.slug, "resource_id": self.pk},
        )


class Booking(models.Model):
    """A time slot of a resource, for a member or a circle. Cancelled bookings stay (the
    history of who used the commons), and no longer hold their slot."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="bookings")
    booked_by = models.ForeignKey(
        "movement.Membership", on_delete=models.SET_NULL, null=True, related_name="bookings"
    )
    circle = models.ForeignKey(
        Circle, on_delete=models.SET_NULL, null=True, blank=True, related_name="bookings"
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    note = models.CharField(_("what for"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Longer than the resource's usual longest booking: it holds its slot while it waits
    # for a member of another circle than the booker's (frozen here) to approve it, as a
    # large draw does. Declined, it is cancelled and the slot is free again.
    waits_since = models.DateTimeField(null=True, blank=True)
    excluded_circle_ids = models.JSONField(default=list, blank=True)
    decided_by = models.ForeignKey(
        "movement.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    declined_because = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="booking_ends_after_start"
            ),
        ]
        indexes = [
            models.Index(
                fields=["resource", "starts_at"],
                name="booking_resource_time",
                condition=Q(cancelled_at__isnull=True),
            ),
            models.Index(fields=["booked_by", "starts_at"], name="booking_member_time"),
            models.Index(
                fields=["waits_since"],
                name="booking_waiting",
                condition=Q(waits_since__isnull=False, decided_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.resource} from {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def waits_for_approval(self):
        return (
            self.waits_since is not None and self.decided_at is None and self.cancelled_at is None
        )


class Pledge(models.Model):
    """A member's promise to give to a pool again and again: an amount, a rhythm, a start
    and maybe an end. The app moves no money: each time it falls due the pledger is asked
    whether they gave, and a yes is an ordinary contribution on the ledger
    (``PledgeGift``). Who pledged is known to the pledger alone when it is anonymous, and
    who skipped is known to nobody else."""

    class Rhythm(models.TextChoices):
        WEEKLY = "weekly", pgettext_lazy("how often a pledge falls due", "every week")
        MONTHLY = "monthly", _("every month")
        CONVERGENCE = "convergence", _("at every convergence")

    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="pledges")
    pledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pledges"
    )
    circle = models.ForeignKey(
        Circle, on_delete=models.SET_NULL, null=True, blank=True, related_name="pledges"
    )
    anonymous = models.BooleanField(_("anonymous to other members"), default=False)
    amount = amount_field(_("amount each time"))
    rhythm = models.CharField(_("how often"), max_length=12, choices=Rhythm.choices)
    starts_on = models.DateField(_("first time"))
    ends_on = models.DateField(_("last time (optional)"), null=True, blank=True)
    # The day it falls due next; empty once it has ended.
    next_due_on = models.DateField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="pledge_amount_positive"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="pledge_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(
                fields=["pool", "rhythm"],
                name="pledge_pool_live",
                condition=Q(ended_at__isnull=True, paused_at__isnull=True),
            ),
            models.Index(fields=["pledged_by", "-created_at"], name="pledge_person"),
        ]

    def __str__(self):
        return f"{self.amount} {self.rhythm} to {self.pool}"

    @property
    def is_live(self):
        return self.ended_at is None and self.paused_at is None


class PledgeGift(models.Model):
    """One time a pledge fell due, and what its pledger answered: they gave (an entry on the
    ledger), they skipped this one, or they have not said before the next one fell due."""

    class State(models.TextChoices):
        DUE = "due", _("waiting for your answer")
        GIVEN = "given", _("given")
        SKIPPED = "skipped", _("skipped")
        UNANSWERED = "unanswered", _("not answered")

    ANSWERABLE = (State.DUE, State.UNANSWERED)

    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="gifts")
    # The pledge's pool, kept here so a pool's kept-pledges figure is one indexed query.
    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="pledge_gifts")
    due_on = models.DateField()
    amount = amount_field(_("amount"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.DUE)
    entry = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="pledge_gift"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-due_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["pledge", "due_on"], name="one_gift_per_due_day"),
            models.CheckConstraint(
                condition=Q(state="given", entry__isnull=False)
                | (~Q(state="given") & Q(entry__isnull=True)),
                name="gift_given_has_entry",
            ),
        ]
        indexes = [
            models.Index(fields=["pool", "due_on"], name="gift_pool_day"),
            models.Index(fields=["pledge", "state"], name="gift_pledge_state"),
        ]

    def __str__(self):
        return f"{self.pledge} due {self.due_on}"


class Rotation(models.Model):
    """The terms of a rotating mutual-aid pool (a ``Pool`` of kind rotating): each round
    every participant puts in ``share``, and the whole pot goes to one of them, in an order
    agreed before the first round. The rounds close on durable timers."""

    class Order(models.TextChoices):
        LOT = "lot", _("by lot")
        NEED = "need", _("by need first, then by lot")

    class State(models.TextChoices):
        FORMING = "forming", _("forming: people join")
        RUNNING = "running", _("running")
        FINISHED = "finished", _("finished")

    pool = models.OneToOneField(Pool, on_delete=models.PROTECT, related_name="rotation")
    share = amount_field(_("each one's share per round"))
    round_days = models.PositiveSmallIntegerField(_("days per round"))
    order = models.CharField(_("payout order"), max_length=4, choices=Order.choices)
    # The lot is drawn from this: anyone can draw it again and get the same order.
    seed = models.CharField(max_length=32)
    state = models.CharField(max_length=8, choices=State.choices, default=State.FORMING)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rotations_opened"
    )
    started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(share__gt=0), name="rotation_share_positive"),
            models.CheckConstraint(
                condition=Q(round_days__gte=1, round_days__lte=92), name="rotation_round_days"
            ),
        ]

    def __str__(self):
        return f"rotation of {self.pool}"


class RotationSeat(models.Model):
    """One participant, on their own consent, and their place in the payout order. Under
    the need order a participant may ask to go earlier, with a reason the others decide on."""

    class Ask(models.TextChoices):
        NONE = "", _("no ask")
        PENDING = "pending", _("waiting for the others")
        APPROVED = "approved", _("approved")
        DECLINED = "declined", _("declined")

    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="seats")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rotation_seats"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    position = models.PositiveSmallIntegerField(null=True, blank=True)
    earlier_reason = models.CharField(_("why earlier"), max_length=500, blank=True)
    earlier = models.CharField(max_length=8, choices=Ask.choices, blank=True, default="")
    earlier_asked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rotation", "member"], name="one_seat_per_member"),
            models.UniqueConstraint(fields=["rotation", "position"], name="one_seat_per_place"),
        ]

    def __str__(self):
        return f"{self.member} in {self.rotation}"


class EarlierVote(models.Model):
    """Another participant's yes or no to a seat's ask to go earlier."""

    seat = models.ForeignKey(RotationSeat, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="earlier_votes"
    )
    approve = models.BooleanField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["seat", "voter"], name="one_vote_per_ask_per_member")
        ]

    def __str__(self):
        return f"{self.voter} on {self.seat}"


class RotationRound(models.Model):
    """One round: it opens when the one before closes, takes each participant's share, and
    closes (on its timer) paying its pot to ``recipient``. A round short of shares pays out
    what it holds; ``payout`` is written once (closed_at, under the round's lock)."""

    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField()
    recipient = models.ForeignKey(RotationSeat, on_delete=models.PROTECT, related_name="+")
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    payout = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="payout_of"
    )
    paid_out = amount_field(_("paid out"), null=True, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["rotation", "number"], name="one_round_per_number"),
        ]

    def __str__(self):
        return f"round {self.number} of {self.rotation}"

    @property
    def is_open(self):
        return self.closed_at is None


class RoundShare(models.Model):
    """A participant's share of one round, as it went on the ledger."""

    round = models.ForeignKey(RotationRound, on_delete=models.CASCADE, related_name="shares")
    seat = models.ForeignKey(RotationSeat, on_delete=models.PROTECT, related_name="shares")
    entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="share_of")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "seat"], name="one_share_per_round")
        ]

    def __str__(self):
        return f"{self.seat}'s share of {self.round}"
