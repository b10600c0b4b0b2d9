from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
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
