"""What convergence asks of a member, for the "needs me" list (``movement/needs.py``): the
next gathering with their answer, the reports their circles owe for it, and, for
organizers, the circles drifting away."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from circles.models import CircleMembership
from movement.needs import Need, needs_provider
from rituals import permissions, selectors
from rituals.forms import RsvpForm
from rituals.models import CircleReport, Gathering

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
