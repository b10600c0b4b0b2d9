from django.utils import timezone

from rituals.models import Gathering, Rhythm, SweepHeartbeat


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
