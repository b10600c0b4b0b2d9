"""The conflict ritual and its cases: every change of a case goes through here.

One state machine, enforced in one place (``_move``)::

    cooling off ──(timer)──▶ awaiting a listening circle ──(facilitator picks a time)──▶
    scheduled ──(facilitator records it held, and the agreements)──▶ held ──(timer)──▶
    follow-up ──(facilitator closes: resolved or unresolved)──▶ closed

and from any open state, the person who filed it may withdraw it (closed, withdrawn), which
cancels its timers. Filing is the first step of cooling off: a case is never "filed" without
its cooling-off period running. Any other move is refused with the reason, in words.

What a case says never leaves the case: notifications and e-mails say only that there is an
update, and link to it; the movement's audit trail records the ritual's versions, never a
case; the case keeps its own access log (``CaseView``).
"""

from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from movement.models import Membership, Movement, Notification, Role, Submission, User
from movement.services import notify_many, record_event
from movement.vocabulary import audit_verbs, notification_kinds
from rituals import permissions
from rituals.models import (
    Agreement,
    AgreementCheck,
    AvailabilityAnswer,
    AvailabilityOption,
    CaseFacilitator,
    CaseParty,
    CaseView,
    ConflictCase,
    ConflictRitual,
)
from rituals.timers import cancel_timers, handler, lock_pending_timers, schedule_timer

State = ConflictCase.State

COOLING_OFF_ENDS = "conflict.cooling_off_ends"
FOLLOW_UP_DUE = "conflict.follow_up_due"

MAX_OPTIONS = 12
OFFER_AHEAD = timedelta(days=365)
MAX_AGREEMENTS = 20


@audit_verbs
class Verb(models.TextChoices):
    """What the conflict ritual writes on the audit trail: its versions, never a case."""

    RITUAL_ADOPTED = (
        "conflict_ritual.adopted",
        gettext_lazy("adopted a version of the conflict ritual"),
    )


@notification_kinds
class NotificationKind(models.TextChoices):
    CASE_UPDATE = (
        "rituals.case_update",
        gettext_lazy("a conflict case I am part of has an update"),
    )


DEFAULT_RITUAL = gettext_lazy(
    """## Our conflict ritual

Cohesion does not mean absence of conflict. It means presence of containers for conflict.
We wrote this down before we needed it, and we practise it.

1. **Cooling off.** When a case is filed, nobody acts on it for 24 hours. Everyone involved
   is told, and nobody answers in the heat of the moment.
2. **A facilitated listening circle.** A facilitator who is not a party is assigned. Each
   party says when they can attend; the facilitator picks a time. In the circle, each party
   is heard in full, without interruption.
3. **A restorative process grounded in mutual respect.** We look for what would repair
   the harm and let us keep working together, and we write down what we agree.
4. **Strategy and behaviour, never identity.** A dispute is about what we do or decide, or
   about something that was done or said — never about who someone is.
5. **Follow-up.** Two weeks later, each party says whether the agreements held. Then the
   case is closed, resolved or not.

What a case says is seen only by its parties, its facilitators and the organizers, and is
deleted a year after it closes."""
)


def _tell(case, recipients):
    """Tell people there is an update, and nothing else: no text, no names. A drill says it
    is one."""
    if case.is_practice:
        subject = gettext_lazy("Practice drill: a conflict case has an update")
        body = gettext_lazy(
            "There is an update in the practice drill you are part of. Open it to see what it "
            "asks of you."
        )
    else:
        subject = gettext_lazy("A conflict case has an update")
        body = gettext_lazy(
            "There is an update in a conflict case you are part of. Open it to see what it "
            "asks of you."
        )
    notify_many(
        recipients=recipients,
        kind=NotificationKind.CASE_UPDATE,
        movement=case.movement,
        subject=subject,
        body=body,
        url=case.get_absolute_url(),
    )


