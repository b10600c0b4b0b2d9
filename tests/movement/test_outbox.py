"""The notification outbox: a row in the change's transaction, the e-mail after commit.

Only the SMTP server is replaced (Django's locmem backend, or a refusing backend
below). The broker is real wherever a test needs one: a closed port for "broker
down", the configured Redis for the live worker.
"""

import logging
import runpy
import smtplib
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.core.mail.backends import locmem, smtp
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

import constellation.settings
from constellation.celery import app as celery_app
from movement import services
from movement.models import Notification
from movement.services import NotificationKind
from movement.tasks import deliver_notification, drain_outbox
from tests.conftest import needs

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"

TEST_KIND = NotificationKind.ROLE_CHANGED


class RefusingSMTPBackend(smtp.EmailBackend):
    """An SMTP server that turns every connection away."""

    def open(self):
        raise smtplib.SMTPConnectError(421, "mail.example.org: service not available")


class SlowSMTPBackend(locmem.EmailBackend):
    """An SMTP server that takes its time, so a second delivery arrives mid-send."""

    def send_messages(self, messages):
        time.sleep(0.3)
        return super().send_messages(messages)


def _forget_broker_connections():
    # The app caches its broker pools on the first publish; drop the references so the
    # next publish reads broker_url and its options again, as Celery does after a fork
    # (Celery._after_fork). kombu keeps the pools themselves, keyed by URL and options.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def _swap_celery_conf(**changes):
    """Apply ``changes`` to the Celery config; returns a function that restores it."""
    conf = celery_app.conf
    saved = {name: conf[name] for name in changes}
    conf.update(changes)
    _forget_broker_connections()

    def restore():
        conf.update(saved)
        _forget_broker_connections()

    return restore


def _publish_failures(caplog):
    return [
        record
        for record in caplog.records
        if record.exc_info and isinstance(record.exc_info[1], OperationalError)
    ]


@pytest.fixture
def broker_down(monkeypatch):
    """The production broker settings (Redis, fail-fast options), with nothing listening.

    Returns ``broker_back()``, which restores the test configuration (tasks run
    in-process); the fixture restores it at the end in any case.
    """
    with monkeypatch.context() as env:
        env.setenv("REDIS_URL", CLOSED_PORT_BROKER)
        production = runpy.run_path(constellation.settings.__file__)
    restore = _swap_celery_conf(
        broker_url=production["CELERY_BROKER_URL"],
        broker_transport_options=production["CELERY_BROKER_TRANSPORT_OPTIONS"],
        task_always_eager=False,
    )
    yield restore
    restore()


@pytest.fixture
def member_role_url(tidewater):
    def url(member):
        return reverse(
            "movement:member_role",
            kwargs={"movement_slug": tidewater.slug, "member_id": member.pk},
        )

    return url


# --- the happy path ------------------------------------------------------------------


