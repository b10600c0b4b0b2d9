"""A conflict case carried through the ritual by its services: one state machine, the
cooling-off and follow-up timers fired by the real sweep, every illegal step refused in
words, and notifications that never carry the case."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from movement.models import Notification
from rituals.models import ConflictCase, ConflictRitual, Timer
from rituals.services import conflicts
from rituals.timers import fire_due_timers
from tests.factories import MembershipFactory

State = ConflictCase.State
SECRET = "Ruth moved the bail fund's meeting without telling the Kitchen"


@pytest.fixture
def ruth(tidewater):
    return MembershipFactory(movement=tidewater, user__display_name="Ruth Okonkwo")


def file(by, *others, **kwargs):
    arguments = {
        "about": ConflictCase.About.BEHAVIOUR,
        "description": SECRET,
        "confirmed": True,
        **kwargs,
    }
    return conflicts.file_case(by=by, others=list(others), **arguments)


def sweep(after):
    return fire_due_timers(now=timezone.now() + after, limit=20)


def to_awaiting(case):
    sweep(timedelta(hours=25))
    case.refresh_from_db()
    assert case.state == State.AWAITING_CIRCLE
    return case


def to_scheduled(case, facilitator, organizer):
    to_awaiting(case)
    conflicts.assign_facilitator(by=organizer, case=case, member=facilitator)
    soon = timezone.now() + timedelta(days=2)
    conflicts.offer_times(by=facilitator, case=case, times=[soon, soon + timedelta(days=1)])
    option = case.options.first()
    conflicts.schedule_circle(by=facilitator, case=case, option=option, place="Room 2")
    case.refresh_from_db()
    return case


def hold(case, facilitator, agreements=("Talk first",), heard=None, after=timedelta(hours=2)):
    """The listening circle held, ``after`` its start; returns that moment."""
    at = case.circle_at + after
    if heard is None:
        heard = [party.pk for party in case.parties.all()]
    conflicts.record_held(
        by=facilitator, case=case, heard=heard, agreements=list(agreements), now=at
    )
    case.refresh_from_db()
    return at


# --- filing ----------------------------------------------------------------------------------


def test_filing_starts_the_cooling_off_and_tells_every_party(mo, ruth):
    case = file(mo, ruth)
    assert case.state == State.COOLING_OFF
    assert case.cooling_off_ends_at == case.created_at + timedelta(hours=24)
    assert case.ritual.version == 1  # the default ritual, written down when first needed
    told = Notification.objects.filter(kind=conflicts.NotificationKind.CASE_UPDATE)
    assert {n.recipient_id for n in told} == {mo.user_id, ruth.user_id}


def test_notifications_never_carry_the_case_s_text_or_the_parties_names(mo, ruth, alice, fay):
    hold(to_scheduled(file(mo, ruth), fay, alice), fay)
    for notification in Notification.objects.all():
        written = f"{notification.subject} {notification.body}"
        assert "bail fund" not in written
        assert "Ruth" not in written and "Mo" not in written and "Fay" not in written


def test_a_case_naming_only_yourself_is_refused(mo):
    with pytest.raises(ValidationError) as refused:
        file(mo, mo)
    assert "not only yourself" in str(refused.value)


def test_a_case_naming_a_member_of_another_movement_is_refused(mo, otto):
    with pytest.raises(ValidationError) as refused:
        file(mo, otto)
    assert "member of this movement" in str(refused.value)


def test_the_filer_confirms_it_is_about_actions_not_identity(mo, ruth):
    with pytest.raises(ValidationError) as refused:
        file(mo, ruth, confirmed=False)
    assert "not who someone is" in str(refused.value)


def test_a_drill_s_timers_are_refused_in_a_real_case(mo, ruth):
    with pytest.raises(ValidationError) as refused:
        file(mo, ruth, cooling_off_minutes=2)
    assert "practice drills only" in str(refused.value)


def test_a_drill_s_timer_runs_a_day_at_most(fay, ruth):
    with pytest.raises(ValidationError) as refused:
        file(fay, ruth, practice=True, follow_up_minutes=24 * 60 + 1)
    assert "1440 minutes" in str(refused.value)


def test_only_facilitators_and_organizers_run_drills(mo, ruth):
    with pytest.raises(PermissionDenied):
        file(mo, ruth, practice=True)


# --- the timers ------------------------------------------------------------------------------


def test_cooling_off_ends_by_the_sweep_exactly_once(mo, ruth, alice):
    case = file(mo, ruth)
    assert sweep(timedelta(hours=23)) == []
    case.refresh_from_db()
    assert case.state == State.COOLING_OFF
    fired = sweep(timedelta(hours=24, seconds=1))
    assert [timer.kind for timer in fired] == [conflicts.COOLING_OFF_ENDS]
    assert sweep(timedelta(hours=25)) == []
    case.refresh_from_db()
    assert case.state == State.AWAITING_CIRCLE
    # No facilitator yet: the organizers hear that the case waits for one.
    assert Notification.objects.filter(recipient=alice.user).count() == 1


def test_a_drill_cools_off_in_minutes(fay, ruth):
    case = file(fay, ruth, practice=True)
    assert case.cooling_off_ends_at - case.created_at == timedelta(minutes=2)
    sweep(timedelta(minutes=3))
    case.refresh_from_db()
    assert case.state == State.AWAITING_CIRCLE


def test_withdrawing_cancels_the_timers(mo, ruth):
    case = file(mo, ruth)
    conflicts.withdraw_case(by=mo, case=case)
    case.refresh_from_db()
    assert (case.state, case.outcome) == (State.CLOSED, ConflictCase.Outcome.WITHDRAWN)
    assert (
        Timer.objects.filter(
            target_id=case.pk, cancelled_at__isnull=True, fired_at__isnull=True
        ).count()
        == 0
    )
    assert sweep(timedelta(days=30)) == []


def test_only_the_filer_withdraws(mo, ruth):
    case = file(mo, ruth)
    with pytest.raises(PermissionDenied):
        conflicts.withdraw_case(by=ruth, case=case)


# --- the listening circle --------------------------------------------------------------------


def test_scheduling_during_cooling_off_is_refused(mo, ruth, alice, fay):
    case = file(mo, ruth)
    conflicts.assign_facilitator(by=alice, case=case, member=fay)
    with pytest.raises(ValidationError) as refused:
        conflicts.offer_times(by=fay, case=case, times=[timezone.now() + timedelta(days=2)])
    assert "cooling-off period runs until" in str(refused.value)


def test_a_party_cannot_facilitate_their_own_case(mo, ruth, alice):
    ruth.role = "facilitator"
    ruth.save()
    case = file(mo, ruth)
    with pytest.raises(ValidationError) as refused:
        conflicts.assign_facilitator(by=alice, case=case, member=ruth)
    assert "party to the case cannot facilitate" in str(refused.value)


def test_a_poll_answer_from_someone_not_a_party_is_refused(mo, ruth, alice, fay, cora):
    case = to_awaiting(file(mo, ruth))
    conflicts.assign_facilitator(by=alice, case=case, member=fay)
    conflicts.offer_times(by=fay, case=case, times=[timezone.now() + timedelta(days=2)])
    option = case.options.get()
    with pytest.raises(PermissionDenied) as refused:
        conflicts.answer_availability(by=cora, case=case, can_attend={option.pk: True})
    assert "Only the parties" in str(refused.value)


def test_agreements_on_a_case_not_yet_held_are_refused(mo, ruth, alice, fay):
    case = to_awaiting(file(mo, ruth))
    conflicts.assign_facilitator(by=alice, case=case, member=fay)
    with pytest.raises(ValidationError) as refused:
        conflicts.record_held(
            by=fay, case=case, heard=[p.pk for p in case.parties.all()], agreements=["Talk first"]
        )
    assert "scheduled before it is held" in str(refused.value)


def test_every_party_must_be_heard(mo, ruth, alice, fay):
    case = to_scheduled(file(mo, ruth), fay, alice)
    with pytest.raises(ValidationError) as refused:
        hold(case, fay, heard=[case.parties.first().pk])
    assert "Each party is heard" in str(refused.value)


def test_a_circle_is_recorded_only_once_it_has_been_held(mo, ruth, alice, fay):
    case = to_scheduled(file(mo, ruth), fay, alice)
    with pytest.raises(ValidationError) as refused:
        hold(case, fay, after=-timedelta(hours=1))
    assert "record it once it has been held" in str(refused.value)


def test_a_circle_ends_with_at_least_one_agreement(mo, ruth, alice, fay):
    case = to_scheduled(file(mo, ruth), fay, alice)
    with pytest.raises(ValidationError) as refused:
        hold(case, fay, agreements=["", "  "])
    assert "at least one agreement" in str(refused.value)


def test_recording_it_twice_says_it_is_already_done(mo, ruth, alice, fay):
    case = to_scheduled(file(mo, ruth), fay, alice)
    hold(case, fay)
    with pytest.raises(ValidationError) as refused:
        hold(case, fay)
    assert "already past that step" in str(refused.value)


def test_a_scheduled_circle_can_find_another_time(mo, ruth, alice, fay):
    case = to_scheduled(file(mo, ruth), fay, alice)
    conflicts.find_another_time(by=fay, case=case)
    case.refresh_from_db()
    assert (case.state, case.circle_at) == (State.AWAITING_CIRCLE, None)
    assert not case.options.exists()
    later = timezone.now() + timedelta(days=5)
    conflicts.offer_times(by=fay, case=case, times=[later])
    conflicts.schedule_circle(by=fay, case=case, option=case.options.get())
    case.refresh_from_db()
    assert case.circle_at == later


def test_times_are_offered_within_the_next_year(mo, ruth, alice, fay):
    case = to_awaiting(file(mo, ruth))
    conflicts.assign_facilitator(by=alice, case=case, member=fay)
    with pytest.raises(ValidationError) as refused:
        conflicts.offer_times(by=fay, case=case, times=[timezone.now() + timedelta(days=400)])
    assert "within the next year" in str(refused.value)


def test_a_time_that_has_passed_cannot_be_picked(mo, ruth, alice, fay):
    case = to_awaiting(file(mo, ruth))
    conflicts.assign_facilitator(by=alice, case=case, member=fay)
    conflicts.offer_times(by=fay, case=case, times=[timezone.now() + timedelta(days=2)])
    with pytest.raises(ValidationError) as refused:
        conflicts.schedule_circle(
            by=fay, case=case, option=case.options.get(), now=timezone.now() + timedelta(days=3)
        )
    assert "That time has passed" in str(refused.value)


def test_withdrawing_after_the_circle_cancels_the_follow_up(mo, ruth, alice, fay):
    case = to_scheduled(file(mo, ruth), fay, alice)
    hold(case, fay)
    conflicts.withdraw_case(by=mo, case=case)
    assert sweep(timedelta(days=60)) == []
    case.refresh_from_db()
    assert case.outcome == ConflictCase.Outcome.WITHDRAWN


def test_naming_someone_twice_names_them_once(mo, ruth):
    case = file(mo, ruth, ruth)
    assert case.parties.count() == 2


def test_only_an_assigned_facilitator_holds_the_circle(mo, ruth, alice, fay, tidewater):
    other = MembershipFactory(movement=tidewater, role="facilitator")
    case = to_scheduled(file(mo, ruth), fay, alice)
    with pytest.raises(PermissionDenied):
        hold(case, other)


def test_the_whole_ritual_from_filing_to_closing(mo, ruth, alice, fay):
    case = to_scheduled(file(mo, ruth), fay, alice)
    assert case.state == State.SCHEDULED
    parties = list(case.parties.all())
    held_at = hold(
        case,
        fay,
        agreements=["Meetings move only with a week's notice", "", "Mo and Ruth meet monthly"],
    )
    assert case.state == State.HELD
    assert [a.text for a in case.agreements.all()] == [
        "Meetings move only with a week's notice",
        "Mo and Ruth meet monthly",
    ]
    assert fire_due_timers(now=held_at + timedelta(days=13), limit=5) == []
    fire_due_timers(now=held_at + timedelta(days=14, minutes=1), limit=5)
    case.refresh_from_db()
    assert case.state == State.FOLLOW_UP
    held = {agreement.pk: True for agreement in case.agreements.all()}
    for party in parties:
        conflicts.check_in(by=party.member, case=case, held=held)
    conflicts.close_case(by=fay, case=case, outcome=ConflictCase.Outcome.RESOLVED)
    case.refresh_from_db()
    assert (case.state, case.outcome) == (State.CLOSED, ConflictCase.Outcome.RESOLVED)


def test_a_closed_case_refuses_every_step(mo, ruth, alice, fay):
    case = file(mo, ruth)
    conflicts.withdraw_case(by=mo, case=case)
    with pytest.raises(ValidationError) as refused:
        conflicts.assign_facilitator(by=alice, case=case, member=fay)
    assert "closed" in str(refused.value)
    with pytest.raises(ValidationError):
        conflicts.withdraw_case(by=mo, case=case)


# --- the ritual ------------------------------------------------------------------------------


def test_a_new_version_is_in_force_and_cases_keep_theirs(mo, ruth, alice):
    earlier = file(mo, ruth)
    ritual = conflicts.adopt_ritual(
        by=alice, text="Ours", cooling_off_hours=48, follow_up_days=7, retention_months=6
    )
    assert ritual.version == 2
    later = file(mo, ruth)
    assert (earlier.ritual.version, later.ritual.version) == (1, 2)
    assert later.cooling_off_ends_at - later.created_at == timedelta(hours=48)
    assert ConflictRitual.objects.filter(movement=mo.movement).count() == 2


def test_only_organizers_adopt_the_ritual(fay):
    with pytest.raises(PermissionDenied):
        conflicts.adopt_ritual(
            by=fay, text="Ours", cooling_off_hours=24, follow_up_days=7, retention_months=6
        )


# --- the figures and the purge ---------------------------------------------------------------


def test_figures_count_without_naming_and_drills_apart(mo, ruth, alice, fay, tidewater):
    from rituals.selectors import case_figures

    file(mo, ruth)
    file(fay, ruth, practice=True)
    figures = case_figures(tidewater)
    assert figures["opened"] == 1
    assert figures["cooling_off"] == 1
    assert figures["drills_this_year"] == 1
    assert figures["median_days_to_circle"] is None


def test_closed_cases_lose_their_texts_after_retention_and_keep_their_figures(
    mo, ruth, alice, fay, tidewater
):
    from rituals.selectors import case_figures

    case = to_scheduled(file(mo, ruth), fay, alice)
    conflicts.write_statement(by=ruth, case=case, text="I was there")
    held_at = hold(case, fay)
    fire_due_timers(now=held_at + timedelta(days=15), limit=5)
    case.refresh_from_db()
    conflicts.check_in(by=ruth, case=case, held={a.pk: True for a in case.agreements.all()})
    conflicts.close_case(by=fay, case=case, outcome=ConflictCase.Outcome.RESOLVED)
    conflicts.record_view(case=case, viewer=ruth)
    assert Notification.objects.filter(url=case.get_absolute_url()).exists()
    before = case_figures(tidewater)
    assert before["resolved"] == 1 and before["median_days_to_circle"] is not None

    assert conflicts.purge_closed_cases(now=timezone.now() + timedelta(days=300)) == 0
    assert conflicts.purge_closed_cases(now=timezone.now() + timedelta(days=400)) == 1
    case.refresh_from_db()
    assert case.description == "" and case.filed_by is None and case.texts_purged_at
    assert not case.parties.exists() and not case.agreements.exists()
    assert not case.views.exists() and not case.facilitators.exists()
    assert not case.options.exists()
    assert not Notification.objects.filter(url=case.get_absolute_url()).exists()
    from rituals.models import AgreementCheck, AvailabilityAnswer

    assert not AgreementCheck.objects.exists() and not AvailabilityAnswer.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT description FROM rituals_conflictcase WHERE id = %s", [case.pk])
        assert cursor.fetchone() == ("",)
    assert case_figures(tidewater) == before


# --- the parties' accounts, e-mails, the audit trail -------------------------------------------


def test_a_party_writes_their_account_and_nobody_else_can(mo, ruth, alice, fay):
    case = file(mo, ruth)
    conflicts.write_statement(by=ruth, case=case, text="I moved it because the hall was shut.")
    assert case.parties.get(member=ruth).statement == "I moved it because the hall was shut."
    with pytest.raises(PermissionDenied):
        conflicts.write_statement(by=alice, case=case, text="Organizers do not write accounts")


def test_e_mails_about_a_case_say_only_that_there_is_an_update(
    mo, ruth, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        file(mo, ruth)
    assert len(mailoutbox) == 2
    for message in mailoutbox:
        whole = (
            message.subject
            + message.body
            + "".join(str(part[0]) for part in getattr(message, "alternatives", []))
        )
        assert "There is an update in a conflict case you are part of" in message.body
        assert "bail fund" not in whole and "Ruth" not in whole


def test_a_drill_says_it_is_a_drill_in_its_notifications(fay, ruth):
    file(fay, ruth, practice=True)
    subjects = set(Notification.objects.values_list("subject", flat=True))
    assert subjects == {"Practice drill: a conflict case has an update"}


def test_the_audit_trail_never_holds_a_case(mo, ruth, alice, fay):
    from movement.models import AuditEvent

    hold(to_scheduled(file(mo, ruth), fay, alice), fay)
    trail = " ".join(
        f"{event.verb} {event.target} {event.data}" for event in AuditEvent.objects.all()
    )
    assert "conflict" not in trail.lower() and "bail fund" not in trail


def test_the_purge_runs_daily_from_beat(db, settings):
    from rituals.tasks import purge_closed_cases

    entry = settings.CELERY_BEAT_SCHEDULE["purge-closed-cases"]
    assert (entry["task"], entry["schedule"]) == ("rituals.tasks.purge_closed_cases", 86400.0)
    assert purge_closed_cases.delay().get() == 0
