"""Sovereignty gained: "Do not count heads. Count sovereignty."

After each cycle, conveners and organizers record the new capacity for self-rule the cycle
left behind: leaders trained, institutions formed, skills distributed, resources brought
under community control. Each record belongs to a cycle and a circle and points at its
evidence — the circle's report, a sprint, a pool — when there is one.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from movement.models import Movement


class SovereigntyRecord(models.Model):
    class Kind(models.TextChoices):
        LEADERS = "leaders", _("leaders trained")
        INSTITUTION = "institution", _("an institution formed")
        SKILLS = "skills", _("skills distributed")
        RESOURCES = "resources", _("resources brought under community control")
        # Counted from sparks that became circles in the cycle; may be recorded by hand too.
        INITIATIVE = "initiative", _("new initiatives")

    movement = models.ForeignKey(
        Movement, on_delete=models.CASCADE, related_name="sovereignty_records"
    )
    cycle = models.ForeignKey(
        "rituals.Cycle", on_delete=models.CASCADE, related_name="sovereignty_records"
    )
    circle = models.ForeignKey(
        "circles.Circle", on_delete=models.CASCADE, related_name="sovereignty_records"
    )
    kind = models.CharField(_("what was gained"), max_length=12, choices=Kind.choices)
    what = models.CharField(
        _("in a few words"),
        max_length=200,
        help_text=_("e.g. “a food cooperative”, “a first-aid skill share”, “the bail fund”."),
    )
    # Leaders trained, or people who learned the skill: a count, never names.
    people = models.PositiveIntegerField(
        _("how many people"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100_000)],
        help_text=_("For leaders trained and skills distributed: how many. Never their names."),
    )
    report = models.ForeignKey(
        "rituals.CircleReport", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sprint = models.ForeignKey(
        "rituals.Sprint", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    pool = models.ForeignKey(
        "commons.Pool", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resource = models.ForeignKey(
        "commons.Resource", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        "movement.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["movement", "cycle", "kind"], name="sovereignty_by_cycle"),
            models.Index(fields=["circle", "cycle"], name="sovereignty_by_circle"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.what}"

    def get_absolute_url(self):
        return reverse("rituals:sovereignty", kwargs={"movement_slug": self.movement.slug})