def _people_of(case, *, parties=True, facilitators=True, organizers=False):
    """The users to tell: the case's parties, its facilitators, the movement's organizers."""
    who = Q(pk__in=[])
    if parties:
        who |= Q(pk__in=CaseParty.objects.filter(case=case).values("member__user"))
    if facilitators:
        who |= Q(pk__in=CaseFacilitator.objects.filter(case=case).values("member__user"))
    if organizers:
        who |= Q(
            pk__in=Membership.objects.filter(movement=case.movement_id, role=Role.ORGANIZER).values(
                "user"
            )
        )
    return User.objects.filter(who)


# --- the ritual ------------------------------------------------------------------------------


def ritual_in_force(movement):
    """The highest version; a movement that never wrote one gets the default as version 1,
    adopted by nobody (written down the first time it is needed)."""
    ritual = ConflictRitual.objects.filter(movement=movement).order_by("-version").first()
    if ritual is not None:
        return ritual
    ritual, _created = ConflictRitual.objects.get_or_create(
        movement=movement, version=1, defaults={"text": str(DEFAULT_RITUAL)}
    )
    return ritual


def adopt_ritual(*, by, text, cooling_off_hours, follow_up_days, retention_months):
    """A new version of the ritual, in force from now; cases under way keep theirs."""
    if not permissions.can_adopt_ritual(by):
        raise PermissionDenied(_("Only organizers adopt the conflict ritual."))
    if not text.strip():
        raise ValidationError({"text": _("Write the ritual down.")})
    with transaction.atomic():
        movement = Movement.objects.select_for_update().get(pk=by.movement_id)
        last = ConflictRitual.objects.filter(movement=movement).aggregate(v=Max("version"))["v"]
        ritual = ConflictRitual.objects.create(
            movement=movement,
            version=(last or 0) + 1,
            text=text.strip(),
            cooling_off_hours=cooling_off_hours,
            follow_up_days=follow_up_days,
            retention_months=retention_months,
            adopted_by=by,
        )
        record_event(
            movement=movement,
            actor=by.user,
            verb=Verb.RITUAL_ADOPTED,
            target=f"v{ritual.version}",
        )
    return ritual


# --- the state machine -----------------------------------------------------------------------

MOVES = {
    State.COOLING_OFF: {State.AWAITING_CIRCLE, State.CLOSED},
    State.AWAITING_CIRCLE: {State.SCHEDULED, State.CLOSED},
    State.SCHEDULED: {State.HELD, State.AWAITING_CIRCLE, State.CLOSED},
    State.HELD: {State.FOLLOW_UP, State.CLOSED},
    State.FOLLOW_UP: {State.CLOSED},
    State.CLOSED: set(),
}


STEPS = [
    State.COOLING_OFF,
    State.AWAITING_CIRCLE,
    State.SCHEDULED,
    State.HELD,
    State.FOLLOW_UP,
    State.CLOSED,
]


def refusal(case, to):
    """Why ``case`` cannot move to ``to`` now, in words."""
    if case.state == State.CLOSED:
        return _("This case is closed.")
    if case.state == State.COOLING_OFF and to in (State.SCHEDULED, State.HELD):
        local = timezone.localtime(case.cooling_off_ends_at)
        return _(
            "The cooling-off period runs until %(when)s: the listening circle is scheduled "
            "after it."
        ) % {"when": local.strftime("%Y-%m-%d %H:%M")}
    if STEPS.index(case.state) >= STEPS.index(to):
        return _("This case is already past that step: it is now at “%(step)s”.") % {
            "step": case.get_state_display()
        }
    if to == State.HELD:
        return _("The listening circle has to be scheduled before it is held.")
    if to == State.FOLLOW_UP:
        return _("The follow-up comes after the listening circle is held.")
    if to == State.CLOSED:
        return _("A case is closed after its follow-up.")
    return _("This step does not come next in this case.")


def _move(case, to, now):
    if to not in MOVES[case.state]:
        raise ValidationError(refusal(case, to))
    case.state = to
    stamp = {
        State.AWAITING_CIRCLE: "awaiting_since",
        State.SCHEDULED: "scheduled_at",
        State.HELD: "held_at",
        State.FOLLOW_UP: "follow_up_at",
        State.CLOSED: "closed_at",
    }[to]
    setattr(case, stamp, now)
    return ["state", stamp]


