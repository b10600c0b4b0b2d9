"""What ``/healthz`` and ``manage.py healthcheck`` report: database, broker, timer sweep."""

from django.conf import settings
from django.db import connection

from constellation.celery import app as celery_app
from rituals.selectors import last_sweep_age_seconds


def _database_reachable():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _broker_reachable():
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0, timeout=1)
        return True
    except Exception:
        return False


def health_report():
    """A dict for JSON; ``report["status"]`` is "ok" only when every part is healthy."""
    database = _database_reachable()
    broker = _broker_reachable()
    age = last_sweep_age_seconds() if database else None
    sweep_fresh = age is not None and age <= settings.TIMER_SWEEP_STALE_AFTER
    healthy = database and broker and sweep_fresh
    return {
        "status": "ok" if healthy else "unhealthy",
        "database": database,
        "broker": broker,
        "timer_sweep_age_seconds": age,
        "timer_sweep_fresh": sweep_fresh,
    }
