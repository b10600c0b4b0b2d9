"""Each person chooses, per kind of notification, how it reaches them: an e-mail at once,
the morning's digest, or the app only. Every notification shows in the app whatever they
chose, and a choice made while something waits applies to it too."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import capfirst

from movement import services
from movement.models import Notification, NotificationPreference
from movement.services import NotificationKind
from movement.vocabulary import NOTIFICATION_KINDS
from rituals.digests import DIGEST
from rituals.models import Timer

Delivery = NotificationPreference.Delivery
KIND = NotificationKind.ROLE_CHANGED

pytestmark = pytest.mark.django_db


@pytest.fixture
def tell(django_capture_on_commit_callbacks):
    """``tell(member, kind=KIND)``: a notification as a service sends it, delivered after
    the commit as in production."""

    def _tell(member, kind=KIND, subject="Your role changed"):
        with django_capture_on_commit_callbacks(execute=True):
            notification = services.notify(
                recipient=member.user,
                kind=kind,
                movement=member.movement,
                subject=subject,
                body="You facilitate now.",
                url="/m/tidewater/",
            )
        notification.refresh_from_db()
        return notification

    return _tell


def choose(member, delivery, kind=KIND):
    services.set_notification_deliveries(user=member.user, deliveries={kind: delivery})


def settings_form(**choices):
    return dict.fromkeys(NOTIFICATION_KINDS, Delivery.AT_ONCE) | choices


# --- each way of delivery ----------------------------------------------------------------


def test_without_a_choice_a_notification_is_emailed_at_once(mo, tell):
    notification = tell(mo)

    assert [message.to for message in mail.outbox] == [[mo.user.email]]
    assert notification.sent_at is not None
    assert services.delivery_of(mo.user, KIND) == Delivery.AT_ONCE


def test_at_once_chosen_again_after_the_digest_emails_at_once(mo, tell):
    choose(mo, Delivery.DAILY_DIGEST)
    choose(mo, Delivery.AT_ONCE)

    notification = tell(mo)

    assert len(mail.outbox) == 1
    assert notification.sent_at is not None


def test_in_app_only_sends_no_email_and_keeps_the_notification(mo, tell, login):
    choose(mo, Delivery.IN_APP_ONLY)

    notification = tell(mo, subject="Quiet news")

    assert mail.outbox == []
    # Done with, never e-mailed: the outbox forgets it, the notifications page does not.
    assert notification.sent_at is not None
    assert notification.attempts == 0
    assert "Quiet news" in login(mo).get(reverse("notifications")).content.decode()


def test_an_in_app_only_notification_is_not_retried_by_the_drain(mo):
    choose(mo, Delivery.IN_APP_ONLY)
    Notification.objects.create(recipient=mo.user, kind=KIND, subject="Hi", body="Hello")

    assert services.drain_outbox() == 0
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    assert mail.outbox == []


def test_the_daily_digest_holds_it_until_the_persons_digest(mo, tell):
    choose(mo, Delivery.DAILY_DIGEST)

    notification = tell(mo)

    assert mail.outbox == []
    assert notification.sent_at is None, "an e-mail is still owed: the digest's"
    digest = Timer.objects.get(kind=DIGEST, target_id=mo.user.pk, fired_at__isnull=True)
    assert notification.next_attempt_at > digest.due_at
    assert services.drain_outbox() == 0, "not due for the outbox before the digest"


def test_a_held_notification_the_drain_meets_again_waits_again(mo):
    # The digest failed or its timer was lost: the drain must not e-mail it alone, nor
    # come back every minute.
    choose(mo, Delivery.DAILY_DIGEST)
    notification = Notification.objects.create(
        recipient=mo.user, kind=KIND, subject="Hi", body="Hello"
    )
    services.deliver_notification(notification.pk)
    Timer.objects.filter(kind=DIGEST).delete()  # lost
    Notification.objects.filter(pk=notification.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=1)
    )

    assert services.drain_outbox() == 0

    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.next_attempt_at > timezone.now() + timedelta(hours=1)
    assert Timer.objects.filter(kind=DIGEST, target_id=mo.user.pk).count() == 1, "rebooked"


def test_a_choice_holds_for_its_kind_only(mo, tell):
    choose(mo, Delivery.IN_APP_ONLY, kind=NotificationKind.ROLE_CHANGED)

    tell(mo, kind=NotificationKind.MEMBER_JOINED)

    assert len(mail.outbox) == 1


def test_a_choice_holds_for_its_person_only(mo, fay, tell):
    choose(mo, Delivery.IN_APP_ONLY)

    tell(fay)

    assert [message.to for message in mail.outbox] == [[fay.user.email]]


def test_switching_to_in_app_only_drops_the_email_that_waited_for_the_digest(mo, tell):
    choose(mo, Delivery.DAILY_DIGEST)
    notification = tell(mo)

    choose(mo, Delivery.IN_APP_ONLY)

    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert not services.waiting_for_digest(mo.user).exists()
    assert mail.outbox == []


def test_switching_back_to_at_once_sends_what_waited_for_the_digest_now(
    mo, tell, django_capture_on_commit_callbacks
):
    choose(mo, Delivery.DAILY_DIGEST)
    notification = tell(mo)

    with django_capture_on_commit_callbacks(execute=True):
        choose(mo, Delivery.AT_ONCE)

    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.sent_at is not None


def test_an_undeclared_kind_cannot_be_chosen(mo):
    with pytest.raises(ValueError, match="not a declared notification kind"):
        choose(mo, Delivery.IN_APP_ONLY, kind="gossip")


# --- the settings page -------------------------------------------------------------------


def test_the_settings_page_lists_every_declared_kind_with_a_choice_of_three(login, mo):
    body = login(mo).get(reverse("notification_settings")).content.decode()

    for label in NOTIFICATION_KINDS.values():
        assert escape(capfirst(str(label))) in body
    assert body.count('type="radio"') == 3 * len(NOTIFICATION_KINDS)


def test_the_settings_page_shows_the_current_choice(login, mo):
    choose(mo, Delivery.DAILY_DIGEST)

    response = login(mo).get(reverse("notification_settings"))

    assert response.context["form"][KIND].value() == Delivery.DAILY_DIGEST


def test_saving_the_settings_keeps_each_choice(login, mo):
    data = settings_form(**{KIND: Delivery.DAILY_DIGEST})

    response = login(mo).post(reverse("notification_settings"), data)

    assert response.status_code == 302
    assert response["Location"] == reverse("notification_settings")
    assert services.deliveries_of(mo.user) == settings_form(**{KIND: Delivery.DAILY_DIGEST})
    # Only what differs from the default is stored.
    assert NotificationPreference.objects.filter(user=mo.user).count() == 1


def test_an_unknown_choice_is_refused(login, mo):
    response = login(mo).post(
        reverse("notification_settings"), settings_form(**{KIND: "carrier pigeon"})
    )

    assert response.status_code == 200
    assert response.context["form"].errors[KIND]
    assert not NotificationPreference.objects.exists()


def test_the_settings_page_needs_a_login(client):
    response = client.get(reverse("notification_settings"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
