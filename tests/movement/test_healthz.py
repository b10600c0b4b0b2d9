import pytest
from django.utils import timezone

from constellation.celery import app as celery_app
from rituals import timers
from rituals.models import SweepHeartbeat


@pytest.mark.django_db
def test_healthy_after_a_recent_sweep(client):
    timers.sweep()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] is True
    assert body["broker"] is True
    assert 0 <= body["timer_sweep_age_seconds"] < 60


@pytest.mark.django_db
def test_unhealthy_when_the_sweep_never_ran(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["timer_sweep_age_seconds"] is None


@pytest.mark.django_db
def test_unhealthy_when_the_sweep_is_stale(client, settings):
    SweepHeartbeat.objects.create(
        pk=1,
        swept_at=timezone.now() - timezone.timedelta(seconds=settings.TIMER_SWEEP_STALE_AFTER + 5),
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["timer_sweep_fresh"] is False


@pytest.fixture
def broker_down():
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    yield
    celery_app.conf.broker_url = original


@pytest.mark.django_db
def test_unhealthy_when_the_broker_is_unreachable(client, broker_down):
    timers.sweep()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] is False
