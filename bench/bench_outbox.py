"""Instant e-mail under load: 2,000 notifications for 20 people, delivered by 4 threads at
once (PostgreSQL). A delivery that finds its row locked skips it for the next drain; a
claim that also locks the recipient's user row skips mail for unrelated reasons.

Side by side: the claim as it was (``FOR UPDATE SKIP LOCKED`` joined to the user, which
locks the user row too) and the service's claim (``OF`` the notification only).
"""

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.mail import send_mail
from django.core.mail.backends import locmem
from django.db import connection, connections, transaction
from django.utils import timezone

from bench.conftest import report
from movement import services
from movement.models import Notification, User

PEOPLE, NOTIFICATIONS, THREADS = 20, 2_000, 4


class SMTPTakingTwoMilliseconds(locmem.EmailBackend):
    def send_messages(self, messages):
        time.sleep(0.002)
        return super().send_messages(messages)


def _claim_as_it_was(notification_id):
    """deliver_notification before the fix: the join's row lock covered the user too."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .select_related("recipient")
            .filter(pk=notification_id, sent_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        send_mail("s", "b", None, [notification.recipient.email])
        notification.sent_at = timezone.now()
        notification.save(update_fields=["sent_at"])
        return True


def _deliver_all(deliver, ids):
    shuffled = random.Random(9).sample(ids, len(ids))  # deliveries come in any order
    shares = [shuffled[n::THREADS] for n in range(THREADS)]
    start_together = threading.Barrier(THREADS, timeout=30)

    def run(share):
        try:
            start_together.wait()
            return sum(not deliver(pk) for pk in share)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return sum(pool.map(run, shares))


@pytest.mark.django_db(transaction=True)
def test_deliveries_skipped_while_other_rows_touch_the_same_people(settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (set DATABASE_URL)")
    settings.EMAIL_BACKEND = f"{__name__}.SMTPTakingTwoMilliseconds"
    people = User.objects.bulk_create(
        User(email=f"p{n}@bench.test", display_name=f"P{n}", password="!") for n in range(PEOPLE)
    )
    rows = []
    for variant in ("as it was", "of=self"):
        Notification.objects.all().delete()
        made = Notification.objects.bulk_create(
            Notification(recipient=people[n % PEOPLE], subject="s", body="b")
            for n in range(NOTIFICATIONS)
        )
        ids = [n.pk for n in made]
        deliver = _claim_as_it_was if variant == "as it was" else services.deliver_notification
        skipped = _deliver_all(deliver, ids)
        rows.append((f"skipped ({variant})", f"{skipped:,} of {NOTIFICATIONS:,}"))
    report(f"Outbox: {THREADS} deliverers at once, {PEOPLE} people", rows)
