from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from movement.models import Lens, Membership, Movement


class CircleQuerySet(models.QuerySet):
    def for_movement(self, movement):
        return self.filter(movement=movement)

    def active(self):
        return self.filter(archived_at__isnull=True)


class Circle(models.Model):
    """An autonomous affinity circle: its own initiative, held to the shared horizon
    by a theory of change. Names are unique per movement, whatever their case."""

    Lens = Lens

    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="circles")
    name = models.CharField(_("name"), max_length=80)
    # The name case-folded (Unicode-aware, unlike SQL LOWER on SQLite): unique per movement.
    name_key = models.CharField(max_length=80, editable=False)
    slug = models.SlugField(max_length=90)
    initiative = models.TextField(
        _("initiative"), max_length=2000, help_text=_("What this circle has chosen to do.")
    )
    theory_of_change = models.TextField(
        _("theory of change"),
        max_length=4000,
        help_text=_("How does this circle contribute to a believable path to victory?"),
    )
    lens = models.CharField(_("primary lens"), max_length=20, choices=Lens.choices)
    created_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = CircleQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["movement", "name_key"], name="circle_name_unique_per_movement"
            ),
            models.UniqueConstraint(fields=["movement", "slug"], name="circle_slug_unique"),
        ]
        indexes = [
            models.Index(
                fields=["movement", "lens", "name"],
                name="circle_active_by_lens",
                condition=Q(archived_at__isnull=True),
            ),
            models.Index(
                fields=["movement", "name"],
                name="circle_active_by_name",
                condition=Q(archived_at__isnull=True),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse(
            "circles:detail",
            kwargs={"movement_slug": self.movement.slug, "circle_slug": self.slug},
        )

    @staticmethod
    def key_for(name):
        return name.strip().casefold()

    @property
    def is_archived(self):
        return self.archived_at is not None


class CircleMembership(models.Model):
    """A movement member in a circle. Conveners can edit the circle and speak for it."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="circle_memberships")
    member = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="circle_memberships"
    )
    is_convener = models.BooleanField(_("convener"), default=False)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["circle", "member"], name="one_seat_per_circle")
        ]
        indexes = [models.Index(fields=["member", "circle"], name="circle_membership_member")]

    def __str__(self):
        return f"{self.member.user} in {self.circle}"


class Spark(models.Model):
    """A dormant passion a member wants to try: "What dormant passion inside your movement
    could become the next experiment?" Others say "I'm in"; with enough of them, its author
    turns it into a circle."""

    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="sparks")
    author = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, related_name="sparks"
    )
    passion = models.TextField(
        _("the passion or experiment"),
        max_length=2000,
        help_text=_(
            "What you want to try, in a few sentences: it becomes the circle's initiative."
        ),
    )
    lens = models.CharField(_("the lens it would add"), max_length=20, choices=Lens.choices)
    horizon = models.TextField(_("how it could serve the shared horizon"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    # The circle it became, and when: a spark that became a circle is no longer open.
    circle = models.OneToOneField(
        Circle, on_delete=models.SET_NULL, null=True, blank=True, related_name="spark"
    )
    ignited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["movement", "lens", "-created_at"],
                name="spark_open_by_lens",
                condition=Q(ignited_at__isnull=True),
            ),
            models.Index(fields=["movement", "-created_at", "-id"], name="spark_recent"),
        ]

    def __str__(self):
        return f"Spark {self.pk}"

    @property
    def is_open(self):
        return self.ignited_at is None


class SparkJoin(models.Model):
    """A member who said "I'm in" to a spark."""

    spark = models.ForeignKey(Spark, on_delete=models.CASCADE, related_name="joins")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="spark_joins")
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["spark", "member"], name="one_join_per_spark")
        ]
        indexes = [models.Index(fields=["member", "spark"], name="spark_join_member")]

    def __str__(self):
        return f"Join of spark {self.spark_id}"
