"""Named predicates for the rituals: convergence now; sprints and conflicts later."""

from movement.models import Role
from rituals.models import Gathering


def can_set_rhythm(membership):
    return membership.role == Role.ORGANIZER


def can_edit_gathering(membership, gathering):
    return membership.role == Role.ORGANIZER and gathering.state == Gathering.State.SCHEDULED


def can_see_drift(membership):
    return membership.role == Role.ORGANIZER


def can_submit_report(membership, circle, seat, gathering):
    """Only a circle's conveners speak for it, until its gathering is closed."""
    return (
        seat is not None
        and seat.is_convener
        and seat.circle_id == circle.pk
        and not circle.is_archived
        and gathering.state != Gathering.State.CLOSED
    )


def can_facilitate(membership, gathering, facilitator_ids):
    """Organizers, and the gathering's facilitators. While none is named, any member with
    the facilitator role may step in."""
    if gathering.state == Gathering.State.CLOSED:
        return False
    if membership.role == Role.ORGANIZER:
        return True
    if facilitator_ids:
        return membership.pk in facilitator_ids
    return membership.role == Role.FACILITATOR


# --- integration sprints ---------------------------------------------------------------------


def can_run_sprint_rounds(membership):
    """Facilitators and organizers open sprint rounds, propose, swap, launch and cancel."""
    return membership.role in (Role.ORGANIZER, Role.FACILITATOR)


def can_answer_for_circle(membership, circle, seat):
    """A circle's conveners opt it in to a sprint round (or out), while it is active."""
    return (
        seat is not None
        and seat.is_convener
        and seat.circle_id == circle.pk
        and seat.member_id == membership.pk
        and not circle.is_archived
    )
