from django.utils import timezone

from rituals.models import SweepHeartbeat


def last_sweep_age_seconds():
    """Seconds since the timer sweep last ran, or None if it never has."""
    heartbeat = SweepHeartbeat.objects.filter(pk=1).first()
    if heartbeat is None:
        return None
    return round((timezone.now() - heartbeat.swept_at).total_seconds(), 1)
