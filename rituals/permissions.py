"""Named predicates for the rituals: convergence now; sprints and conflicts later."""

from movement.models import Role


def can_set_rhythm(membership):
    return membership.role == Role.ORGANIZER


def can_see_drift(membership):
    return membership.role == Role.ORGANIZER


def can_submit_report(membership, circle, seat, gathering):
    """Only a circle's conveners speak for it, until its gathering is closed."""
    return (
        seat is not None
        and seat.is_convener
        and seat.circle_id == circle.pk
        and not circle.is_archived
        and gathering.state != "closed"
    )
