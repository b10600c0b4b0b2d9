"""What convergence asks of a member, for the "needs me" list (``movement/needs.py``): the
next gathering with their answer, the reports their circles owe for it, and, for
organizers, the circles drifting away; then the deadlines of their circles' running sprints
(and the reflection of those whose time is up), for conveners a sprint round waiting for
their circle's answer; and each person's next step in their conflict cases."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from circles.models import CircleMembership
from movement.needs import Need, needs_provider
from rituals import permissions, selectors
from rituals.forms import RsvpForm
from rituals.models import (
    AvailabilityOption,
    CaseFacilitator,
    CaseParty,
    CircleReport,
    ConflictCase,
    Gathering,
    RoundCircle,
    SovereigntyRecord,
    Sprint,
    SprintRound,
)

SHOWN = 3


def _next_gathering(membership, now):
    return selectors.gatherings(membership.movement, now=now).first()


def _reports_owed(membership, gathering):
    """Active circles this member convenes that have not reported for ``gathering``."""
    seats = CircleMembership.objects.filter(
        member=membership, is_convener=True, circle__archived_at__isnull=True
    ).exclude(circle__in=CircleReport.objects.filter(cycle=gathering.cycle_id).values("circle"))
    return [seat.circle for seat in seats.select_related("circle").order_by("circle__name")]


@needs_provider
def convergence_needs(membership, now):
    movement = membership.movement
    needs = []
    gathering = _next_gathering(membership, now)
    if gathering is not None:
        answer = selectors.answer_of(membership=membership, gathering=gathering)
        needs.append(
            Need(
                title=_("The next gathering"),
                url=gathering.get_absolute_url(),
                due=gathering.starts_at,
                template="rituals/needs/next_gathering.html",
                extra={
                    "gathering": gathering,
                    "answer": answer,
                    "form": RsvpForm(auto_id="rsvp-%s"),
                },
            )
        )
        if gathering.state != Gathering.State.CLOSED:
            owed = _reports_owed(membership, gathering)
            due = selectors.report_due_at(gathering) if owed else None
            for circle in owed[:SHOWN]:
                needs.append(
                    Need(
                        title=_("Write the report of %(circle)s") % {"circle": circle.name},
                        detail=_("what you did, what you learned, what you need"),
                        url=reverse(
                            "rituals:report",
                            kwargs={
                                "movement_slug": movement.slug,
                                "gathering_id": gathering.pk,
                                "circle_slug": circle.slug,
                            },
                        ),
                        due=due,
                    )
                )
    if permissions.can_see_drift(membership):
        drifting = list(selectors.drifting_circles(movement, now=now)[: SHOWN + 1])
        if drifting:
            names = ", ".join(circle.name for circle in drifting[:SHOWN])
            needs.append(
                Need(
                    title=ngettext(
                        "A circle sent no report for two gatherings",
                        "Circles sent no report for two gatherings",
                        len(drifting),
                    ),
                    detail=names + ("…" if len(drifting) > SHOWN else ""),
                    url=reverse("rituals:convergence", kwargs={"movement_slug": movement.slug})
                    + "#drift-heading",
                )
            )
    return needs


@needs_provider
def sprint_needs(membership, now):
    """The deadline of each running sprint of the member's circles (three at most, soonest
    first), and, while a round is open, the circles they convene that have not opted in.

    One query when nothing is under way (the rounds that are open or hold a running sprint
    of the member's), and a fixed few more when something is."""
    movement = membership.movement
    mine = _forging(Sprint.objects.of_member(membership)).values("round")
    rounds = list(
        SprintRound.objects.filter(
            Q(movement=movement, state=SprintRound.State.OPEN, deadline__gt=now) | Q(pk__in=mine)
        )
        .select_related("movement")
        .order_by("-created_at")[: SHOWN + 1]
    )
    needs = []
    if any(sprint_round.state == SprintRound.State.LAUNCHED for sprint_round in rounds):
        forging = (
            _forging(Sprint.objects.of_member(membership))
            .filter(movement=movement)
            .select_related("movement")
            .with_circles()
            .order_by("ends_at", "pk")
        )
        for sprint in forging[:SHOWN]:
            names = " · ".join(seat.circle.name for seat in sprint.sprint_circles.all())
            running = sprint.state == Sprint.State.RUNNING
            needs.append(
                Need(
                    title=_("Sprint: %(circles)s") % {"circles": names},
                    detail=_("Make the artifact before the time is up.")
                    if running
                    else _("Time is up: publish the artifact and write the reflection."),
                    url=sprint.get_absolute_url(),
                    due=sprint.ends_at if running else None,
                )
            )
    open_round = next((r for r in rounds if r.state == SprintRound.State.OPEN), None)
    if open_round is not None:
        needs.extend(_circles_to_opt_in(membership, open_round))
    return needs


def _forging(sprints):
    """Running sprints, and those presenting whose reflection is still to be written."""
    return sprints.filter(
        Q(state=Sprint.State.RUNNING)
        | Q(state=Sprint.State.PRESENTING, artifact__isnull=True)
        | Q(state=Sprint.State.PRESENTING, artifact__reflection="")
    )


def _circles_to_opt_in(membership, sprint_round):
    waiting = list(
        CircleMembership.objects.filter(
            member=membership, is_convener=True, circle__archived_at__isnull=True
        )
        .exclude(circle__in=RoundCircle.objects.filter(round=sprint_round).values("circle"))
        .order_by("circle__name")
        .values_list("circle__name", flat=True)[: SHOWN + 1]
    )
    if not waiting:
        return []
    return [
        Need(
            title=ngettext(
                "Opt your circle in to the sprint round",
                "Opt your circles in to the sprint round",
                len(waiting),
            ),
            detail=", ".join(waiting[:SHOWN]) + ("…" if len(waiting) > SHOWN else ""),
            url=sprint_round.get_absolute_url(),
            due=sprint_round.deadline,
        )
    ]


# --- the conflict ritual -------------------------------------------------------------------


State = ConflictCase.State
# The cases where the person has a step (what ``_case_step`` words), chosen in SQL so the
# few shown are never crowded out by cases that ask nothing of them.
_HAS_A_STEP = (
    Q(is_party=True, state=State.COOLING_OFF)
    | Q(is_party=True, state=State.AWAITING_CIRCLE, unanswered=True)
    | Q(facilitates=True, state=State.AWAITING_CIRCLE)
    | Q(state=State.SCHEDULED)
    | Q(is_party=True, state=State.FOLLOW_UP, checked_in=False)
    | Q(facilitates=True, state=State.FOLLOW_UP)
)


def _case_step(case):
    """What the case asks of this person next, in words, and by when (``_HAS_A_STEP``
    chose the case: it asks something)."""
    number = {"number": case.pk}
    if case.state == State.COOLING_OFF and case.is_party:
        return _("Conflict case %(number)s: cooling off") % number, case.cooling_off_ends_at
    if case.state == State.AWAITING_CIRCLE:
        if case.is_party and case.unanswered:
            return _("Conflict case %(number)s: mark when you can attend") % number, None
        if case.facilitates and not case.offered:
            return _(
                "Conflict case %(number)s: offer times for the listening circle"
            ) % number, None
        if case.facilitates and case.offered:
            return _("Conflict case %(number)s: pick the listening circle's time") % number, None
    if case.state == State.SCHEDULED:
        return _("Conflict case %(number)s: the listening circle") % number, case.circle_at
    if case.state == State.FOLLOW_UP:
        if case.is_party and not case.checked_in:
            return _("Conflict case %(number)s: did the agreements hold?") % number, None
        if case.facilitates:
            return _("Conflict case %(number)s: close the case") % number, None
    return None


@needs_provider
def conflict_needs(membership, now):
    """Each person's next step in their open cases (three at most), and for organizers the
    cases waiting for a facilitator. Two queries, whatever the number of cases: nothing of a
    case's text, only its number and its step."""
    mine = CaseParty.objects.filter(case=OuterRef("pk"), member=membership)
    cases = (
        ConflictCase.objects.filter(
            movement=membership.movement_id, state__in=ConflictCase.OPEN_STATES
        )
        .annotate(
            is_party=Exists(mine),
            facilitates=Exists(
                CaseFacilitator.objects.filter(case=OuterRef("pk"), member=membership)
            ),
            offered=Exists(AvailabilityOption.objects.filter(case=OuterRef("pk"))),
            unanswered=Exists(
                AvailabilityOption.objects.filter(case=OuterRef("pk")).exclude(
                    answers__party__member=membership
                )
            ),
            checked_in=Exists(mine.filter(checked_in_at__isnull=False)),
        )
        .filter(_HAS_A_STEP)
        .select_related("movement")
        .defer("description")  # the list opens no sealed text
        .order_by("created_at", "pk")
    )
    needs = []
    for case in cases[:SHOWN]:
        title, due = _case_step(case)
        needs.append(
            Need(
                title=title,
                detail=_("practice drill") if case.is_practice else "",
                url=case.get_absolute_url(),
                due=due,
            )
        )
    if permissions.can_assign_case_facilitator(membership):
        waiting = (
            ConflictCase.objects.filter(
                movement=membership.movement_id, state__in=ConflictCase.OPEN_STATES
            )
            .exclude(Exists(CaseFacilitator.objects.filter(case=OuterRef("pk"))))
            .count()
        )
        if waiting:
            needs.append(
                Need(
                    title=ngettext(
                        "A conflict case waits for a facilitator",
                        "%(count)d conflict cases wait for a facilitator",
                        waiting,
                    )
                    % {"count": waiting},
                    url=reverse(
                        "rituals:conflicts", kwargs={"movement_slug": membership.movement.slug}
                    ),
                )
            )
    return needs


# --- sovereignty gained ----------------------------------------------------------------------

RECORD_WITHIN = timedelta(days=30)


@needs_provider
def sovereignty_needs(membership, now):
    """For a month after a gathering is held, the conveners of circles that recorded nothing
    for its cycle are asked what the cycle left behind. Two queries at most."""
    held = (
        Gathering.objects.filter(
            movement=membership.movement_id,
            state=Gathering.State.CLOSED,
            ends_at__gte=now - RECORD_WITHIN,
        )
        .select_related("cycle")
        .order_by("-starts_at")
        .first()
    )
    if held is None:
        return []
    waiting = list(
        CircleMembership.objects.filter(
            member=membership, is_convener=True, circle__archived_at__isnull=True
        )
        .exclude(circle__in=SovereigntyRecord.objects.filter(cycle=held.cycle_id).values("circle"))
        .order_by("circle__name")
        .values_list("circle__name", flat=True)[: SHOWN + 1]
    )
    if not waiting:
        return []
    return [
        Need(
            title=_("What did cycle %(number)d leave behind?") % {"number": held.cycle.number},
            detail=_("Record the sovereignty gained by %(circles)s")
            % {"circles": ", ".join(waiting[:SHOWN]) + ("…" if len(waiting) > SHOWN else "")},
            url=reverse(
                "rituals:sovereignty_new", kwargs={"movement_slug": membership.movement.slug}
            ),
        )
    ]
