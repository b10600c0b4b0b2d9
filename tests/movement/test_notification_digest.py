"""The daily digest: one e-mail each morning at 08:00 where the person lives, holding every
notification they chose to read that way; never twice, never empty.

Time moves the way the timer tests move it: the sweep is told what time it is, and the
step runs directly.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connections
from django.utils import timezone

from movement import services
from movement.models import Notification, NotificationPreference
from movement.services import NotificationKind
from rituals import timers
from rituals.digests import DIGEST, next_morning
from rituals.models import Timer
from tests.factories import MembershipFactory, MovementFactory

Delivery = NotificationPreference.Delivery
PARIS = ZoneInfo("Europe/Paris")
UTC_ZONE = ZoneInfo("UTC")


@pytest.fixture
def mo_in_paris(mo):
    """Mo's movement meets in Paris; he reads role changes and removals in the digest."""
    mo.movement.time_zone = "Europe/Paris"
    mo.movement.save()
    services.set_notification_deliveries(
        user=mo.user,
        deliveries={
            NotificationKind.ROLE_CHANGED: Delivery.DAILY_DIGEST,
            NotificationKind.REMOVED: Delivery.DAILY_DIGEST,
        },
    )
    return mo


def held(member, subject="Your role changed", kind=NotificationKind.ROLE_CHANGED):
    """A notification as a service writes it, offered to the outbox as the drain does."""
    notification = services.notify(
        recipient=member.user,
        kind=kind,
        movement=member.movement,
        subject=subject,
        body="You facilitate now.",
        url="/m/tidewater/",
    )
    services.deliver_notification(notification.pk)
    return notification


def digest_timers(user):
    return Timer.objects.filter(kind=DIGEST, target_id=user.pk)


def booked(user):
    return digest_timers(user).get(fired_at__isnull=True)


# --- when ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("after", "morning"),
    [
        (datetime(2026, 11, 30, 7, 59, tzinfo=PARIS), datetime(2026, 11, 30, 8, tzinfo=PARIS)),
        (datetime(2026, 11, 30, 8, 0, tzinfo=PARIS), datetime(2026, 12, 1, 8, tzinfo=PARIS)),
        (datetime(2026, 11, 30, 23, 30, tzinfo=PARIS), datetime(2026, 12, 1, 8, tzinfo=PARIS)),
        # The night the clocks go forward: still 08:00 on the wall, an hour less in UTC.
        (datetime(2026, 3, 28, 12, 0, tzinfo=PARIS), datetime(2026, 3, 29, 8, tzinfo=PARIS)),
        # Given in UTC, answered in the person's zone: 23:30 UTC is already tomorrow there.
        (datetime(2026, 11, 30, 23, 30, tzinfo=UTC), datetime(2026, 12, 1, 8, tzinfo=PARIS)),
    ],
)
def test_the_next_morning_is_the_next_eight_oclock_in_the_zone(after, morning):
    assert next_morning(PARIS, after) == morning


def test_the_clocks_going_forward_move_the_digest_in_utc():
    morning = next_morning(PARIS, datetime(2026, 3, 28, 12, tzinfo=PARIS))
    assert morning.astimezone(UTC).hour == 6  # 07:00 UTC the day before


@pytest.mark.django_db
def test_a_held_notification_books_the_digest_at_eight_in_the_persons_zone(mo_in_paris):
    before = timezone.now()
    held(mo_in_paris)

    due_at = booked(mo_in_paris.user).due_at
    assert due_at.astimezone(PARIS).time() == time(8)
    assert before < due_at <= before + timedelta(days=1)


@pytest.mark.django_db
def test_held_notifications_share_one_digest(mo_in_paris):
    for n in range(3):
        held(mo_in_paris, subject=f"News {n}")

    assert digest_timers(mo_in_paris.user).count() == 1


@pytest.mark.django_db
def test_the_zone_is_the_persons_first_movements_else_utc(nina, mo_in_paris):
    assert services.zone_of(nina) == UTC_ZONE
    assert services.zone_of(mo_in_paris.user) == PARIS
    later = MovementFactory(name="Harbour", slug="harbour", time_zone="Asia/Tokyo")
    MembershipFactory(movement=later, user=mo_in_paris.user)
    assert services.zone_of(mo_in_paris.user) == PARIS, "the first movement's, not the latest"