def _lock(case):
    """The case, locked, after its pending timers (``rituals.timers.lock_pending_timers``:
    the sweep's order, so a step taken while the sweep fires cannot deadlock with it)."""
    lock_pending_timers(case)
    return (
        ConflictCase.objects.select_for_update(of=("self",))
        .select_related("movement", "ritual")
        .get(pk=case.pk)
    )


def _party_of(case, membership):
    return CaseParty.objects.filter(case=case, member=membership).first()


def _is_assigned(case, membership):
    return CaseFacilitator.objects.filter(case=case, member=membership).exists()


def _require_facilitator(case, membership):
    if not _is_assigned(case, membership):
        raise PermissionDenied(_("Only the case's assigned facilitators hold its circle."))


# --- filing ----------------------------------------------------------------------------------


def file_case(
    *,
    by,
    others,
    about,
    description,
    confirmed,
    practice=False,
    cooling_off_minutes=None,
    follow_up_minutes=None,
    now=None,
):
    """Open a case between ``by`` and ``others`` (members of the movement). Its cooling-off
    period starts at once; all parties are told, with its end. A practice drill (``practice``)
    runs on minutes (``cooling_off_minutes``, ``follow_up_minutes``); a real case follows its
    ritual's hours and days and refuses drill timers."""
    now = now or timezone.now()
    errors = {}
    others = list({other.pk: other for other in others if other.pk != by.pk}.values())
    if not others:
        errors["others"] = _("Name at least one other member of the movement: not only yourself.")
    elif any(other.movement_id != by.movement_id for other in others):
        errors["others"] = _("Every other party must be a member of this movement.")
    if about not in ConflictCase.About.values:
        errors["about"] = _("Say whether this is about strategy or about behaviour.")
    if not description.strip():
        errors["description"] = _("Describe what was done or decided.")
    if not confirmed:
        errors["confirmed"] = _(
            "Confirm that this describes what was done or decided, not who someone is."
        )
    for name, minutes in (
        ("cooling_off_minutes", cooling_off_minutes),
        ("follow_up_minutes", follow_up_minutes),
    ):
        if minutes is None:
            continue
        if not practice:
            errors[name] = _("Timers in minutes are for practice drills only.")
        elif not 1 <= minutes <= ConflictCase.DRILL_MOST_MINUTES:
            errors[name] = _("A drill's timer runs from 1 minute to a day (1440 minutes).")
    if practice and not permissions.can_run_drill(by):
        raise PermissionDenied(_("Only facilitators and organizers run practice drills."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        ritual = ritual_in_force(by.movement)
        if practice:
            cooling_off = timedelta(
                minutes=cooling_off_minutes or ConflictCase.DRILL_COOLING_OFF_MINUTES
            )
            follow_up = timedelta(minutes=follow_up_minutes or ConflictCase.DRILL_FOLLOW_UP_MINUTES)
        else:
            cooling_off, follow_up = ritual.cooling_off, ritual.follow_up
        case = ConflictCase.objects.create(
            movement=by.movement,
            ritual=ritual,
            filed_by=by,
            about=about,
            description=description.strip(),
            is_practice=practice,
            created_at=now,
            cooling_off_ends_at=now + cooling_off,
            follow_up_after=follow_up,
        )
        CaseParty.objects.bulk_create(
            [CaseParty(case=case, member=by, is_filer=True)]
            + [CaseParty(case=case, member=other) for other in others]
        )
        schedule_timer(
            kind=COOLING_OFF_ENDS,
            due_at=case.cooling_off_ends_at,
            target=case,
            movement=by.movement,
        )
        _tell(case, _people_of(case))
    return case


@handler(COOLING_OFF_ENDS)
def cooling_off_ends(timer):
    """The cooling-off period is over: the case awaits its listening circle. Idempotent."""
    case = (
        ConflictCase.objects.select_for_update(of=("self",))
        .select_related("movement")
        .filter(pk=timer.target_id, state=State.COOLING_OFF)
        .first()
    )
    if case is None:
        return
    # It ended when it was due, however late the sweep came.
    case.save(update_fields=_move(case, State.AWAITING_CIRCLE, timer.due_at))
    # Without a facilitator yet, someone has to assign one: the organizers hear it too.
    waiting = not CaseFacilitator.objects.filter(case=case).exists()
    _tell(case, _people_of(case, organizers=waiting))


STATEMENT_MAX = 5000


def write_statement(*, by, case, text):
    """A party writes (or rewrites) their own account of what happened, for the people of
    the case, until it closes."""
    text = text.strip()
    if len(text) > STATEMENT_MAX:
        raise ValidationError(
            {"statement": _("At most %(count)d characters.") % {"count": STATEMENT_MAX}}
        )
    with transaction.atomic():
        case = _lock(case)
        party = _party_of(case, by)
        if party is None:
            raise PermissionDenied(_("Only the parties write their account."))
        if not case.is_open:
            raise ValidationError(_("This case is closed."))
        party.statement = text
        party.save(update_fields=["statement"])
        _tell(case, _people_of(case).exclude(pk=by.user_id))
    return party


# --- the listening circle ------------------------------------------------------------------


def assign_facilitator(*, by, case, member):
    """An organizer assigns a facilitator who is not a party to the case."""
    if not permissions.can_assign_case_facilitator(by):
        raise PermissionDenied(_("Only organizers assign a case's facilitator."))
    if member.movement_id != case.movement_id or member.role not in (
        Role.FACILITATOR,
        Role.ORGANIZER,
    ):
        raise ValidationError({"member": _("Pick a facilitator or an organizer of this movement.")})
    with transaction.atomic():
        case = _lock(case)
        if not case.is_open:
            raise ValidationError(_("This case is closed."))
        if CaseParty.objects.filter(case=case, member=member).exists():
            raise ValidationError({"member": _("A party to the case cannot facilitate it.")})
        _seat, created = CaseFacilitator.objects.get_or_create(
            case=case, member=member, defaults={"assigned_by": by}
        )
        if created:
            _tell(case, User.objects.filter(pk=member.user_id))
    return case


def offer_times(*, by, case, times, now=None):
    """The facilitator offers times for the listening circle; the parties mark theirs."""
    now = now or timezone.now()
    times = sorted(set(times))
    if not times:
        raise ValidationError({"times": _("Offer at least one time.")})
    if any(moment <= now for moment in times):
        raise ValidationError({"times": _("Offer times in the future.")})
    if any(moment > now + OFFER_AHEAD for moment in times):
        raise ValidationError({"times": _("Offer times within the next year.")})
    with transaction.atomic():
        case = _lock(case)
        _require_facilitator(case, by)
        if case.state != State.AWAITING_CIRCLE:
            raise ValidationError(refusal(case, State.SCHEDULED))
        if AvailabilityOption.objects.filter(case=case).count() + len(times) > MAX_OPTIONS:
            raise ValidationError(
                {"times": _("At most %(count)d times can be offered.") % {"count": MAX_OPTIONS}}
            )
        AvailabilityOption.objects.bulk_create(
            [AvailabilityOption(case=case, starts_at=moment) for moment in times],
            ignore_conflicts=True,
        )
        _tell(case, _people_of(case, facilitators=False))
    return case


def answer_availability(*, by, case, can_attend, now=None):
    """A party marks each offered time: ``can_attend`` is ``{option id: bool}``."""
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case)
        party = _party_of(case, by)
        if party is None:
            raise PermissionDenied(_("Only the parties answer the availability poll."))
        if case.state != State.AWAITING_CIRCLE:
            raise ValidationError(
                _("The availability poll is open while the circle awaits a time.")
            )
        options = {option.pk: option for option in AvailabilityOption.objects.filter(case=case)}
        unknown = set(can_attend) - set(options)
        if unknown:
            raise ValidationError(_("Answer only the times offered for this case."))
        AvailabilityAnswer.objects.filter(party=party, option__in=list(can_attend)).delete()
        AvailabilityAnswer.objects.bulk_create(
            AvailabilityAnswer(option_id=pk, party=party, can_attend=yes, answered_at=now)
            for pk, yes in can_attend.items()
        )
    return case


def schedule_circle(*, by, case, option, place="", now=None):
    """The facilitator picks one of the offered times; the circle goes in the calendars."""
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case)
        _require_facilitator(case, by)
        if option.case_id != case.pk:
            raise ValidationError({"option": _("Pick one of the times offered for this case.")})
        if option.starts_at <= now:
            raise ValidationError({"option": _("That time has passed: offer new times.")})
        fields = _move(case, State.SCHEDULED, now)
        case.circle_at, case.circle_place = option.starts_at, place.strip()
        case.save(update_fields=[*fields, "circle_at", "circle_place"])
        _tell(case, _people_of(case))
    return case


