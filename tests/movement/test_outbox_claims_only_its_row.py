"""The outbox claims only the notification it delivers: a person whose user row another
transaction holds (a profile edit, a role change) still gets their mail at once."""

import threading

import pytest
from django.core import mail
from django.db import connections, transaction

from movement import services
from movement.models import Notification, User


@pytest.mark.django_db(transaction=True)
def test_a_lock_on_the_recipient_does_not_hold_up_their_mail(postgres, mo):
    notification = Notification.objects.create(recipient=mo.user, subject="Hi", body="Hello")
    locked, release = threading.Event(), threading.Event()

    def hold_the_recipient():
        try:
            with transaction.atomic():
                User.objects.select_for_update().get(pk=mo.user.pk)
                locked.set()
                release.wait(timeout=20)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_recipient)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        delivered = services.deliver_notification(notification.pk)
    finally:
        release.set()
        holder.join(timeout=20)

    assert delivered is True
    assert [message.to for message in mail.outbox] == [[mo.user.email]]


@pytest.mark.django_db(transaction=True)
def test_a_contribution_does_not_wait_for_a_role_change(postgres, alice, mo):
    """The pool's lock claims the pool row only, not the movement it joins to, and a role
    change locks the movement without its key: a contribution never waits for one."""
    from decimal import Decimal

    from commons import services as commons_services
    from movement import services as movement_services

    pool = commons_services.create_pool(
        by=alice, name="Bail", kind="money", currency="EUR", purpose="x", instant_limit=0
    )
    locked, release = threading.Event(), threading.Event()

    def hold_the_movement():
        try:
            with transaction.atomic():
                movement_services._lock_movement(alice.movement)  # as change_role does
                locked.set()
                release.wait(timeout=20)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_movement)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        with connections["default"].cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # fail instead of waiting for ever
        entry = commons_services.contribute(by=mo, pool=pool, amount=Decimal("5"))
    finally:
        with connections["default"].cursor() as cursor:
            cursor.execute("RESET lock_timeout")
        release.set()
        holder.join(timeout=20)
    assert entry.balance_after == Decimal("5")