# --- the digest goes out -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_digest_goes_out_in_the_morning_not_before(mo_in_paris):
    held(mo_in_paris, subject="Your role changed")
    held(mo_in_paris, subject="You were removed", kind=NotificationKind.REMOVED)
    due_at = booked(mo_in_paris.user).due_at

    assert timers.sweep(now=due_at - timedelta(minutes=1)) == 0
    assert mail.outbox == []

    assert timers.sweep(now=due_at) == 1
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == [mo_in_paris.user.email]
    assert digest.subject == "[Constellation] Your daily digest: 2 new notifications"
    assert "Your role changed" in digest.body
    assert "You were removed" in digest.body
    assert not Notification.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_second_sweep_sends_no_second_digest(mo_in_paris):
    held(mo_in_paris)
    due_at = booked(mo_in_paris.user).due_at

    timers.sweep(now=due_at)
    timers.sweep(now=due_at + timedelta(minutes=1))

    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_two_digest_timers_for_one_person_send_one_digest(mo_in_paris):
    # Two first notifications booked at the same moment can leave two timers.
    held(mo_in_paris)
    due_at = booked(mo_in_paris.user).due_at
    timers.schedule_timer(kind=DIGEST, due_at=due_at, target=mo_in_paris.user)

    assert timers.sweep(now=due_at) == 2

    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_nothing_new_sends_nothing(mo_in_paris):
    held(mo_in_paris)
    due_at = booked(mo_in_paris.user).due_at
    services.set_notification_deliveries(
        user=mo_in_paris.user,
        deliveries={NotificationKind.ROLE_CHANGED: Delivery.IN_APP_ONLY},
    )

    assert timers.sweep(now=due_at) == 1

    assert mail.outbox == []
    assert not digest_timers(mo_in_paris.user).filter(fired_at__isnull=True).exists()


@pytest.mark.django_db
def test_what_was_written_after_the_digests_time_waits_for_the_next_morning(mo_in_paris):
    held(mo_in_paris, subject="Before eight")
    due_at = booked(mo_in_paris.user).due_at
    late = held(mo_in_paris, subject="After eight")
    Notification.objects.filter(pk=late.pk).update(created_at=due_at + timedelta(minutes=1))

    timers.sweep(now=due_at + timedelta(minutes=5))

    assert len(mail.outbox) == 1
    assert "Before eight" in mail.outbox[0].body
    assert "After eight" not in mail.outbox[0].body
    next_due = booked(mo_in_paris.user).due_at
    assert next_due.astimezone(PARIS).time() == time(8)
    assert next_due >= timezone.now() + timedelta(hours=12), "at most one digest a day"


@pytest.mark.django_db
def test_a_notification_after_todays_digest_books_tomorrows(mo_in_paris):
    held(mo_in_paris)
    timers.sweep(now=booked(mo_in_paris.user).due_at)

    held(mo_in_paris, subject="Later news")

    next_due = booked(mo_in_paris.user).due_at
    assert next_due.astimezone(PARIS).time() == time(8)
    assert next_due >= timezone.now() + timedelta(hours=12)


@pytest.mark.django_db
def test_the_digest_shows_times_in_the_persons_zone(mo_in_paris):
    notification = held(mo_in_paris)
    written = datetime(2026, 11, 30, 20, 57, tzinfo=UTC)
    Notification.objects.filter(pk=notification.pk).update(created_at=written)

    timers.sweep(now=booked(mo_in_paris.user).due_at)

    assert "21:57" in mail.outbox[0].body  # 20:57 UTC is 21:57 in Paris


@pytest.mark.django_db
def test_a_failed_digest_is_tried_again_and_sent_once(mo_in_paris, settings):
    held(mo_in_paris)
    timer = booked(mo_in_paris.user)
    settings.EMAIL_BACKEND = "tests.movement.test_outbox.RefusingSMTPBackend"

    timers.sweep(now=timer.due_at)

    timer.refresh_from_db()
    assert (timer.fired_at, timer.attempts) == (None, 1)
    assert "service not available" in timer.last_error
    assert Notification.objects.filter(sent_at__isnull=True).count() == 1

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    timers.sweep(now=timer.run_after)
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_two_sweepers_at_once_send_one_digest(postgres, mo_in_paris):
    held(mo_in_paris)
    due_at = booked(mo_in_paris.user).due_at
    start_together = threading.Barrier(2, timeout=10)

    def sweep():
        try:
            start_together.wait()
            return timers.sweep(now=due_at)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        fired = sorted(run.result(timeout=30) for run in [pool.submit(sweep) for _ in range(2)])

    assert fired == [0, 1]
    assert len(mail.outbox) == 1
