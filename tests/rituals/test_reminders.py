"""Reminders are durable timers: they fire once, at their time, and move with the gathering."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from rituals import reminders
from rituals.models import Gathering, Timer
from rituals.services import convergence
from rituals.timers import fire_next_due_timer, sweep

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 24, 12, tzinfo=PARIS)  # when the conftest's rhythm was set


@pytest.fixture
def planned(gathering, mo, cora, medics):
    """The first gathering (reports due three days before), with members to remind."""
    return gathering


def timers_of(gathering):
    return Timer.objects.filter(target_id=gathering.pk, kind__in=reminders.KINDS)


@pytest.mark.django_db
def test_each_gathering_gets_its_two_reminders(planned):
    due = dict(timers_of(planned).values_list("kind", "due_at"))
    starts = datetime(2026, 12, 5, 18, tzinfo=PARIS)
    assert due == {
        reminders.REPORT_DUE: starts - timedelta(days=4),
        reminders.TOMORROW: starts - timedelta(days=1),
    }


@pytest.mark.django_db
def test_the_day_before_everyone_but_those_who_said_no_hears(
    planned, mo, fay, alice, cora, mailoutbox, django_capture_on_commit_callbacks
):
    convergence.answer_gathering(by=fay, gathering=planned, answer="no")
    before = datetime(2026, 12, 4, 17, 59, tzinfo=PARIS)
    assert sweep(now=before) == 1  # only the report reminder is due by then
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sweep(now=datetime(2026, 12, 4, 18, 0, 30, tzinfo=PARIS))
    # The drain also sends what waited in the outbox (the report reminder): look at ours.
    tomorrow = [mail for mail in mailoutbox if "Convergence tomorrow" in mail.subject]
    recipients = sorted(address for mail in tomorrow for address in mail.to)
    assert recipients == sorted([mo.user.email, alice.user.email, cora.user.email])


@pytest.mark.django_db
def test_conveners_who_have_not_reported_hear_that_reports_are_due(
    planned, cora, medics, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sweep(now=datetime(2026, 12, 1, 18, 1, tzinfo=PARIS))
    assert [mail.to for mail in mailoutbox] == [[cora.user.email]]
    assert "Street Medics" in mailoutbox[0].subject


@pytest.mark.django_db
def test_a_reminder_fires_once_even_if_swept_again(planned):
    from movement.models import Notification

    late = datetime(2026, 12, 4, 18, 1, tzinfo=PARIS)
    sweep(now=late)
    sent = Notification.objects.count()
    sweep(now=late)
    assert sent > 0
    assert Notification.objects.count() == sent
    assert fire_next_due_timer(now=late) is None


@pytest.mark.django_db
def test_moving_a_gathering_moves_its_reminders(alice, planned):
    new_start = datetime(2026, 12, 12, 18, tzinfo=PARIS)
    convergence.move_gathering(
        by=alice, gathering=planned, starts_at=new_start, ends_at=new_start + timedelta(hours=2)
    )
    due = dict(timers_of(planned).filter(cancelled_at=None).values_list("kind", "due_at"))
    assert due[reminders.TOMORROW] == new_start - timedelta(days=1)
    assert due[reminders.REPORT_DUE] == new_start - timedelta(days=4)
    assert timers_of(planned).count() == 2


@pytest.mark.django_db
def test_a_gathering_that_ends_before_it_starts_is_refused(alice, planned):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        convergence.move_gathering(
            by=alice,
            gathering=planned,
            starts_at=planned.starts_at,
            ends_at=planned.starts_at - timedelta(minutes=1),
        )


@pytest.mark.django_db
def test_changing_the_rhythm_cancels_the_old_reminders(alice, planned):
    convergence.set_rhythm(
        by=alice, kind="seasonal", local_time=time(17), duration=timedelta(hours=2), now=NOW
    )
    assert not timers_of(planned).filter(cancelled_at=None).exists()
    live = Timer.objects.filter(cancelled_at=None, kind__in=reminders.KINDS)
    assert live.count() == 6  # two for each of the three new gatherings


@pytest.mark.django_db
def test_reminders_keep_the_local_hour_across_a_clock_change(alice):
    # The first Saturday of April 2027 is 3 April; Paris springs forward on 28 March.
    convergence.set_rhythm(
        by=alice,
        kind="monthly",
        week=1,
        weekday=5,
        local_time=time(18),
        duration=timedelta(hours=2),
        time_zone="Europe/Paris",
        report_days_before=6,
        now=datetime(2027, 3, 10, tzinfo=PARIS),
    )
    april = Gathering.objects.get(starts_at__date="2027-04-03")
    # Read back from the database (in UTC), as a later move or sweep would see it.
    convergence.move_gathering(
        by=alice,
        gathering=Gathering.objects.get(pk=april.pk),
        starts_at=Gathering.objects.get(pk=april.pk).starts_at,
        ends_at=Gathering.objects.get(pk=april.pk).ends_at + timedelta(minutes=30),
    )
    report_reminder = Timer.objects.get(target_id=april.pk, kind=reminders.REPORT_DUE)
    assert report_reminder.due_at.astimezone(PARIS).hour == 18
    assert report_reminder.due_at.astimezone(PARIS).date().isoformat() == "2027-03-27"


@pytest.mark.django_db
def test_moving_a_gathering_close_to_now_drops_reminders_already_past(alice, gatherings):
    from django.utils import timezone

    from rituals.models import Timer

    soon = timezone.now() + timedelta(hours=3)
    convergence.move_gathering(
        by=alice, gathering=gatherings[0], starts_at=soon, ends_at=soon + timedelta(hours=2)
    )
    live = Timer.objects.filter(target_id=gatherings[0].pk, cancelled_at=None, fired_at=None)
    assert not live.exists()