def find_another_time(*, by, case, now=None):
    """The scheduled time no longer works: back to the poll, for new times."""
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case)
        _require_facilitator(case, by)
        if case.state != State.SCHEDULED:
            raise ValidationError(_("Only a scheduled listening circle can be moved."))
        fields = _move(case, State.AWAITING_CIRCLE, now)
        case.circle_at, case.circle_place, case.scheduled_at = None, "", None
        case.save(update_fields=[*fields, "circle_at", "circle_place", "scheduled_at"])
        AvailabilityOption.objects.filter(case=case).delete()  # and their answers
        _tell(case, _people_of(case))
    return case


def record_held(*, by, case, heard, agreements, now=None):
    """The facilitator records that each party was heard, and the agreements; the follow-up
    timer starts."""
    now = now or timezone.now()
    agreements = [text.strip() for text in agreements if text.strip()]
    if not agreements:
        raise ValidationError(
            {
                "agreements": _(
                    "Write at least one agreement, even “we meet again in a month”: the "
                    "follow-up checks it."
                )
            }
        )
    if len(agreements) > MAX_AGREEMENTS:
        raise ValidationError(
            {"agreements": _("At most %(count)d agreements.") % {"count": MAX_AGREEMENTS}}
        )
    with transaction.atomic():
        case = _lock(case)
        _require_facilitator(case, by)
        if case.state != State.SCHEDULED:
            raise ValidationError(
                _("Agreements are recorded when the listening circle is held: %(why)s")
                % {"why": refusal(case, State.HELD)}
                if case.state in (State.COOLING_OFF, State.AWAITING_CIRCLE)
                else refusal(case, State.HELD)
            )
        if not case.is_practice and case.circle_at > now:
            raise ValidationError(
                _("The listening circle is on %(when)s: record it once it has been held.")
                % {"when": timezone.localtime(case.circle_at).strftime("%Y-%m-%d %H:%M")}
            )
        parties = list(CaseParty.objects.filter(case=case))
        if {party.pk for party in parties} - set(heard):
            raise ValidationError(
                {"heard": _("Each party is heard in the circle: mark every one of them.")}
            )
        fields = _move(case, State.HELD, now)
        case.save(update_fields=fields)
        CaseParty.objects.filter(case=case).update(heard_at=now)
        Agreement.objects.bulk_create(
            Agreement(case=case, text=text, position=position)
            for position, text in enumerate(agreements, start=1)
        )
        schedule_timer(
            kind=FOLLOW_UP_DUE,
            due_at=now + case.follow_up_after,
            target=case,
            movement=case.movement,
        )
        _tell(case, _people_of(case, facilitators=False))
    return case


