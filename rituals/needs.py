"""What convergence asks of a member, for the "needs me" list (``movement/needs.py``): the
next gathering with their answer, the reports their circles owe for it, and, for
organizers, the circles drifting away; then the deadlines of their circles' running sprints
and, for conveners, a sprint round waiting for their circle's answer."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from circles.models import CircleMembership
from movement.needs import Need, needs_provider
from rituals import permissions, selectors
from rituals.forms import RsvpForm
from rituals.models import CircleReport, Gathering, RoundCircle, Sprint, SprintRound

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
    mine = Sprint.objects.running().of_member(membership).values("round")
    rounds = list(
        SprintRound.objects.filter(
            Q(movement=movement, state=SprintRound.State.OPEN, deadline__gt=now) | Q(pk__in=mine)
        )
        .select_related("movement")
        .order_by("-created_at")[: SHOWN + 1]
    )
    needs = []
    if any(sprint_round.state == SprintRound.State.LAUNCHED for sprint_round in rounds):
        running = (
            Sprint.objects.running()
            .of_member(membership)
            .filter(movement=movement)
            .select_related("movement")
            .with_circles()
            .order_by("ends_at", "pk")
        )
        for sprint in running[:SHOWN]:
            names = ", ".join(seat.circle.name for seat in sprint.sprint_circles.all())
            needs.append(
                Need(
                    title=_("Sprint: %(circles)s") % {"circles": names},
                    detail=_("Make the artifact before the time is up."),
                    url=sprint.get_absolute_url(),
                    due=sprint.ends_at,
                )
            )
    open_round = next((r for r in rounds if r.state == SprintRound.State.OPEN), None)
    if open_round is not None:
        needs.extend(_circles_to_opt_in(membership, open_round))
    return needs


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
