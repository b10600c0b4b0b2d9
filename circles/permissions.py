"""Named predicates for circles. ``seat`` is the caller's CircleMembership or None."""

from movement.models import Role


def can_create_circle(membership):
    return True


def can_edit_circle(membership, circle, seat):
    return not circle.is_archived and seat is not None and seat.is_convener


def can_archive_circle(membership, circle):
    return membership.role == Role.ORGANIZER and not circle.is_archived


def can_join_circle(membership, circle, seat):
    return not circle.is_archived and seat is None


def can_leave_circle(membership, circle, seat):
    return seat is not None


def can_add_convener(membership, circle, seat):
    # Organizers may too, so a circle whose conveners all left can be repaired.
    return not circle.is_archived and (
        (seat is not None and seat.is_convener) or membership.role == Role.ORGANIZER
    )