@handler(FOLLOW_UP_DUE)
def follow_up_due(timer):
    """Time to check in: the parties say whether each agreement held. Idempotent."""
    case = (
        ConflictCase.objects.select_for_update(of=("self",))
        .select_related("movement")
        .filter(pk=timer.target_id, state=State.HELD)
        .first()
    )
    if case is None:
        return
    case.save(update_fields=_move(case, State.FOLLOW_UP, timer.due_at))
    _tell(case, _people_of(case))


def check_in(*, by, case, held, now=None):
    """A party says, for each agreement, whether it held: ``held`` is ``{agreement id: bool}``."""
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case)
        party = _party_of(case, by)
        if party is None:
            raise PermissionDenied(_("Only the parties check in on the agreements."))
        if case.state == State.CLOSED:
            raise ValidationError(_("This case is closed."))
        if case.state != State.FOLLOW_UP:
            raise ValidationError(_("The check-in opens at the follow-up."))
        agreements = set(Agreement.objects.filter(case=case).values_list("pk", flat=True))
        if set(held) != agreements:
            raise ValidationError(_("Say for each agreement whether it held."))
        AgreementCheck.objects.filter(party=party).delete()
        AgreementCheck.objects.bulk_create(
            AgreementCheck(agreement_id=pk, party=party, held=yes, answered_at=now)
            for pk, yes in held.items()
        )
        party.checked_in_at = now
        party.save(update_fields=["checked_in_at"])
        _tell(case, _people_of(case, parties=False))
    return case


