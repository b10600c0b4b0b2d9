from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from rituals.models import Gathering, Rhythm, Rsvp, SweepHeartbeat


def last_sweep_age_seconds():
    """Seconds since the timer sweep last ran, or None if it never has."""
    heartbeat = SweepHeartbeat.objects.filter(pk=1).first()
    if heartbeat is None:
        return None
    return round((timezone.now() - heartbeat.swept_at).total_seconds(), 1)


def rhythm_of(movement):
    return Rhythm.objects.filter(movement=movement).first()


def gatherings(movement, *, upcoming=True, now=None):
    now = now or timezone.now()
    rows = Gathering.objects.filter(movement=movement).select_related("cycle")
    if upcoming:
        return rows.filter(ends_at__gt=now).order_by("starts_at")
    return rows.filter(ends_at__lte=now).order_by("-starts_at")


def gathering_or_404(*, membership, gathering_id):
    return get_object_or_404(
        Gathering.objects.select_related("cycle", "movement"),
        pk=gathering_id,
        movement=membership.movement,
    )


def attendance(gathering):
    """Totals only: how many said yes and maybe. Never who, never who said no."""
    return Rsvp.objects.filter(gathering=gathering).aggregate(
        yes=Count("id", filter=Q(answer=Rsvp.Answer.YES)),
        maybe=Count("id", filter=Q(answer=Rsvp.Answer.MAYBE)),
    )


def answer_of(*, membership, gathering):
    """The caller's own answer, as words (or None)."""
    answer = (
        Rsvp.objects.filter(gathering=gathering, member=membership)
        .values_list("answer", flat=True)
        .first()
    )
    return Rsvp.Answer(answer).label if answer else None