def test_notification_is_emailed_once_the_transaction_commits(
    mo, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            notification = services.notify(
                kind=TEST_KIND,
                recipient=mo.user,
                movement=mo.movement,
                subject="Welcome",
                body="You joined Tidewater.",
                url="/m/tidewater/",
            )
        assert Notification.objects.filter(pk=notification.pk, sent_at__isnull=True).exists()
        assert mail.outbox == []  # nothing leaves before the commit

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [mo.user.email]
    assert message.subject == "[Constellation] Welcome"
    # The plain-text part (the HTML one and the headers: tests/test_email_*.py).
    assert message.body.startswith("Welcome\n\nYou joined Tidewater.\n")
    assert f"{settings.SITE_URL}/m/tidewater/" in message.body
    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert notification.attempts == 1


def test_rolled_back_change_sends_nothing(mo, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.notify(kind=TEST_KIND, recipient=mo.user, subject="Welcome", body="You joined.")
        raise RuntimeError("the change failed")

    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_delivering_twice_sends_once(mo):
    notification = Notification.objects.create(recipient=mo.user, subject="Hi", body="Hello")

    deliver_notification.delay(notification.pk)
    deliver_notification.delay(notification.pk)

    assert len(mail.outbox) == 1
    assert drain_outbox.delay().get() == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_at_once_send_once(postgres, mo, settings):
    settings.EMAIL_BACKEND = f"{__name__}.SlowSMTPBackend"
    notification = Notification.objects.create(recipient=mo.user, subject="Hi", body="Hello")
    start_together = threading.Barrier(2, timeout=10)

    def deliver():
        try:
            start_together.wait()
            return services.deliver_notification(notification.pk)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = [pool.submit(deliver) for _ in range(2)]
        sent = sorted(run.result(timeout=30) for run in runs)

    assert sent == [False, True]
    assert len(mail.outbox) == 1


# --- the broker is down --------------------------------------------------------------------


def test_role_change_succeeds_while_the_broker_is_down(
    broker_down, login, alice, mo, member_role_url, caplog, django_capture_on_commit_callbacks
):
    client = login(alice)

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(member_role_url(mo), {"role": "facilitator"})
    elapsed = time.monotonic() - started

    assert response.status_code == 302
    assert elapsed < 3, f"a refused publish held the request for {elapsed:.1f} s"
    assert _publish_failures(caplog), "the delivery should have been published, and failed"
    mo.refresh_from_db()
    assert mo.role == "facilitator"
    notification = Notification.objects.get(recipient=mo.user)
    assert (notification.sent_at, notification.attempts) == (None, 0)
    assert mail.outbox == []

    broker_down()  # the broker is back; beat's next drain_outbox runs
    assert drain_outbox.delay().get() == 1
    assert drain_outbox.delay().get() == 0

    assert [message.to for message in mail.outbox] == [[mo.user.email]]
    notification.refresh_from_db()
    assert notification.sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_request_itself_survives_the_failed_publish(
    broker_down, login, alice, mo, member_role_url, caplog
):
    # No test transaction here: the view's commit is real and its on_commit publish
    # runs inside the request, as in production.
    client = login(alice)

    started = time.monotonic()
    response = client.post(member_role_url(mo), {"role": "facilitator"})
    elapsed = time.monotonic() - started

    assert response.status_code == 302
    assert elapsed < 3, f"a refused publish held the request for {elapsed:.1f} s"
    assert _publish_failures(caplog)
    mo.refresh_from_db()
    assert mo.role == "facilitator"
    assert Notification.objects.get(recipient=mo.user).sent_at is None
    assert mail.outbox == []


# --- a real worker on the real broker -------------------------------------------------------


def _leave_logging_to_pytest(**kwargs):
    """Connected to ``setup_logging``, so the embedded worker keeps pytest's log handlers."""


@pytest.fixture
def live_worker(settings, monkeypatch):
    needs(bool(settings.REDIS_URL), "needs Redis (set REDIS_URL)")
    # A key prefix of its own keeps this test's queue apart from anything else
    # using the same Redis (other test runs, a dev worker).
    restore = _swap_celery_conf(
        broker_transport_options={
            **celery_app.conf.broker_transport_options,
            "global_keyprefix": f"constellation-test-{uuid.uuid4().hex}:",
        },
        task_always_eager=False,
    )
    monkeypatch.setenv("CELERY_LOG_LEVEL", "")  # the worker sets these; put them back after
    monkeypatch.setenv("CELERY_LOG_FILE", "")
    signals.setup_logging.connect(_leave_logging_to_pytest)
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False) as worker:
            yield worker
    finally:
        signals.setup_logging.disconnect(_leave_logging_to_pytest)
        logging.captureWarnings(False)
        restore()


@pytest.mark.django_db(transaction=True)
def test_worker_delivers_a_notification_published_to_redis(live_worker, mo):
    assert celery_app.conf.broker_url.startswith("redis://")

    with transaction.atomic():
        notification = services.notify(
            kind=TEST_KIND, recipient=mo.user, subject="Welcome", body="Hello"
        )
    # Committed: the on_commit hook has published deliver_notification to Redis.

    deadline = time.monotonic() + 15
    while notification.sent_at is None and time.monotonic() < deadline:
        time.sleep(0.05)
        notification.refresh_from_db()

    assert notification.sent_at is not None, "the worker did not deliver within 15 s"
    assert [message.to for message in mail.outbox] == [[mo.user.email]]


# --- the SMTP server refuses -------------------------------------------------------------------


def test_smtp_failure_keeps_the_message_for_a_later_attempt(
    mo, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingSMTPBackend"

    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        notification = services.notify(
            kind=TEST_KIND, recipient=mo.user, subject="Welcome", body="Hello"
        )

    notification.refresh_from_db()
    assert notification.sent_at is None
    assert notification.attempts == 1
    assert "service not available" in notification.last_error
    assert notification.next_attempt_at >= before + timedelta(minutes=2)
    assert mail.outbox == []

    assert drain_outbox.delay().get() == 0  # not due yet: no retry storm
    notification.refresh_from_db()
    assert notification.attempts == 1