def close_case(*, by, case, outcome, now=None):
    """After the follow-up a facilitator closes the case, resolved or unresolved."""
    now = now or timezone.now()
    if outcome not in (ConflictCase.Outcome.RESOLVED, ConflictCase.Outcome.UNRESOLVED):
        raise ValidationError({"outcome": _("Say whether the case is resolved.")})
    with transaction.atomic():
        case = _lock(case)
        _require_facilitator(case, by)
        if case.state != State.FOLLOW_UP:
            raise ValidationError(refusal(case, State.CLOSED))
        fields = _move(case, State.CLOSED, now)
        case.outcome = outcome
        case.save(update_fields=[*fields, "outcome"])
        _tell(case, _people_of(case, facilitators=False))
    return case


def withdraw_case(*, by, case, now=None):
    """The person who filed it withdraws the case, at any step before it closes; its timers
    are cancelled."""
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case)
        if case.filed_by_id != by.pk:
            raise PermissionDenied(_("Only the person who filed a case withdraws it."))
        fields = _move(case, State.CLOSED, now)
        case.outcome = ConflictCase.Outcome.WITHDRAWN
        case.save(update_fields=[*fields, "outcome"])
        cancel_timers(target=case, kind=COOLING_OFF_ENDS)
        cancel_timers(target=case, kind=FOLLOW_UP_DUE)
        _tell(case, _people_of(case).exclude(pk=by.user_id))
    return case


# --- the access log and the purge ----------------------------------------------------------


def record_view(*, case, viewer, now=None):
    CaseView.objects.create(case=case, viewer=viewer, viewed_at=now or timezone.now())


def purge_closed_cases(*, now=None):
    """Delete what closed cases said, and who was in them, once their ritual's retention
    period has passed: only the anonymous figures (state, outcome, dates, kind) stay.
    Returns how many cases were purged."""
    now = now or timezone.now()
    purged = 0
    due = ConflictCase.objects.filter(
        state=State.CLOSED, texts_purged_at__isnull=True
    ).select_related("ritual")
    for case in due.iterator():
        if case.closed_at + relativedelta(months=case.ritual.retention_months) > now:
            continue
        with transaction.atomic():
            Agreement.objects.filter(case=case).delete()  # and their checks
            CaseParty.objects.filter(case=case).delete()  # statements and poll answers
            AvailabilityOption.objects.filter(case=case).delete()
            CaseFacilitator.objects.filter(case=case).delete()
            CaseView.objects.filter(case=case).delete()
            # Who was told of the case, and who acted on it: rows that name people.
            address = case.get_absolute_url()
            Notification.objects.filter(kind=NotificationKind.CASE_UPDATE, url=address).delete()
            Submission.objects.filter(leads_to__startswith=address).delete()
            ConflictCase.objects.filter(pk=case.pk).update(
                description="", circle_place="", filed_by=None, texts_purged_at=now
            )
        purged += 1
    return purged


def reseal_all():
    """Every sealed text read and written again under the first key of ``CASE_KEYS``.
    Returns how many rows were written."""
    written = 0
    for model, fields in (
        (ConflictCase, ["description"]),
        (CaseParty, ["statement"]),
        (Agreement, ["text"]),
    ):
        for pk in model.objects.values_list("pk", flat=True).iterator(chunk_size=500):
            with transaction.atomic():  # locked: a text saved meanwhile is not overwritten
                row = model.objects.select_for_update().only("pk", *fields).get(pk=pk)
                model.objects.filter(pk=pk).update(**{name: getattr(row, name) for name in fields})
            written += 1
    return written
